"""Data loading, the pipeline's first stage: strict YAML, materials, contacts, organisations and templates.

Everything a non-programmer may change is read here and checked against its schema, so the later stages
only ever see frozen, valid records (msgspec Structs).
"""
