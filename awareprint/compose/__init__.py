"""Composition: a template and its content become a Document of placed boxes (nothing is measured here).

`document` holds the frozen records (msgspec Structs) every later stage (text layout, render) passes along.
"""
