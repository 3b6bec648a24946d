"""Fonts as a PDF embeds them: each font used, subset to its glyphs (HarfBuzz), as a Type0/CIDFontType2 font
whose codes stand for a glyph and the text it shows, with its widths, code-to-glyph and ToUnicode maps.

What depends only on a font's glyphs and codes (its subset, tables and compressed streams) is remembered by
them: a batch embeds the same subsets in every file of a language and template.
"""

from __future__ import annotations

import functools
import hashlib
import string
import zlib
from collections.abc import Callable
from typing import NamedTuple

import msgspec
import uharfbuzz as hb
from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen.canvas import Canvas

from awareprint.text.fonts import font_metrics, harfbuzz_font

LAYOUT_TABLES = ("GSUB", "GPOS", "GDEF", "BASE", "JSTF", "morx", "kerx")


class FontSet:
    """The fonts of one document, each embedded once when the document is written."""

    def __init__(self, canvas: Canvas) -> None:
        self.canvas = canvas
        self.fonts: dict[str, GlyphFont] = {}

    def get(self, path: str) -> GlyphFont:
        if path not in self.fonts:
            resource = f"AP{len(self.fonts) + 1}"
            font = GlyphFont(path, resource)
            self.fonts[path] = font
            doc = self.canvas._doc
            doc.fontMapping[f"awareprint:{path}"] = "/" + resource
            doc.delayedFonts.append(font)
        return self.fonts[path]


class GlyphFont(msgspec.Struct):
    """One embedded font. Its character codes (CIDs) stand for a glyph *and* the text it shows.

    Shaping reuses a glyph in different clusters (a Devanagari vowel sign before different consonants,
    a ligature), and ToUnicode can give a code only one text; so each (glyph, text) pair gets its own
    code, and CIDToGIDMap sends every code to its glyph. Code 0 stays .notdef.
    """

    path: str
    resource: str
    codes: dict[tuple[int, str], int] = msgspec.field(default_factory=dict)

    def codes_for(self, glyphs: tuple[tuple[int, str], ...]) -> tuple[int, ...]:
        """The code of each (glyph id, text): a new one for a pair this document has not drawn before."""
        codes = self.codes
        return tuple(codes.setdefault(pair, len(codes) + 1) for pair in glyphs)

    def addObjects(self, doc: pdfdoc.PDFDocument) -> None:  # noqa: N802 (reportlab's hook name)
        glyph_ids = sorted({glyph_id for glyph_id, _ in self.codes})
        # HarfBuzz reads the name: fontTools' name table module loads all of otTables (50 ms once)
        postscript = harfbuzz_font(self.path).face.get_name(hb.OTNameIdPredefined.POSTSCRIPT_NAME) or "Font"
        tag = _subset_tag(postscript, glyph_ids)
        base_font = f"{tag}+{postscript}"
        font_file = pdfdoc.PDFStream(content=_subset(self.path, tuple(glyph_ids)), filters=[_FONT_FLATE])
        font_file.dictionary["Length1"] = len(font_file.content)
        metrics = font_metrics(self.path)
        scale = 1000 / metrics.upem
        descriptor = pdfdoc.PDFDictionary(
            {
                "Type": pdfdoc.PDFName("FontDescriptor"),
                "FontName": pdfdoc.PDFName(base_font),
                "Flags": 4,
                "FontBBox": pdfdoc.PDFArray([round(value * scale) for value in metrics.box]),
                "ItalicAngle": 0,
                "Ascent": round(metrics.ascender * scale),
                "Descent": round(metrics.descender * scale),
                # the font's own cap height, even 0; the ascender for a font too old to give one
                "CapHeight": round(_or(metrics.cap_height, metrics.ascender) * scale),
                "StemV": 80,
                "FontFile2": doc.Reference(font_file, f"FontFile:{base_font}"),
            }
        )
        tables = _code_tables(self.path, tuple(self.codes))  # codes 1, 2, ... in the order they were given
        cid_to_gid = pdfdoc.PDFStream(content=tables.code_to_glyph, filters=[_FONT_FLATE])
        descendant = pdfdoc.PDFDictionary(
            {
                "Type": pdfdoc.PDFName("Font"),
                "Subtype": pdfdoc.PDFName("CIDFontType2"),
                "BaseFont": pdfdoc.PDFName(base_font),
                "CIDSystemInfo": pdfdoc.PDFDictionary(
                    {
                        "Registry": pdfdoc.PDFString("Adobe"),
                        "Ordering": pdfdoc.PDFString("Identity"),
                        "Supplement": 0,
                    }
                ),
                "FontDescriptor": doc.Reference(descriptor, f"FontDescriptor:{base_font}"),
                "W": tables.widths,
                "CIDToGIDMap": doc.Reference(cid_to_gid, f"CIDToGIDMap:{base_font}"),
            }
        )
        to_unicode = pdfdoc.PDFStream(content=tables.to_unicode, filters=[_FONT_FLATE])
        font = pdfdoc.PDFDictionary(
            {
                "Type": pdfdoc.PDFName("Font"),
                "Subtype": pdfdoc.PDFName("Type0"),
                "BaseFont": pdfdoc.PDFName(base_font),
                "Encoding": pdfdoc.PDFName("Identity-H"),
                "DescendantFonts": pdfdoc.PDFArray([doc.Reference(descendant, f"CIDFont:{base_font}")]),
                "ToUnicode": doc.Reference(to_unicode, f"ToUnicode:{base_font}"),
            }
        )
        doc.idToObject["BasicFonts"].dict[self.resource] = doc.Reference(font, self.resource)


