"""Where a word may be hyphenated (pyphen's dictionaries). Used only when a word would otherwise overflow."""

from __future__ import annotations

import functools

import pyphen

HYPHEN = "-"
SOFT_HYPHEN = "\u00ad"  # what a hyphen added at a line end stands for in the text: a discretionary break


@functools.lru_cache(maxsize=64)
def _dictionary(language: str) -> pyphen.Pyphen | None:
    name = pyphen.language_fallback(language.replace("-", "_"))
    return pyphen.Pyphen(lang=name) if name else None


def can_hyphenate(language: str) -> bool:
    return _dictionary(language) is not None


@functools.lru_cache(maxsize=16384)
def hyphen_points(text: str, start: int, end: int, language: str) -> tuple[int, ...]:
    """Indices in `text`, within the word(s) of [start, end), where a line may end with a hyphen."""
    dictionary = _dictionary(language)
    if dictionary is None:
        return ()
    points: list[int] = []
    index = start
    while index < end:  # each run of letters is a word; punctuation and digits are never split
        if not text[index].isalpha():
            index += 1
            continue
        word_end = index
        while word_end < end and text[word_end].isalpha():
            word_end += 1
        points += [index + p for p in dictionary.positions(text[index:word_end])]
        index = word_end
    return tuple(points)
