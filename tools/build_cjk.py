"""Build the vendored Chinese, Japanese and Korean fonts from Debian's fonts-noto-cjk.

Noto Sans CJK ships as OpenType collections with CFF outlines and 65,535 glyphs per face. awareprint embeds
TrueType outlines, and a full face would add about 20 MB per weight, so each language face is subset to its
national standard's common characters and converted to TrueType (quadratic) outlines:

- Simplified Chinese: GB 2312 level 1 (3,755 hanzi) and its symbols;
- Traditional Chinese: Big5 level 1 (5,401 hanzi) and its symbols;
- Japanese: JIS X 0208 level 1 (2,965 kanji), kana and symbols;
- Korean: the 2,350 Hangul syllables of KS X 1001 and its symbols;
plus ASCII, CJK punctuation and full-width forms for all. The sets come from Python's own codecs, so nothing
is downloaded. A character outside them is reported as a missing glyph, never drawn as a box.

Usage (Debian): apt-get download fonts-noto-cjk && dpkg-deb -x fonts-noto-cjk_*.deb cjk &&
    python tools/build_cjk.py cjk/usr/share/fonts/opentype/noto
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

FONTS = Path(__file__).resolve().parent.parent / "awareprint" / "data" / "fonts"
MAX_ERROR = 1.0  # font units allowed between a cubic curve and its quadratic approximation

# face name in the collection -> (output folder, codec, ranges of two-byte codes to keep)
FACES = {
    "Noto Sans CJK SC": ("noto-sans-sc", "gb2312", [(0xA1A1, 0xA9FE), (0xB0A1, 0xD7F9)]),
    "Noto Sans CJK TC": ("noto-sans-tc", "big5", [(0xA140, 0xA3BF), (0xA440, 0xC67E)]),
    "Noto Sans CJK JP": ("noto-sans-jp", "euc_jp", [(0xA1A1, 0xA8FE), (0xB0A1, 0xCFD3)]),
    "Noto Sans CJK KR": ("noto-sans-kr", "euc_kr", [(0xA1A1, 0xACFE), (0xB0A1, 0xC8FE)]),
}
COMMON = [(0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x3000, 0x30FF), (0xFF00, 0xFFEF)]


def characters(codec: str, ranges: list[tuple[int, int]]) -> set[int]:
    chars = {c for low, high in COMMON for c in range(low, high + 1)}
    for low, high in ranges:
        for code in range(low, high + 1):
            try:
                chars.add(ord(bytes([code >> 8, code & 0xFF]).decode(codec)))
            except (UnicodeDecodeError, TypeError):
                continue
    return chars


def to_truetype(font: TTFont) -> None:
    """Replace CFF outlines with quadratic TrueType ones (fontTools' otf2ttf recipe)."""
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, MAX_ERROR, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for field in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, field, 1 if field == "maxZones" else 0)
    maxp.maxPoints = maxp.maxContours = maxp.maxCompositePoints = maxp.maxCompositeContours = 0
    maxp.maxComponentDepth = 0
    font["maxp"] = maxp
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    font["head"].glyphDataFormat = 0
    font["post"].formatType = 3.0  # no glyph names: smaller, and the renderer needs only ids
    font.sfntVersion = "\0\1\0\0"


def build(collection_path: Path, weight: str) -> None:
    collection = TTCollection(str(collection_path))
    for face in collection.fonts:
        name = face["name"].getDebugName(1)
        if name not in FACES:
            continue
        folder, codec, ranges = FACES[name]
        options = subset.Options()
        options.layout_features = ["kern"]  # each face already maps to its own regional forms
        options.name_IDs = [0, 1, 2, 3, 4, 5, 6]
        options.hinting = False
        options.notdef_outline = True
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=characters(codec, ranges))
        subsetter.subset(face)
        to_truetype(face)
        target = FONTS / folder / f"{name.replace(' ', '')}-{weight}.ttf"
        target.parent.mkdir(exist_ok=True)
        face.save(str(target))
        size = target.stat().st_size // 1024
        print(f"{target.relative_to(FONTS)}: {len(face.getGlyphOrder())} glyphs, {size} KB")


def main() -> None:
    source = Path(sys.argv[1])
    for weight in ("Regular", "Bold"):
        build(source / f"NotoSansCJK-{weight}.ttc", weight)


if __name__ == "__main__":
    main()