class _CodeTables(NamedTuple):
    """What a font's codes make of it: the widths (W), the code-to-glyph map and the ToUnicode map."""

    widths: _Preformatted
    code_to_glyph: bytes
    to_unicode: bytes


@functools.lru_cache(maxsize=64)
def _code_tables(path: str, pairs: tuple[tuple[int, str], ...]) -> _CodeTables:
    """The tables for codes 1, 2, ... standing for `pairs` (glyph id, text). Remembered: a CJK poster's
    tables run to hundreds of entries, which reportlab writes one number at a time."""
    advance = advances(path)
    widths = pdfdoc.PDFArray([1, pdfdoc.PDFArray([round(advance(glyph), 2) for glyph, _ in pairs])])
    code_to_glyph = b"\0\0" + b"".join(glyph.to_bytes(2, "big") for glyph, _ in pairs)
    to_unicode = _to_unicode_cmap({code: text for code, (_, text) in enumerate(pairs, start=1)})
    return _CodeTables(_Preformatted(widths), code_to_glyph, to_unicode)


class _Preformatted(pdfdoc.PDFObject):  # type: ignore[misc]
    """A direct object of plain numbers, formatted by reportlab once and then written the same in every
    document (it holds no reference, so nothing in it depends on the document)."""

    def __init__(self, value: pdfdoc.PDFObject) -> None:
        self.value = value
        self.formatted: bytes | None = None

    def format(self, document: pdfdoc.PDFDocument) -> bytes:
        if self.formatted is None:
            self.formatted = bytes(self.value.format(document))
        return self.formatted


class _RememberedFlate:
    """reportlab's Flate filter (the same bytes), remembered by what it compresses: the font programs and
    maps of one language's glyphs, embedded again in every file of a batch."""

    pdfname = "FlateDecode"

    @staticmethod
    @functools.lru_cache(maxsize=128)
    def encode(data: bytes) -> bytes:
        return zlib.compress(data)


_FONT_FLATE = _RememberedFlate()


def _or(value: int | None, default: int) -> int:
    return default if value is None else value


@functools.lru_cache(maxsize=64)
def _subset(path: str, glyph_ids: tuple[int, ...]) -> bytes:
    """Keep only the glyphs used, at their original ids, so the content streams stay valid. Remembered by
    the glyphs: a batch embeds the same subset in every file of one language and template.

    HarfBuzz's subsetter: under a millisecond per font where fontTools took 15 to 50 ms, and no import
    of fontTools.subset (about 100 ms of every cold start). Shaping is done by now, so the layout tables
    go; glyphs are copied without hinting, and names 0-6 (copyright to PostScript name) are kept.
    """
    plan = hb.SubsetInput()
    plan.glyph_set.update(glyph_ids)
    plan.flags = (
        hb.SubsetFlags.RETAIN_GIDS
        | hb.SubsetFlags.NO_HINTING
        | hb.SubsetFlags.NOTDEF_OUTLINE
        | hb.SubsetFlags.NO_LAYOUT_CLOSURE
    )
    dropped = plan.sets(hb.SubsetInputSets.DROP_TABLE_TAG)
    for tag in (*LAYOUT_TABLES, "DSIG"):
        dropped.add(int.from_bytes(tag.encode("ascii"), "big"))
    subset = hb.subset(harfbuzz_font(path).face, plan)
    if subset is None:
        raise ValueError(f"HarfBuzz could not subset {path}")
    return bytes(subset.blob.data)


def _subset_tag(name: str, glyph_ids: list[int]) -> str:
    """Six capitals derived from the content, so identical input gives identical bytes."""
    digest = hashlib.sha256(f"{name}:{glyph_ids}".encode()).digest()
    return "".join(string.ascii_uppercase[b % 26] for b in digest[:6])


def _to_unicode_cmap(mapping: dict[int, str]) -> bytes:
    entries = [
        f"<{gid:04X}> <{text.encode('utf-16-be').hex().upper()}>"
        for gid, text in sorted(mapping.items())
        if text
    ]
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<0000> <FFFF>",
        "endcodespacerange",
    ]
    for start in range(0, len(entries), 100):
        chunk = entries[start : start + 100]
        lines += [f"{len(chunk)} beginbfchar", *chunk, "endbfchar"]
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines).encode("ascii")


@functools.cache
def advances(path: str) -> Callable[[int], float]:
    """A font's glyph advances in thousandths of an em, as PDF text space measures them: from HarfBuzz, as
    shaped (fontTools would decompile every glyph's name and metrics and keep them), each read once."""
    font = harfbuzz_font(path)
    upem = font.face.upem

    @functools.cache
    def advance(glyph_id: int) -> float:
        return float(font.get_glyph_h_advance(glyph_id) * 1000 / upem)

    return advance
