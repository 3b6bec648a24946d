"""Legal line-break opportunities (UAX #14 via ICU, with its dictionaries for Thai, Lao, Khmer, CJK)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from icu4py.breakers import LineBreaker

_HARD_BREAKS = "\n\r\u0085\u2028\u2029\x0b\x0c"


@dataclass(frozen=True, slots=True)
class Segment:
    """Characters [start, end) between two break opportunities; `end` may start a new line."""

    start: int
    end: int
    trailing_space: int  # characters at the end that hang past the line end when it breaks here
    mandatory: bool  # the line must break after this segment


@functools.lru_cache(maxsize=4096)
def segments(text: str, language: str) -> tuple[Segment, ...]:
    # ICU reports UTF-16 offsets; map them back to code point indices.
    utf16_to_index: dict[int, int] = {}
    offset = 0
    for index, char in enumerate(text):
        utf16_to_index[offset] = index
        offset += 2 if ord(char) > 0xFFFF else 1
    utf16_to_index[offset] = len(text)
    result = []
    for start16, end16 in LineBreaker(text, language.replace("-", "_")).segments():
        start, end = utf16_to_index[start16], utf16_to_index[end16]
        piece = text[start:end]
        stripped = piece.rstrip()
        result.append(
            Segment(start, end, len(piece) - len(stripped), bool(piece) and piece[-1] in _HARD_BREAKS)
        )
    return tuple(result)
