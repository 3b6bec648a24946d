"""Legal line-break opportunities (UAX #14 via ICU, with its dictionaries for Thai, Lao, Khmer, CJK)."""

from __future__ import annotations

import functools
import unicodedata

import msgspec
from icu4py.breakers import LineBreaker

_HARD_BREAKS = "\n\r\u0085\u2028\u2029\x0b\x0c"
_ADDRESS_BREAKS = "./@"
# Japanese print follows the strict kinsoku rules: no line starts with a small kana or the long-vowel mark ー.
_ICU_LOCALE = {"ja": "ja@lb=strict"}
# Korean breaks between words, at spaces, not between any two syllables (CSS word-break: keep-all);
# ICU's own keep-all option (lw=keepall) is not honoured by its rule-based line breaker.
_KEEP_ALL = {"ko"}


class Segment(msgspec.Struct, frozen=True):
    """Characters [start, end) between two break opportunities; `end` may start a new line."""

    start: int
    end: int
    trailing_space: int  # characters at the end that hang past the line end when it breaks here
    mandatory: bool  # the line must break after this segment


@functools.lru_cache(maxsize=1024)
def segments(text: str, language: str) -> tuple[Segment, ...]:
    # ICU reports UTF-16 offsets; map them back to code point indices.
    utf16_to_index: dict[int, int] = {}
    offset = 0
    for index, char in enumerate(text):
        utf16_to_index[offset] = index
        offset += 2 if ord(char) > 0xFFFF else 1
    utf16_to_index[offset] = len(text)
    result: list[Segment] = []
    locale = _ICU_LOCALE.get(language, language.replace("-", "_"))
    for start16, end16 in LineBreaker(text, locale).segments():
        start, end = utf16_to_index[start16], utf16_to_index[end16]
        if language in _KEEP_ALL and result and not _between_words(text, start):
            start = result.pop().start
        piece = text[start:end]
        stripped = piece.rstrip()
        result.append(
            Segment(start, end, len(piece) - len(stripped), bool(piece) and piece[-1] in _HARD_BREAKS)
        )
    return tuple(result)


@functools.lru_cache(maxsize=256)
def address_segments(text: str, inside: bool) -> tuple[Segment, ...]:
    """Where phone numbers and web or e-mail addresses may break: at spaces only, never after their own
    hyphens (a reader would take one for a line-end hyphen); with `inside`, also after a dot, slash or @ in
    an address, the last resort for one too long for its line (UAX #14 has no break in "example.org/a")."""
    result: list[Segment] = []
    start = 0
    for index, char in enumerate(text[:-1]):
        if text[index + 1].isspace():
            continue
        if char.isspace() or (inside and char in _ADDRESS_BREAKS):
            result.append(Segment(start, index + 1, 1 if char.isspace() else 0, char in _HARD_BREAKS))
            start = index + 1
    result.append(Segment(start, len(text), len(text) - len(text.rstrip()), False))
    return tuple(result)


def _between_words(text: str, index: int) -> bool:
    """After a space or a dash: where a keep-all language may break ("96%가" stays together)."""
    before = text[index - 1]
    return before.isspace() or unicodedata.category(before) == "Pd"
