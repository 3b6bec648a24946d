"""Page boxes and the safe area: TrimBox inside BleedBox inside MediaBox, and no text too near the trim."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import msgspec
import pikepdf

from awareprint.diagnostics import Severity
from awareprint.units import MIN_BLEED_MM

if TYPE_CHECKING:
    from pypdfium2 import PdfTextPage
from awareprint.preflight.document import REGENERATE
from awareprint.preflight.findings import MM, TOLERANCE_PT, Box, Findings

_SHOWN_WORDS = 3  # text outside the safe area: how many words a diagnostic quotes


# --- page boxes -------------------------------------------------------------------------------------------


def _box(page: pikepdf.Page, name: str) -> Box | None:
    value = page.obj.get(name)
    return None if value is None else _corners(value)


def _corners(value: pikepdf.Object) -> Box:
    x0, y0, x1, y1 = (float(v) for v in value)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _contains(outer: Box, inner: Box) -> bool:
    return (
        inner[0] >= outer[0] - TOLERANCE_PT
        and inner[1] >= outer[1] - TOLERANCE_PT
        and inner[2] <= outer[2] + TOLERANCE_PT
        and inner[3] <= outer[3] + TOLERANCE_PT
    )


def check_boxes(number: int, page: pikepdf.Page, findings: Findings) -> Box:
    """Checks MediaBox ⊇ BleedBox ⊇ TrimBox and the bleed; returns the trim (the MediaBox without one)."""
    media = _corners(page.mediabox)  # only MediaBox is inherited
    bleed, trim = _box(page, "/BleedBox"), _box(page, "/TrimBox")
    hint = "set a TrimBox of the finished size inside a BleedBox 3 mm larger on each side"
    if trim is None:
        findings.error("preflight-boxes", f"page {number}: no TrimBox: the finished size is unknown", hint)
        return media
    if "/ArtBox" in page.obj:
        findings.error("preflight-boxes", f"page {number}: both ArtBox and TrimBox (PDF/X allows one)", hint)
    if bleed is None:
        findings.error("preflight-boxes", f"page {number}: no BleedBox: nothing may run off the edge", hint)
        return trim
    for outer, inner, names in ((media, bleed, "MediaBox ⊇ BleedBox"), (bleed, trim, "BleedBox ⊇ TrimBox")):
        if not _contains(outer, inner):
            findings.error("preflight-boxes", f"page {number}: page boxes not nested ({names} fails)", hint)
            return trim
    sides = ("left", "bottom", "right", "top")
    bleeds = (trim[0] - bleed[0], trim[1] - bleed[1], bleed[2] - trim[2], bleed[3] - trim[3])
    narrow = [(side, amount / MM) for side, amount in zip(sides, bleeds, strict=True)]
    narrow = [(side, mm) for side, mm in narrow if mm < MIN_BLEED_MM - 0.01]
    if narrow:
        where = ", ".join(f"{side} {mm:.1f} mm" for side, mm in narrow)
        findings.error("preflight-boxes", f"page {number}: bleed under {MIN_BLEED_MM:.0f} mm ({where})", hint)
    return trim


# --- text in the safe area (pdfium's text layer) ---------------------------------------------------------


class _Word(msgspec.Struct):
    """A word with characters outside the safe area: how far the worst one reaches, and if past the trim."""

    text: str
    beyond_mm: float = 0.0
    cut: bool = False


def check_safe_area(source: Path | bytes, trims: list[Box], margin_mm: float, findings: Findings) -> None:
    """Text must lie inside the trim less the safe margin; text wholly in the slug is job information."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(source)
    except pdfium.PdfiumError as error:
        findings.error("preflight-unreadable", f"pdfium cannot open the file ({error})", REGENERATE)
        return
    try:
        for number, trim in enumerate(trims, 1):
            page = document[number - 1]
            words = _words_outside(
                page.get_textpage(), trim, _pdfium_box(page.get_bleedbox()), margin_mm * MM
            )
            _report_safe_area(number, words, margin_mm, findings)
    finally:
        document.close()


def _words_outside(text: PdfTextPage, trim: Box, bleed: Box, margin: float) -> list[_Word]:
    import pypdfium2.raw as pdfium_c

    safe = (trim[0] + margin, trim[1] + margin, trim[2] - margin, trim[3] - margin)
    characters = [chr(pdfium_c.FPDFText_GetUnicode(text, i) or 0xFFFD) for i in range(text.count_chars())]
    words: dict[int, _Word] = {}  # by the index of the word's first character
    for index, character in enumerate(characters):
        if character.isspace():
            continue
        box = _pdfium_box(text.get_charbox(index))
        if box[2] <= box[0] or box[3] <= box[1] or not _overlaps(box, bleed):
            continue  # no ink, or wholly in the slug
        beyond = max(safe[0] - box[0], safe[1] - box[1], box[2] - safe[2], box[3] - safe[3])
        if beyond <= 0.01 * MM:
            continue
        start = end = index
        while start > 0 and not characters[start - 1].isspace():
            start -= 1
        while end + 1 < len(characters) and not characters[end + 1].isspace():
            end += 1
        word = words.setdefault(start, _Word("".join(characters[start : end + 1])))
        word.beyond_mm = max(word.beyond_mm, beyond / MM)
        word.cut = word.cut or max(trim[0] - box[0], trim[1] - box[1], box[2] - trim[2], box[3] - trim[3]) > 0
    return list(words.values())


def _pdfium_box(box: tuple[float, float, float, float]) -> Box:
    x0, y0, x1, y1 = box
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _report_safe_area(number: int, words: list[_Word], margin_mm: float, findings: Findings) -> None:
    for cut, severity, what in (
        (True, Severity.ERROR, "text crosses the trim and would be cut off"),
        (False, Severity.WARNING, f"text inside the {margin_mm:g} mm safe margin"),
    ):
        chosen = [word for word in words if word.cut is cut]
        if not chosen:
            continue
        shown = ", ".join(
            f"'{_short(word.text)}' ({word.beyond_mm:.1f} mm past the safe area)"
            for word in chosen[:_SHOWN_WORDS]
        )
        more = f" and {len(chosen) - _SHOWN_WORDS} more words" if len(chosen) > _SHOWN_WORDS else ""
        findings.add(
            severity,
            "preflight-safe-area",
            f"page {number}: {what}: {shown}{more}",
            f"keep text at least {margin_mm:g} mm inside the trim (TrimBox)",
        )


def _short(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
