"""awareprint: print-ready awareness materials from the IWF 2018 live-streaming study.

The packages read as the pipeline: load → compose → text → render, then preflight and batch, with the tools
beside them. `diagnostics` and `units` stay at the top because every stage uses them; `cli` and `pipeline`
are the faces (the terminal, and the one Python API).
"""

__version__ = "0.1.0"
