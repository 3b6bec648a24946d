"""A tiny stand-in font for scripts no font on a test machine has (Ethiopic): boxes for letters, with an
OFL licence file beside it, so the walkthroughs need no system package and download nothing."""

from __future__ import annotations

from pathlib import Path

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen

ETHIOPIC = range(0x1200, 0x13A0)  # syllables and punctuation (፡ ። ፣)
OFL = "This Font Software is licensed under the SIL Open Font License, Version 1.1.\n"


def make_font(folder: Path, family: str = "Test Sans Ethiopic", code_points: range = ETHIOPIC) -> Path:
    """FAMILY-Regular.ttf in `folder`, one box glyph per code point, and OFL.txt beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    names = [".notdef", "space", *(f"uni{cp:04X}" for cp in code_points)]
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({0x20: "space", **{cp: f"uni{cp:04X}" for cp in code_points}})
    glyphs = {}
    for name in names:
        pen = TTGlyphPen(None)
        if name != "space":
            pen.moveTo((80, 0))
            pen.lineTo((80, 700))
            pen.lineTo((520, 700))
            pen.lineTo((520, 0))
            pen.closePath()
        glyphs[name] = pen.glyph()
    builder.setupGlyf(glyphs)
    builder.setupHorizontalMetrics({name: (600, 80 if name != "space" else 0) for name in names})
    builder.setupHorizontalHeader(ascent=900, descent=-250)
    style = "Regular"
    builder.setupNameTable({"familyName": family, "styleName": style})
    builder.setupOS2(
        sTypoAscender=900, sTypoDescender=-250, usWinAscent=900, usWinDescent=250, fsType=0, sCapHeight=700
    )
    builder.setupPost()
    path = folder / f"{family.replace(' ', '')}-{style}.ttf"
    builder.save(str(path))
    (folder / "OFL.txt").write_text(OFL, encoding="utf-8")
    return path
