"""HarfBuzz shaping of one run, in font units, cached: fitting rescales, it never reshapes."""

from __future__ import annotations

import functools

import msgspec
import uharfbuzz as hb

from .fonts import harfbuzz_font


class ShapedGlyph(msgspec.Struct, frozen=True):
    """A glyph in font units. `cluster` is the index of the first character it stands for."""

    glyph_id: int
    cluster: int
    x_advance: int
    x_offset: int
    y_offset: int
    unsafe_to_break: bool


class ShapedRun(msgspec.Struct, frozen=True):
    """Glyphs in visual order (right to left for RTL runs), for characters [start, end)."""

    font_file: str
    start: int
    end: int
    glyphs: tuple[ShapedGlyph, ...]

    def advance(self) -> int:
        return sum(g.x_advance for g in self.glyphs)


# as a plain int: a flag enum's & costs a microsecond a glyph, a few ms of a cold poster
_UNSAFE_TO_BREAK = int(hb.GlyphFlags.UNSAFE_TO_BREAK)


@functools.lru_cache(maxsize=4096)
def shape(
    font_file: str, text: str, start: int, end: int, script: str, rtl: bool, language: str
) -> ShapedRun:
    """Shape text[start:end] with the whole paragraph as context (joining, contextual forms)."""
    buffer = hb.Buffer()
    buffer.add_codepoints([ord(c) for c in text], start, end - start)
    buffer.direction = "rtl" if rtl else "ltr"
    buffer.script = script
    buffer.language = language
    buffer.cluster_level = hb.BufferClusterLevel.MONOTONE_CHARACTERS
    hb.shape(harfbuzz_font(font_file), buffer, {})
    glyphs = tuple(
        ShapedGlyph(
            glyph_id=info.codepoint,
            cluster=info.cluster,
            x_advance=pos.x_advance,
            x_offset=pos.x_offset,
            y_offset=pos.y_offset,
            unsafe_to_break=bool(int(info.flags) & _UNSAFE_TO_BREAK),
        )
        for info, pos in zip(buffer.glyph_infos, buffer.glyph_positions, strict=True)
    )
    return ShapedRun(font_file, start, end, glyphs)
