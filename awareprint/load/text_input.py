"""What a character in a user's text may be: decided here, once, for every file a user writes.

Every text value of a data file (organisation files and rows, language files and their PO or XLIFF
imports, templates, regions, batch files) passes `clean_text`, through `schema.as_text`:
- TAB, pasted along from a spreadsheet, becomes a space.
- A line break stays only in a field of several lines (a translation); in a one-line field it is refused,
  but at either end, where YAML's `|` and `>` put one: there it goes with the spaces around it.
- Every other C0 control, DEL, C1 control, noncharacter (U+FFFE, U+FFFF, ...), lone surrogate and
  private-use character is refused, with its position and code point: no font here draws it, and in the
  text layer of the PDF it would mislead.
- A bidi embedding, override or isolate (U+202A-U+202E, U+2066-U+2069) must be closed in the same field;
  closed, `bidi_controls` finds it for a warning, since it can print a name backwards.
- Emoji, where the field is printed as the organisation's own words (`PRINTED`): the poster's fonts have
  none, and a colour picture would not print in CMYK anyway.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import msgspec

from .emoji_table import EMOJI, PICTOGRAPHIC

CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")  # C0 but the line break, DEL, C1: no font draws them
BIDI_CONTROL = re.compile(r"[\u202a-\u202e\u2066-\u2069]")  # embeddings, overrides, isolates
LINE_BREAK = re.compile(r"[\n\u2028\u2029]")
_PLANE_ENDS = "".join(chr(plane * 0x10000 + end) for plane in range(1, 15) for end in (0xFFFE, 0xFFFF))
# noncharacters, surrogates (only a lone one can be in a str) and private use (planes 15 and 16 whole)
_UNUSABLE = re.compile(
    f"[\ud800-\udfff\ue000-\uf8ff\ufdd0-\ufdef\ufffe\uffff{_PLANE_ENDS}\U000f0000-\U0010ffff]"
)
_SPECIAL = re.compile("|".join(p.pattern for p in (CONTROL, BIDI_CONTROL, LINE_BREAK, _UNUSABLE)))
_EMOJI = f"[0-9#*]\ufe0f?\u20e3|[{PICTOGRAPHIC}]\ufe0f|[{EMOJI}]"
_SPACES = re.compile(r"[ \t]+")
_ENDS = " \n\u2028\u2029"  # what str.strip() would take and is not refused: it also takes \x1c-\x1f, \x85
_CLOSER = {"\u202a": "\u202c", "\u202b": "\u202c", "\u202d": "\u202c", "\u202e": "\u202c"}
_CLOSER |= dict.fromkeys("\u2066\u2067\u2068", "\u2069")
# C0 and C1 controls have no Unicode name, only aliases; these are the ones a user may meet
_CONTROL_NAMES = {
    "\x00": "NULL",
    "\x07": "BELL",
    "\x08": "BACKSPACE",
    "\n": "LINE FEED",
    "\x0b": "LINE TABULATION",
    "\x0c": "FORM FEED",
    "\r": "CARRIAGE RETURN",
    "\x1b": "ESCAPE",
    "\x7f": "DELETE",
    "\x85": "NEXT LINE",
}
_UNNAMED = {"Cc": "CONTROL CHARACTER", "Cs": "SURROGATE", "Co": "PRIVATE USE CHARACTER"}


class Field(msgspec.Struct, frozen=True):
    """What a field may hold beyond plain text."""

    lines: bool = False  # line breaks (a translation); else it is one line
    printed_as_written: bool = False  # the organisation's own words: spaces tidied, emoji refused


ONE_LINE = Field()
LINES = Field(lines=True)
PRINTED = Field(printed_as_written=True)


class CharacterError(ValueError):
    """A character the field cannot take: `code` for `check`, `message` and `hint` for the one line."""

    def __init__(self, code: str, message: str, hint: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint


CHARACTER_CODES = ("control-character", "line-break", "bidi-unbalanced", "emoji")


def clean_text(text: str, field: Field = ONE_LINE) -> str:
    """The text with each TAB a space, or CharacterError for the first character the field cannot take.

    Positions count from 1 in the text as written.
    """
    text = text.replace("\t", " ")
    special = _special_or_emoji() if field.printed_as_written else _SPECIAL
    if special.search(text):
        _check_characters(text, field, special)
    if not field.lines:
        text = text.strip(_ENDS) if LINE_BREAK.search(text) else text
    return _SPACES.sub(" ", text).strip(_ENDS) if field.printed_as_written else text


@functools.cache
def _special_or_emoji() -> re.Pattern[str]:
    """Compiled on first use (about 10 ms): only an organisation's fields refuse emoji."""
    return re.compile(f"{_SPECIAL.pattern}|{_EMOJI}")


