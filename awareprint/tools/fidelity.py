"""Does a translation still say what the English says? The faults a machine can see in one string.

Loading a language file already refuses changed placeholders and changed digits (an "under 18" that became
16). These rules catch what passes that test but still misleads a reader of a printed poster:
- a figure's display that lost its qualifier: English prints "over 2,000", the translation a bare "2,000"
  with "over" moved into the caption (`figure-qualifier`), or one whose words are not a wording of that
  qualifier a native speaker has confirmed for the language (materials/_qualifiers.yaml): "unter 2.000"
  passes every digit test and says the opposite (`figure-qualifier-changed`; a language with no confirmed
  wording yet gets `figure-qualifier-unconfirmed`, a warning);
- a number that matters written in words or in CJK numerals ("two thousand", 十八), which the digit test
  cannot see and the locale's digits never reach (`number-in-words`);
- a bidi embedding, override or isolate, which reorders the text around it (`bidi-control`, a warning).
  (A control character, or a bidi control left open, is refused while the file loads: see text_input.)
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import msgspec
from icu4py.messageformat import MessageFormat

from awareprint.diagnostics import Diagnostic, Severity
from awareprint.load.folders import Folder
from awareprint.load.materials import ENGLISH, PLACEHOLDER, Materials, numbers_in
from awareprint.load.schema import Mapping, Node, as_list, as_text, load_yaml
from awareprint.load.text_input import BIDI_WHY, bidi_controls, describe

_INVISIBLE_IN_SPELLOUT = str.maketrans({"\u00ad": None, "\u200b": None, "-": " "})
_CJK_DIGITS = {"\u3007": 0, "零": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5, "六": 6}
_CJK_DIGITS |= {"七": 7, "八": 8, "九": 9}
_CJK_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "萬": 10_000}
_CJK_NUMERALS = re.compile("[" + "".join(_CJK_DIGITS) + "".join(_CJK_UNITS) + "]+")
_UNSPACED = ("th", "ja", "zh", "ko")  # no spaces between words, or particles joined to them (십팔세)


QUALIFIERS_FILE = "_qualifiers.yaml"


class Qualifiers(msgspec.Struct, frozen=True):
    """Confirmed wordings of each qualifier, per language: {"over": {"de": ("über {value}",)}}."""

    wordings: dict[str, dict[str, tuple[str, ...]]]
    file: Path | None


def load_qualifiers(folder: Folder, qualifiers: set[str], languages: set[str]) -> Qualifiers:
    """materials/_qualifiers.yaml, strict: the study's qualifiers, then language codes that have a file
    here. Without the file no wording is confirmed (every display is a warning)."""
    path = folder / QUALIFIERS_FILE
    if not path.is_file():
        return Qualifiers({}, None)
    root = Mapping(load_yaml(path), set(), qualifiers)
    wordings = {
        qualifier: {
            language: tuple(_wording(item) for item in as_list(listed))
            for language, listed in Mapping(node, set(), languages).fields.items()
        }
        for qualifier, node in root.fields.items()
    }
    return Qualifiers(wordings, path)


def _wording(node: Node) -> str:
    text = as_text(node)
    if "{value}" not in text:
        raise node.error(f"'{text}' has no {{value}}", hint="write the whole display, e.g. über {value}")
    return _normalised(text)


def _normalised(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def fidelity_findings(
    materials: Materials,
    english: Materials,
    figure_values: dict[str, int],
    figure_qualifiers: dict[str, str] | None = None,
    qualifiers: Qualifiers | None = None,
) -> list[Diagnostic]:
    """Every fault of these kinds in the strings the file itself holds (English fills the rest).

    `figure_values` maps a figure id to its value in the study, the number its strings must not spell out;
    `figure_qualifiers` a figure id to its qualifier in the study ("over"), whose confirmed wordings per
    language are in `qualifiers`.
    """
    found: list[Diagnostic] = []
    for key in materials.lines:
        text = materials.strings[key]
        found += _bidi_controls(materials, key, text)
        if materials.language.code == ENGLISH:
            continue
        found += _number_words(materials, key, text, _numbers_that_matter(key, english, figure_values))
        if key.endswith(".display"):
            bare = _bare_display(materials, key, text, english.strings[key])
            found += bare
            qualifier = (figure_qualifiers or {}).get(key.split(".")[1])
            if qualifier and not bare:
                found += _unconfirmed_qualifier(materials, key, text, qualifier, qualifiers)
    return found


def _unconfirmed_qualifier(
    materials: Materials, key: str, text: str, qualifier: str, qualifiers: Qualifiers | None
) -> list[Diagnostic]:
    """The display's words must be a wording of the study's qualifier confirmed for this language."""
    language = materials.language.code
    confirmed = (qualifiers.wordings if qualifiers else {}).get(qualifier, {}).get(language)
    if confirmed is not None and _normalised(text) in confirmed:
        return []
    where = qualifiers.file.name if qualifiers and qualifiers.file else QUALIFIERS_FILE
    if confirmed is None:
        return [
            _finding(
                Severity.WARNING,
                "figure-qualifier-unconfirmed",
                materials,
                key,
                f"no confirmed {materials.language.name} wording of the study's '{qualifier}' yet",
                f"have a native speaker confirm that '{text}' means '{qualifier} {{value}}', then add it to "
                f"materials/{where} under {qualifier}: {language}",
            )
        ]
    return [
        _finding(
            Severity.ERROR,
            "figure-qualifier-changed",
            materials,
            key,
            f"'{text}' is not a confirmed wording of the study's '{qualifier} {{value}}' "
            f"(confirmed: {' / '.join(confirmed)})",
            f"write one of the confirmed wordings; a new one goes into materials/{where} only once a native "
            "speaker has confirmed it means the same",
        )
    ]


def _bare_display(materials: Materials, key: str, text: str, source: str) -> list[Diagnostic]:
    """English words around {value} ("over {value}") must stay beside the number, not go to the caption."""
    if not _words_around_value(source) or _words_around_value(text):
        return []
    return [
        _finding(
            Severity.ERROR,
            "figure-qualifier",
            materials,
            key,
            f"the figure prints a bare number, but the English says '{source}': its qualifier is lost "
            "or moved into the caption",
            f"translate the whole of '{source}' here, around {{value}}, and keep it out of the caption",
        )
    ]


def _words_around_value(display: str) -> str:
    return PLACEHOLDER.sub("", display).strip()


def _numbers_that_matter(key: str, english: Materials, figure_values: dict[str, int]) -> set[int]:
    """The English string's own numbers, and for a figure's strings the figure's value."""
    numbers = set(numbers_in(english.strings[key]))
    parts = key.split(".")
    if parts[0] == "figures" and parts[1] in figure_values:
        numbers.add(figure_values[parts[1]])
    return numbers


