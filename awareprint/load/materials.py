"""materials/*.yaml → Materials: one language's strings, checked against the English they translate.

Every string has a key that names where it sits in the file, such as `labels.kicker` or
`audiences.parents.tips[2]`. English (en.yaml) defines the keys; a translation may leave some out (English is
printed instead, and reported), but may not add any. A translation also records, per key, a fingerprint of
the English it was made from (`translated_from`), so a later change to the English marks it stale.

A native speaker's review is recorded per string too (`reviews`): who approved it, when, and fingerprints of
the English and of the translation they saw. A language's status is computed from them: a review counts only
while both texts are still the ones approved.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import babel
import msgspec
from babel import Locale, UnknownLocaleError
from msgspec.structs import replace

from awareprint.diagnostics import AwareprintError, Diagnostic, user_error
from awareprint.load.folders import Folder

from .cache import cached
from .inputs import read_input
from .remembered import remembered
from .schema import MAX_DATA_FILE_BYTES, Mapping, Node, as_text, load_yaml
from .text_input import CHARACTER_CODES, LINES

ENGLISH = "en"
AUDIENCES = ("parents", "professionals")
PURPOSES = ("report", "report_contact", "child", "adult", "emergency", "removal", "prevention")
# What an organisation calls the person who takes concerns about a child (lead_labels.* in every language
# file). The English of each is the id in words ("designated_safeguarding_lead": "Designated safeguarding
# lead"), so an org file may name a label either way.
LEAD_LABELS = (
    "safeguarding_lead",
    "designated_safeguarding_lead",
    "designated_liaison_person",
    "child_protection_officer",
    "child_protection_focal_person",
    "wellbeing_and_protection_coordinator",
    "principal",
)
DEFAULT_LEAD_LABEL = "safeguarding_lead"
LANGUAGE_KEYS = ("code", "name", "native_name", "direction", "numbers")
# `status: source` marks en.yaml. In a translation `status` is no longer written: the status is computed
# from the reviews. `status: draft` is still read (and ignored); a whole-file `status: reviewed` with
# `reviewer` and `reviewed` (date), from before per-string reviews, is read as a review of every string
# the file holds, and is written as a `reviews:` block the next time the tool rewrites the file.
_OLD_LANGUAGE_KEYS = ("status", "reviewer", "reviewed")
REVIEW_KEYS = ("reviewer", "date", "english", "translation")
CAPTIONS = "contact_captions"  # the block of captions printed under contacts; region files name them by id
PLACEHOLDER = re.compile(r"\{(\w*)\}")
NUMBER = re.compile(r"\d+")  # any script's digits: a Bengali ১৬ is the number 16
_LIST_ITEM = re.compile(r"^(.*)\[(\d+)\]$")
_REQUIRED_PLACEHOLDERS = {
    "labels.qr_caption": {"name"},
    "labels.source": {"citation"},
    "labels.contacts_checked": {"date"},
    "labels.organisation_lead": {"label", "name"},
}
LISTS = ("warning_signs", "disclosure", "found_images", "categories")  # advice shared by both audiences


class Language(msgspec.Struct, frozen=True):
    code: str
    name: str
    native_name: str
    direction: str  # "ltr" or "rtl"
    numbers: str  # CLDR numbering system of printed digits: "latn", or the locale's own such as "beng"


class Review(msgspec.Struct, frozen=True):
    """A native speaker approved this translation of this English: it counts while both are unchanged."""

    reviewer: str
    date: dt.date
    english: str  # fingerprint of the English they read
    translation: str  # fingerprint of the translation they approved


class ReviewStatus(msgspec.Struct, frozen=True):
    """How much of a language a native speaker has approved, as it stands today."""

    reviewed: int  # strings with a current review
    total: int  # every string English has
    outdated: int  # reviews whose English or translation has changed since
    source: bool = False  # English: nothing to review

    @property
    def label(self) -> str:
        """`draft`, `partly reviewed (41 of 120 strings)`, `reviewed` or `source`."""
        if self.source:
            return "source"
        if self.reviewed == self.total:
            return "reviewed"
        if self.reviewed == 0:
            return "draft"
        return f"partly reviewed ({self.reviewed} of {self.total} strings)"

    @property
    def complete(self) -> bool:
        return self.source or self.reviewed == self.total


class Labels(msgspec.Struct, frozen=True):
    kicker: str
    figures_heading: str
    more_figures_heading: str
    contacts_heading: str
    qr_caption: str
    source: str
    contacts_checked: str
    warning_signs_heading: str
    warning_signs_note: str
    disclosure_heading: str
    found_images_heading: str
    categories_heading: str
    categories_intro: str
    organisation_lead: str


class FigureText(msgspec.Struct, frozen=True):
    caption: str
    display: str  # contains "{value}"


class AudienceText(msgspec.Struct, frozen=True):
    description: str
    headline: str
    subheadline: str
    tips_heading: str
    tips: tuple[str, ...]
    call_to_action: str


class Materials(msgspec.Struct, frozen=True):
    language: Language
    labels: Labels
    contact_captions: dict[str, str]  # caption id -> what a contact is for, as printed under it
    lead_labels: dict[str, str]  # LEAD_LABELS by id
    figures: dict[str, FigureText]
    key_finding: str
    lists: dict[str, tuple[str, ...]]  # LISTS by name
    audiences: dict[str, AudienceText]
    strings: dict[str, str]  # every string by key, in English order; English where the translation has none
    lines: dict[str, int]  # the line of each string the file itself holds
    missing: tuple[str, ...]  # keys printed in English because the translation lacks them
    stale: tuple[str, ...]  # keys whose English changed since they were translated
    translated_from: dict[str, str]  # key -> fingerprint of the English it translates
    reviews: dict[str, Review]  # key -> the review recorded for it, current or not
    reviewed: tuple[str, ...]  # keys whose review still matches both the English and the translation
    file: Path

    @property
    def review_status(self) -> ReviewStatus:
        if self.language.code == ENGLISH:
            return ReviewStatus(0, len(self.strings), 0, source=True)
        outdated = sum(1 for key in self.reviews if key in self.strings and key not in self.reviewed)
        return ReviewStatus(len(self.reviewed), len(self.strings), outdated)

    def localised(self, digits: Callable[[str], str]) -> Materials:
        """The same strings with their digits rewritten (before placeholders are filled)."""
        strings = {key: digits(text) for key, text in self.strings.items()}
        return replace(self, **_structure(strings))


def fingerprint(text: str) -> str:
    """A short, stable hash of a string (an English one, or a translation a reviewer approved)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


