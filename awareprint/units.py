"""Lengths and colours as they appear in data files, turned into points and CMYK fractions."""

from __future__ import annotations

import re
from typing import NewType

import msgspec

Pt = NewType("Pt", float)

# px: a CSS pixel (1/96 in), the unit of social images; rendered at 96 pixels per inch it is one pixel
POINTS_PER_UNIT = {"pt": 1.0, "mm": 72 / 25.4, "cm": 720 / 25.4, "in": 72.0, "px": 0.75}
MIN_BLEED_MM = 3.0  # what a print shop needs to trim without a white edge; preflight checks every file for it
_LENGTH = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(pt|mm|cm|in|px)\s*$")


def parse_length(text: str) -> Pt:
    """`"3mm"` → 8.5039 pt. A unit is required: a bare number is ambiguous in print work."""
    match = _LENGTH.match(text)
    if not match:
        raise ValueError(f"'{text}' is not a length; write a number with a unit, e.g. 3mm, 0.125in, 12pt")
    return Pt(float(match.group(1)) * POINTS_PER_UNIT[match.group(2)])


class Cmyk(msgspec.Struct, frozen=True):
    """Process colour as fractions 0..1 (data files write percentages)."""

    c: float
    m: float
    y: float
    k: float

    def __post_init__(self) -> None:
        for value in (self.c, self.m, self.y, self.k):
            if not 0.0 <= value <= 1.0:
                raise ValueError("CMYK components must be between 0 and 100 %")

    @property
    def total_ink(self) -> float:
        return self.c + self.m + self.y + self.k


def parse_cmyk(values: list[str]) -> Cmyk:
    if len(values) != 4:
        raise ValueError("a CMYK colour is four percentages [C, M, Y, K], e.g. [100, 60, 0, 20]")
    try:
        c, m, y, k = (float(v) / 100 for v in values)
    except ValueError:
        raise ValueError("CMYK components must be numbers from 0 to 100") from None
    return Cmyk(c, m, y, k)