def _number_words(materials: Materials, key: str, text: str, numbers: set[int]) -> list[Diagnostic]:
    found = []
    figure = key.startswith("figures.")
    for written, number in _spelled_numbers(text, numbers, materials.language.code):
        hint = (
            "the number is printed from the figure's {value}; do not write it again"
            if figure and number not in numbers_in(text)
            else f"write {number} in digits, as the English does"
        )
        found.append(
            _finding(
                Severity.ERROR,
                "number-in-words",
                materials,
                key,
                f"'{written}' writes the number {number} in words or other numerals",
                hint,
            )
        )
    return found


def _spelled_numbers(text: str, numbers: set[int], language: str) -> Iterable[tuple[str, int]]:
    """(as written, number) for each of `numbers` the text spells out, in its language or in English."""
    for run in _CJK_NUMERALS.findall(text):
        value = _cjk_value(run)
        if value in numbers:
            yield run, value
    folded = text.casefold().translate(_INVISIBLE_IN_SPELLOUT)
    unspaced = language.split("-")[0] in _UNSPACED
    for number in sorted(numbers):
        for spelled in {_spellout(number, language), _spellout(number, ENGLISH)}:
            if _CJK_NUMERALS.fullmatch(spelled):
                continue  # CJK numerals were read above, in every form (二千, 两千, 二〇〇〇)
            if unspaced and " " not in spelled:
                if len(spelled) > 1 and spelled in folded:  # one syllable (사, 4) is part of many words
                    yield spelled, number
                continue
            match = _word_pattern(spelled).search(folded)
            if match:
                yield match.group(), number


@functools.lru_cache(maxsize=1024)
def _spellout(number: int, language: str) -> str:
    """The number in words, as CLDR spells it for the language (English where CLDR has no rules)."""
    spelled = MessageFormat("{n, spellout}", language.replace("-", "_")).format({"n": number})
    return spelled.casefold().translate(_INVISIBLE_IN_SPELLOUT)


@functools.lru_cache(maxsize=1024)
def _word_pattern(spelled: str) -> re.Pattern[str]:
    """The spelled number as whole words; its last word may take an ending (восемнадцати, dieciocho)."""
    words = spelled.split()
    last = words[-1]
    stem = re.escape(last[:-2]) + r"\w*" if len(last) >= 6 else re.escape(last)
    body = r"\s+".join([*map(re.escape, words[:-1]), stem])
    return re.compile(rf"(?<!\w){body}(?!\w)")


def _cjk_value(run: str) -> int:
    """二千 2000, 两千 2000, 十八 18, 九十六 96, 二〇一八 2018 (digit by digit when there is no unit)."""
    if not any(ch in _CJK_UNITS for ch in run):
        return int("".join(str(_CJK_DIGITS[ch]) for ch in run))
    total, section, digit = 0, 0, 0
    for ch in run:
        if ch in _CJK_DIGITS:
            digit = _CJK_DIGITS[ch]
        elif _CJK_UNITS[ch] == 10_000:
            total += (section + digit) * 10_000
            section, digit = 0, 0
        else:
            section += (digit or 1) * _CJK_UNITS[ch]
            digit = 0
    return total + section + digit


def _bidi_controls(materials: Materials, key: str, text: str) -> list[Diagnostic]:
    return [
        _finding(
            Severity.WARNING,
            "bidi-control",
            materials,
            key,
            f"contains {describe(character)} at character {position}: {BIDI_WHY}",
            "delete it (look for an escape such as \\u202E in the YAML)",
        )
        for position, character in bidi_controls(text)
    ]


def _finding(
    severity: Severity, code: str, materials: Materials, key: str, message: str, hint: str
) -> Diagnostic:
    return Diagnostic(
        severity, code, message, file=materials.file, line=materials.lines.get(key), key=key, hint=hint
    )
