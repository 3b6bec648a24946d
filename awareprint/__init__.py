"""awareprint: print-ready awareness materials from the IWF 2018 live-streaming study."""

__version__ = "0.1.0"
