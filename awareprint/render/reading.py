"""The order to write a line's characters in so that a PDF text extractor reads back its logical text.

A PDF carries no reading order: extractors rebuild it from where glyphs are and in what order the content
stream draws them. pdfium (Chrome, and the tests) does it per line, in `CPDF_TextPage::CloseTempLine`
(core/fpdftext/cpdf_textpage.cpp) with the simple bidi of `CFX_BidiString` (core/fxcrt/fx_bidi.cpp):

* the line's characters are taken text object by text object (one per show operator), objects sorted by
  the x of their position, which is where the first glyph shown lands (a leading TJ adjustment moves
  it), characters within an object in stream order; so a line whose runs are in different fonts is
  read run by run from left to right, whatever order its objects are written in;
* they are cut into segments, each a maximal run of one direction: L (strong left), R (R and AL), weak
  (EN, AN, NSM, CS, ES, ET, BN) or neutral (everything else: spaces, ON, ...);
* if the document's viewer preferences say /Direction /R2L, or the line has at least as many R segments
  as L ones (and some), the line is right-to-left and the segment order is reversed;
* walking the segments in that order, with a current direction that starts as the line's: an R segment,
  or a neutral one while the current direction is right, is emitted reversed (and mirrored: '(' ↔ ')')
  and makes the current direction right; any other segment is emitted as it is, and an L or neutral one
  makes the current direction left (a weak one leaves it).

`extractor_order` inverts that: given a line's logical text it returns the order in which the line's
characters must reach the extractor (and which of them it will mirror), so that it reads the logical
text back. Each right-to-left line is then written in that order; positions on the page do not change.
The forward model (what pdfium makes of an order) lives with the tests (tests/pdfium_model.py), which
also check real pdfium and poppler on real pages.

ActualText does not help here: pdfium 8149 (pypdfium2 5.15) reverses each space-separated piece of an
ActualText met in a right-to-left line in place, whatever its script ("abc def" reads "cba fed"), so
right-to-left lines carry their text in ToUnicode only.
"""

from __future__ import annotations

import unicodedata
from enum import Enum

import msgspec

_WEAK = frozenset({"EN", "AN", "NSM", "CS", "ES", "ET", "BN"})
# Bidi_Mirroring_Glyph pairs pdfium swaps (FX_GetMirrorChar), for the characters a poster can hold
_MIRROR_PAIRS = "()<>[]{}\u00ab\u00bb\u2039\u203a\u2045\u2046\u207d\u207e\u208d\u208e\u2264\u2265"
MIRROR = {a: b for a, b in zip(_MIRROR_PAIRS[::2], _MIRROR_PAIRS[1::2], strict=True)} | {
    b: a for a, b in zip(_MIRROR_PAIRS[::2], _MIRROR_PAIRS[1::2], strict=True)
}


class Direction(Enum):
    LEFT = "L"
    RIGHT = "R"
    WEAK = "W"
    NEUTRAL = "N"


def direction(char: str) -> Direction:
    """CFX_BidiChar::AppendChar's classes."""
    bidi = unicodedata.bidirectional(char)
    if bidi == "L":
        return Direction.LEFT
    if bidi in ("R", "AL"):
        return Direction.RIGHT
    if bidi in _WEAK:
        return Direction.WEAK
    return Direction.NEUTRAL


class Written(msgspec.Struct, frozen=True):
    """One character as written for the extractor: its index in the logical text and whether the
    extractor will mirror it (so it must be written mirrored)."""

    index: int
    mirrored: bool


def direction_runs(text: str) -> list[tuple[int, int, Direction]]:
    """The segments of `text`: (start, end, direction) of each maximal run of one direction."""
    found: list[tuple[int, int, Direction]] = []
    for index, char in enumerate(text):
        kind = direction(char)
        if found and found[-1][2] is kind:
            start, _, _ = found[-1]
            found[-1] = (start, index + 1, kind)
        else:
            found.append((index, index + 1, kind))
    return found


def right_to_left(text: str, document_rtl: bool) -> bool:
    """Whether pdfium reads the line right to left."""
    runs = direction_runs(text)
    right = sum(1 for *_, kind in runs if kind is Direction.RIGHT)
    left = sum(1 for *_, kind in runs if kind is Direction.LEFT)
    return document_rtl or (right > 0 and right >= left)


def extractor_order(text: str, document_rtl: bool) -> list[Written]:
    """The characters of `text` (a line in logical order) in the order pdfium must meet them to read
    `text` back."""
    runs = direction_runs(text)
    rtl = right_to_left(text, document_rtl)
    current = Direction.RIGHT if rtl else Direction.LEFT
    pieces: list[list[Written]] = []
    for start, end, kind in runs:  # the extractor walks them in logical order
        if kind is Direction.RIGHT or (kind is Direction.NEUTRAL and current is Direction.RIGHT):
            current = Direction.RIGHT
            pieces.append([Written(i, text[i] in MIRROR) for i in reversed(range(start, end))])
        else:
            if kind is not Direction.WEAK:
                current = Direction.LEFT
            pieces.append([Written(i, False) for i in range(start, end)])
    if rtl:
        pieces.reverse()
    return [written for piece in pieces for written in piece]