def _check_characters(text: str, field: Field, special: re.Pattern[str]) -> None:
    inner = range(len(text) - len(text.lstrip(_ENDS)), len(text.rstrip(_ENDS)))  # without empty ends
    for match in special.finditer(text):
        character, position = match.group(), match.start() + 1
        if LINE_BREAK.fullmatch(character):
            if field.lines or match.start() not in inner:
                continue  # a field of several lines, or at an end of a one-line field
            raise CharacterError(
                "line-break",
                f"character {position} is a line break ({describe(character)}), but this is one line",
                "join the lines with a space; a long text wraps by itself",
            )
        if CONTROL.fullmatch(character) or _UNUSABLE.fullmatch(character):
            raise CharacterError(
                "control-character",
                f"character {position} is {describe(character)}, which no font draws",
                "remove it; it may be invisible: retype the text around it",
            )
        if not BIDI_CONTROL.fullmatch(character):  # what is left is an emoji, in a field that refuses them
            raise CharacterError(
                "emoji",
                f"character {position} is an emoji ({describe(character)}): "
                "emoji cannot be printed on the poster",
                "remove it",
            )
    _check_bidi_balance(text)


def _check_bidi_balance(text: str) -> None:
    """Each embedding or override closed by U+202C, each isolate by U+2069, nested as written."""
    open_at: list[tuple[int, str]] = []
    for match in BIDI_CONTROL.finditer(text):
        character, position = match.group(), match.start() + 1
        if character in _CLOSER:
            open_at.append((position, character))
        elif open_at and _CLOSER[open_at[-1][1]] == character:
            open_at.pop()
        else:
            raise CharacterError(
                "bidi-unbalanced",
                f"character {position} is {describe(character)}, which closes nothing",
                "remove it",
            )
    if open_at:
        position, character = open_at[-1]
        raise CharacterError(
            "bidi-unbalanced",
            f"character {position} is {describe(character)}, never closed (by "
            f"{describe(_CLOSER[character])}): it reorders everything after it",
            "remove it; the text is set in its own direction without it",
        )


def is_blank(text: str) -> bool:
    """Nothing a reader would see: spaces, and format characters such as joiners and bidi controls."""
    return all(c.isspace() or unicodedata.category(c) == "Cf" for c in text)


def bidi_controls(text: str) -> list[tuple[int, str]]:
    """(position from 1, character) of each bidi embedding, override or isolate: closed (or refused), but
    it can still print a name backwards. Its closing character is not listed again."""
    return [
        (match.start() + 1, match.group())
        for match in BIDI_CONTROL.finditer(text)
        if match.group() in _CLOSER
    ]


BIDI_WHY = "it reorders the text around it on the page"


def describe(characters: str) -> str:
    """`U+001B ESCAPE`, `U+202E RIGHT-TO-LEFT OVERRIDE`; a sequence (a keycap emoji) as its code points."""
    codes = " ".join(f"U+{ord(c):04X}" for c in characters)
    if len(characters) > 1:
        return codes
    name = unicodedata.name(characters, "") or _CONTROL_NAMES.get(characters, "")
    if not name and (CONTROL.fullmatch(characters) or _UNUSABLE.fullmatch(characters)):
        name = _UNNAMED.get(unicodedata.category(characters), "NONCHARACTER")
    return f"{codes} {name}".rstrip()
