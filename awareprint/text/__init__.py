"""Text layout: itemize → shape → break → fit → positioned glyph runs (see layout.py)."""

from .layout import layout_frames

__all__ = ["layout_frames"]
