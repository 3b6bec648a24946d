"""Bidi embedding levels from the Unicode Bidirectional Algorithm (UAX #9).

The levels come from python-bidi, which wraps the maintained Rust crate `unicode-bidi` (UBA with isolates
and bracket pairs). python-bidi exposes the resolved levels only through its debug output, so this module
reads them from there; tests/test_bidi.py pins that reading with UBA cases, so a change of format fails
loudly instead of silently. Levels are reported per UTF-8 byte and mapped back to characters here.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from bidi import get_display

_LEVELS = re.compile(r"levels:\s*\[(.*?)\]\s*,\s*paragraphs", re.DOTALL)
_LEVEL = re.compile(r"Level\(\s*(\d+)\s*,?\s*\)")


class BidiUnavailableError(RuntimeError):
    """python-bidi's debug output no longer has the shape this module reads."""


@functools.lru_cache(maxsize=2048)
def embedding_levels(text: str, rtl: bool) -> tuple[int, ...]:
    """The resolved level of each character; the paragraph direction is the language's, not guessed."""
    if not text:
        return ()
    if text.isascii() and not rtl:
        return (0,) * len(text)  # nothing to resolve: every character is left-to-right at level 0
    debug = get_display(text, base_dir="R" if rtl else "L", debug=True)
    match = _LEVELS.search(str(debug))
    if not match:
        raise BidiUnavailableError("python-bidi's debug output has no levels; see awareprint/text/bidi.py")
    by_byte = [int(level) for level in _LEVEL.findall(match.group(1))]
    levels = []
    offset = 0
    for char in text:
        levels.append(by_byte[offset])
        offset += len(char.encode("utf-8"))
    if offset != len(by_byte):
        raise BidiUnavailableError("python-bidi reported levels for a different text length")
    return tuple(levels)


def base_is_rtl(text: str, direction: str) -> bool:
    """The paragraph direction: "rtl", "ltr", or "auto" (UAX #9 P2-P3: the first strong character,
    left-to-right when there is none, as in a phone number)."""
    if direction != "auto":
        return direction == "rtl"
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL", "L"):
            return kind != "L"
    return False


def visual_order(levels: list[int]) -> list[int]:
    """Rule L2: indices of items (runs of one level) in display order, left to right."""
    order = list(range(len(levels)))
    if not levels:
        return order
    highest = max(levels)
    lowest_odd = min((level for level in levels if level % 2), default=highest + 1)
    for level in range(highest, lowest_odd - 1, -1):
        index = 0
        while index < len(order):
            if levels[order[index]] >= level:
                end = index
                while end < len(order) and levels[order[end]] >= level:
                    end += 1
                order[index:end] = reversed(order[index:end])
                index = end
            else:
                index += 1
    return order