def numbers_in(text: str) -> list[int]:
    """The numbers a string states, placeholders aside, in any script's digits, sorted."""
    return sorted(int(n) for n in NUMBER.findall(PLACEHOLDER.sub("", text)))


def placeholders_in(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def language_codes(folder: Folder) -> list[str]:
    """English first, then the translations by code (files starting with _ hold other data)."""
    codes = sorted(
        p.stem
        for p in folder.glob("*.yaml")
        if p.stem not in ("source", ENGLISH) and not p.name.startswith("_")
    )
    return [ENGLISH, *codes]


@remembered(maxsize=8)
def load_english(folder: Folder, source_figures: tuple[str, ...]) -> Materials:
    return load_materials(folder / f"{ENGLISH}.yaml", source_figures)


@remembered(maxsize=64)
def load_language(folder: Folder, code: str, source_figures: tuple[str, ...]) -> Materials:
    """One language, with English filled in where a translation has no string."""
    english = load_english(folder, source_figures)
    return english if code == ENGLISH else load_materials(folder / f"{code}.yaml", source_figures, english)


def load_materials(
    path: Path,
    source_figures: tuple[str, ...],
    english: Materials | None = None,
    faults: list[Diagnostic] | None = None,
) -> Materials:
    """English when `english` is None; otherwise a translation of it.

    A string whose placeholders or numbers differ from the English is an error; with `faults` given (for
    `check`, which reports them all) it is added there instead, and the English is used in its place.
    """
    root = load_yaml(path)
    if not isinstance(root.value, dict):
        raise root.error(f"expected a mapping at the top of the file, found {root.kind}")
    top = dict(root.value)
    if "language" not in top:
        raise root.error(
            "missing key 'language'", hint="start the file with a language: block as en.yaml does"
        )
    block = Mapping(top.pop("language"), set(LANGUAGE_KEYS), set(_OLD_LANGUAGE_KEYS))
    language = _language(block, path)
    translated_node = top.pop("translated_from", None)
    reviews_node = top.pop("reviews", None)
    found: dict[str, Node] = {}
    for node in top.values():
        _flatten(node, found)

    status = block.choice("status", ("source", "draft", "reviewed"), "draft")
    if english is None:
        if status != "source" or translated_node is not None or reviews_node is not None:
            raise root.error(
                "en.yaml is the source: it needs status: source, and no translated_from or reviews"
            )
        expected = _english_keys(source_figures, found)
    else:
        if status == "source":
            raise root.error(
                "only en.yaml has status: source", hint="remove 'status': a translation's status is computed"
            )
        expected = list(english.strings)
    _refuse_unknown(found, expected, english)

    missing = [key for key in expected if key not in found]
    if english is None and missing:
        raise root.error(f"missing key '{missing[0]}'", hint="English must have every string")
    strings = {key: english.strings[key] for key in expected if key not in found}  # type: ignore[union-attr]
    for key, node in found.items():
        try:
            strings[key] = as_text(node, LINES)
            fault = _string_fault(key, node, strings[key], english)
        except AwareprintError as refused:
            if refused.diagnostic.code not in CHARACTER_CODES:
                raise
            fault = refused
        if fault is None:
            continue
        if faults is None or english is None:
            raise fault
        faults.append(fault.diagnostic)
        strings[key] = english.strings[key]
    strings = {key: strings[key] for key in expected}

    translated_from = _fingerprints(translated_node, expected) if translated_node else {}
    stale = []
    reviews: dict[str, Review] = {}
    current: list[str] = []
    if english is not None:
        stale = [key for key in found if translated_from.get(key) != fingerprint(english.strings[key])]
        old_review = _whole_file_review(block)
        if reviews_node is not None:
            if old_review:
                raise block.get("status").error(
                    "status: reviewed beside a reviews: block",
                    hint="remove status, reviewer and reviewed: the reviews block records each string",
                )
            reviews = _reviews(reviews_node, expected)
        elif old_review:
            made_from = {key: translated_from.get(key, fingerprint(english.strings[key])) for key in found}
            reviews = {
                key: replace(old_review, english=made_from[key], translation=fingerprint(strings[key]))
                for key in found
            }
        current = [
            key for key in expected if key in found and _matches(reviews.get(key), english, strings, key)
        ]
    return Materials(
        language=language,
        **_structure(strings),
        strings=strings,
        lines={key: node.line for key, node in found.items()},
        missing=tuple(missing),
        stale=tuple(stale),
        translated_from=translated_from,
        reviews=reviews,
        reviewed=tuple(current),
        file=path,
    )


def _matches(review: Review | None, english: Materials, strings: dict[str, str], key: str) -> bool:
    """A review counts while the English and the translation are both the ones the reviewer read."""
    return (
        review is not None
        and review.english == fingerprint(english.strings[key])
        and review.translation == fingerprint(strings[key])
    )


def _language(block: Mapping, path: Path) -> Language:
    code = block.text("code")
    if code != path.stem:
        raise block.get("code").error(
            f"language code '{code}' does not match the file name '{path.name}'",
            hint=f"rename the file to {code}.yaml or fix the code",
        )
    try:
        locale = Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        raise block.get("code").error(
            f"'{code}' is not a known locale code", hint="use a code such as en, fr, pt-BR"
        ) from None
    return Language(
        code=code,
        name=block.text("name"),
        native_name=block.text("native_name"),
        direction=block.choice("direction", ("ltr", "rtl")),
        numbers=block.choice("numbers", _numbering_systems(locale)),
    )


def _whole_file_review(block: Mapping) -> Review | None:
    """A file from before per-string reviews: `status: reviewed` covered every string it held then.

    The old tool made the file a draft again whenever imported text changed it, so the strings as they
    stand are the ones reviewed, each against the English it translates (the caller fills in both
    fingerprints). Without `status: reviewed` there is no review to carry over.
    """
    if not block.has("status") or block.text("status") != "reviewed":
        for name in ("reviewer", "reviewed"):
            if block.has(name):
                raise block.get(name).error(
                    f"'{name}' without status: reviewed",
                    hint="remove it; reviews are recorded per string by `awareprint strings approve`",
                )
        return None
    if not (block.has("reviewer") and block.has("reviewed")):
        raise block.node.error(
            "a reviewed translation needs 'reviewer' and 'reviewed' (date)",
            hint="add both, or remove 'status' and record reviews with `awareprint strings approve`",
        )
    return Review(block.text("reviewer"), block.date("reviewed"), "", "")


def _reviews(node: Node, expected: list[str]) -> dict[str, Review]:
    """The `reviews:` block: `KEY: {reviewer: NAME, date: YYYY-MM-DD, english: FP, translation: FP}`."""
    block = Mapping(node, set(), set(expected))
    found = {}
    for key in expected:
        if not block.has(key):
            continue
        entry = block.sub(key, set(REVIEW_KEYS))
        for name in ("english", "translation"):
            value = entry.text(name)
            if not re.fullmatch(r"[0-9a-f]{10}", value):
                raise entry.get(name).error(
                    f"'{value}' is not a fingerprint", hint="let `awareprint strings approve` write reviews"
                )
        reviewer = entry.text("reviewer")
        if "\n" in reviewer or len(reviewer) > 100:
            raise entry.get("reviewer").error("a reviewer is one name on one line, up to 100 characters")
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", entry.text("date")):
            raise entry.get("date").error(f"'{entry.text('date')}' is not a day; write YYYY-MM-DD")
        found[key] = Review(reviewer, entry.date("date"), entry.text("english"), entry.text("translation"))
    return found


def _numbering_systems(locale: Locale) -> tuple[str, ...]:
    """Latin digits, or the locale's own digits as CLDR records them (e.g. beng for Bengali). Kept in the
    cache: reading CLDR's data costs about 20 ms of a cold start."""

    def from_cldr() -> bytes:
        own = [locale.default_numbering_system, *dict(locale.other_numbering_systems).values()]
        return " ".join(dict.fromkeys(["latn", *own])).encode()

    return tuple(cached("digits", (str(locale), babel.__version__), from_cldr).decode().split())


def _flatten(node: Node, found: dict[str, Node]) -> None:
    if isinstance(node.value, str):
        found[node.key] = node
    elif isinstance(node.value, list):
        for item in node.value:
            _flatten(item, found)
    else:
        for child in node.value.values():
            _flatten(child, found)


def _english_keys(figures: tuple[str, ...], found: dict[str, Node]) -> list[str]:
    """The keys English must have; lists (tips, warning signs) are as long as English makes them."""

    def items(prefix: str) -> list[str]:
        count = sum(1 for key in found if _LIST_ITEM.match(key) and key.startswith(prefix + "["))
        return [f"{prefix}[{i}]" for i in range(max(count, 1))]

    keys = [f"labels.{name}" for name in Labels.__struct_fields__]
    keys += [key for key in found if key.startswith(CAPTIONS + ".")]  # English defines the caption ids
    keys += [f"lead_labels.{label}" for label in LEAD_LABELS]
    for figure in figures:
        if f"figures.{figure}.display" in found:
            keys.append(f"figures.{figure}.display")
        keys.append(f"figures.{figure}.caption")
    keys.append("key_finding")
    for name in LISTS:
        keys += items(name)
    for audience in AUDIENCES:
        prefix = f"audiences.{audience}"
        keys += [f"{prefix}.{name}" for name in ("description", "headline", "subheadline", "tips_heading")]
        keys += [*items(f"{prefix}.tips"), f"{prefix}.call_to_action"]
    return keys


def _refuse_unknown(found: dict[str, Node], expected: list[str], english: Materials | None) -> None:
    known = set(expected)
    for key, node in found.items():
        if key in known:
            continue
        item = _LIST_ITEM.match(key)
        if item and english is not None and f"{item.group(1)}[0]" in known:
            count = sum(1 for k in expected if k.startswith(item.group(1) + "["))
            raise node.error(
                f"'{item.group(1)}' has more items than the English ({count})",
                hint="keep one item per English item, in the same order",
            )
        close = difflib.get_close_matches(key, expected, n=1, cutoff=0.75)
        hint = f"did you mean '{close[0]}'?" if close else "en.yaml lists every key a language file may have"
        raise node.error(f"unknown key '{key}'", hint=hint)


def _string_fault(key: str, node: Node, text: str, english: Materials | None) -> AwareprintError | None:
    """Placeholders and numbers: a translation must keep both exactly as the English has them."""
    if english is None:
        required = _REQUIRED_PLACEHOLDERS.get(key, {"value"} if key.endswith(".display") else set())
        if placeholders_in(text) != required:
            want = ", ".join("{" + p + "}" for p in sorted(required)) or "none"
            return node.error(f"placeholders must be exactly: {want}")
        return None
    source = english.strings[key]
    if placeholders_in(text) != placeholders_in(source):
        want = ", ".join("{" + p + "}" for p in sorted(placeholders_in(source))) or "none"
        return node.error(
            f"placeholders must be exactly as in English: {want}",
            hint="keep the {…} parts untranslated; they are filled in when the poster is made",
        )
    if numbers_in(text) != numbers_in(source):
        theirs = ", ".join(map(str, numbers_in(text))) or "none"
        ours = ", ".join(map(str, numbers_in(source))) or "none"
        return user_error(
            f"numbers differ from the English: this says {theirs}, English says {ours}",
            code="translation-number",
            file=node.file,
            line=node.line,
            key=node.key,
            hint="write the same numbers as the English, in digits (not in words or numerals such as 十八)",
        )
    return None


def _fingerprints(node: Node, expected: list[str]) -> dict[str, str]:
    block = Mapping(node, set(), set(expected))
    result = {}
    for key in expected:
        if block.has(key):
            value = block.text(key)
            if not re.fullmatch(r"[0-9a-f]{10}", value):
                raise block.get(key).error(
                    f"'{value}' is not a fingerprint", hint="let `awareprint strings` write translated_from"
                )
            result[key] = value
    return result


def _structure(strings: dict[str, str]) -> dict[str, Any]:
    """The typed fields of Materials from the flat strings (keyword arguments of Materials)."""

    def listed(prefix: str) -> tuple[str, ...]:
        return tuple(text for key, text in strings.items() if key.startswith(prefix + "["))

    figures = {}
    for key, text in strings.items():
        if key.startswith("figures.") and key.endswith(".caption"):
            figure = key.split(".")[1]
            figures[figure] = FigureText(text, strings.get(f"figures.{figure}.display", "{value}"))
    return {
        "labels": Labels(**{name: strings[f"labels.{name}"] for name in Labels.__struct_fields__}),
        "contact_captions": {
            key.removeprefix(CAPTIONS + "."): text
            for key, text in strings.items()
            if key.startswith(CAPTIONS + ".")
        },
        "lead_labels": {label: strings[f"lead_labels.{label}"] for label in LEAD_LABELS},
        "figures": figures,
        "key_finding": strings["key_finding"],
        "lists": {name: listed(name) for name in LISTS},
        "audiences": {
            audience: AudienceText(
                description=strings[f"audiences.{audience}.description"],
                headline=strings[f"audiences.{audience}.headline"],
                subheadline=strings[f"audiences.{audience}.subheadline"],
                tips_heading=strings[f"audiences.{audience}.tips_heading"],
                tips=listed(f"audiences.{audience}.tips"),
                call_to_action=strings[f"audiences.{audience}.call_to_action"],
            )
            for audience in AUDIENCES
        },
    }


def dump_materials(
    language: Language,
    strings: dict[str, str],
    translated_from: dict[str, str],
    header: str,
    reviews: dict[str, Review] | None = None,
) -> bytes:
    """A language file in the one layout the tool writes: header comment, language, strings, fingerprints,
    then the reviews, one line per string.

    `strings` holds only what the file itself translates, in English key order.
    """
    block = {name: getattr(language, name) for name in LANGUAGE_KEYS}
    tree: dict[str, object] = {"language": block}
    for key, text in strings.items():
        _place(tree, key, text)
    if translated_from:
        tree["translated_from"] = {key: translated_from[key] for key in strings if key in translated_from}
    if reviews:
        tree["reviews"] = {
            key: _OneLine(
                reviewer=review.reviewer,
                date=review.date,
                english=review.english,
                translation=review.translation,
            )
            for key in strings
            if (review := reviews.get(key))
        }
    import yaml

    body = yaml.dump(tree, Dumper=_dumper(), allow_unicode=True, sort_keys=False, width=1_000_000)
    body = re.sub(r"\n(?=[a-z_])", "\n\n", body)  # a blank line between top-level blocks
    body = body.replace(
        "\ntranslated_from:",
        "\n# Written by `awareprint strings`: the English each string translates.\ntranslated_from:",
    )
    body = body.replace(
        "\nreviews:",
        "\n# Written by `awareprint strings approve`: who approved each string, when, and the English and\n"
        "# translation they read. A review counts while both are unchanged.\nreviews:",
    )
    return (header.rstrip("\n") + "\n" + body).encode("utf-8") if header else body.encode("utf-8")


class _OneLine(dict[str, object]):
    """A mapping written on one line (`{reviewer: …, date: …}`): one review, one line in a diff."""


@functools.cache
def _dumper() -> type:
    """PyYAML's safe dumper with lists indented under their key, as people write them (its default puts
    them flush), each value written out (our reader refuses aliases) and `_OneLine` on one line. Made on
    first write: reading a language file never imports PyYAML."""
    import yaml

    class Dumper(yaml.SafeDumper):
        def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
            super().increase_indent(flow, False)

        def ignore_aliases(self, data: object) -> bool:
            return True  # one date shared by many reviews is written out each time

    Dumper.add_representer(
        _OneLine,
        lambda dumper, data: dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True),
    )
    return Dumper


def header_of(path: Path) -> str:
    """The comment lines a file starts with: kept when the tool rewrites it."""
    header = []
    text = read_input(path, MAX_DATA_FILE_BYTES).decode(errors="replace") if path.exists() else ""
    text = text.replace("\r\n", "\n")
    for line in text.splitlines(keepends=True):
        if not line.startswith("#"):
            break
        header.append(line)
    return "".join(header)


def _place(tree: dict[str, object], key: str, text: str) -> None:
    """Put one string where its key says: "audiences.parents.tips[2]" is tree[audiences][parents][tips][2]."""
    *parents, last = key.split(".")
    node = tree
    for part in parents:
        node = node.setdefault(part, {})  # type: ignore[assignment]
    item = _LIST_ITEM.match(last)
    if item:
        cast(list[str], node.setdefault(item.group(1), [])).append(text)
    else:
        node[last] = text
