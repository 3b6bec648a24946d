"""materials/*.yaml → Materials: one language's strings, checked against the English they translate.

Every string has a key that names where it sits in the file, such as `labels.kicker` or
`audiences.parents.tips[2]`. English (en.yaml) defines the keys; a translation may leave some out (English is
printed instead, and reported), but may not add any. A translation also records, per key, a fingerprint of
the English it was made from (`translated_from`), so a later change to the English marks it stale.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from pathlib import Path

import yaml
from babel import Locale, UnknownLocaleError

from .diagnostics import AwareprintError, Diagnostic
from .schema import Mapping, Node, as_text, load_yaml

ENGLISH = "en"
AUDIENCES = ("parents", "professionals")
PURPOSES = ("report", "report_contact", "child", "adult", "emergency", "removal", "prevention")
CAPTIONS = "contact_captions"  # the block of captions printed under contacts; region files name them by id
STATUSES = ("source", "draft", "reviewed")
LANGUAGE_KEYS = ("code", "name", "native_name", "direction", "numbers", "status", "reviewer", "reviewed")
PLACEHOLDER = re.compile(r"\{(\w*)\}")
NUMBER = re.compile(r"\d+")  # any script's digits: a Bengali ১৬ is the number 16
_LIST_ITEM = re.compile(r"^(.*)\[(\d+)\]$")
_REQUIRED_PLACEHOLDERS = {
    "labels.qr_caption": {"name"},
    "labels.source": {"citation"},
    "labels.contacts_checked": {"date"},
    "labels.organisation_lead": {"name"},
}
LISTS = ("warning_signs", "disclosure", "found_images", "categories")  # advice shared by both audiences


@dataclass(frozen=True, slots=True)
class Language:
    code: str
    name: str
    native_name: str
    direction: str  # "ltr" or "rtl"
    numbers: str  # CLDR numbering system of printed digits: "latn", or the locale's own such as "beng"
    status: str
    reviewer: str | None
    reviewed: dt.date | None


@dataclass(frozen=True, slots=True)
class Labels:
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


@dataclass(frozen=True, slots=True)
class FigureText:
    caption: str
    display: str  # contains "{value}"


@dataclass(frozen=True, slots=True)
class AudienceText:
    description: str
    headline: str
    subheadline: str
    tips_heading: str
    tips: tuple[str, ...]
    call_to_action: str


@dataclass(frozen=True, slots=True)
class Materials:
    language: Language
    labels: Labels
    contact_captions: dict[str, str]  # caption id -> what a contact is for, as printed under it
    figures: dict[str, FigureText]
    key_finding: str
    lists: dict[str, tuple[str, ...]]  # LISTS by name
    audiences: dict[str, AudienceText]
    strings: dict[str, str]  # every string by key, in English order; English where the translation has none
    lines: dict[str, int]  # the line of each string the file itself holds
    missing: tuple[str, ...]  # keys printed in English because the translation lacks them
    stale: tuple[str, ...]  # keys whose English changed since they were translated
    translated_from: dict[str, str]  # key -> fingerprint of the English it translates
    file: Path

    def localised(self, digits: Callable[[str], str]) -> Materials:
        """The same strings with their digits rewritten (before placeholders are filled)."""
        strings = {key: digits(text) for key, text in self.strings.items()}
        return replace(self, **_structure(strings))


def fingerprint(text: str) -> str:
    """A short, stable hash of an English string."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


def numbers_in(text: str) -> list[int]:
    """The numbers a string states, placeholders aside, in any script's digits, sorted."""
    return sorted(int(n) for n in NUMBER.findall(PLACEHOLDER.sub("", text)))


def placeholders_in(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def language_codes(folder: Path) -> list[str]:
    """English first, then the translations by code."""
    codes = sorted(p.stem for p in folder.glob("*.yaml") if p.stem not in ("source", ENGLISH))
    return [ENGLISH, *codes]


def load_english(folder: Path, source_figures: tuple[str, ...]) -> Materials:
    return load_materials(folder / f"{ENGLISH}.yaml", source_figures)


def load_language(folder: Path, code: str, source_figures: tuple[str, ...]) -> Materials:
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
    language = _language(Mapping(top.pop("language"), set(LANGUAGE_KEYS[:6]), set(LANGUAGE_KEYS[6:])), path)
    translated_node = top.pop("translated_from", None)
    found: dict[str, Node] = {}
    for node in top.values():
        _flatten(node, found)

    if english is None:
        if language.status != "source" or translated_node is not None:
            raise root.error("en.yaml is the source: it needs status: source and no translated_from")
        expected = _english_keys(source_figures, found)
    else:
        if language.status == "source":
            raise root.error("only en.yaml has status: source", hint="use draft or reviewed")
        expected = list(english.strings)
    _refuse_unknown(found, expected, english)

    missing = [key for key in expected if key not in found]
    if english is None and missing:
        raise root.error(f"missing key '{missing[0]}'", hint="English must have every string")
    strings = {key: as_text(found[key]) if key in found else english.strings[key] for key in expected}  # type: ignore[union-attr]
    for key, node in found.items():
        fault = _string_fault(key, node, english)
        if fault is None:
            continue
        if faults is None or english is None:
            raise fault
        faults.append(fault.diagnostic)
        strings[key] = english.strings[key]

    translated_from = _fingerprints(translated_node, expected) if translated_node else {}
    stale = []
    if english is not None:
        stale = [key for key in found if translated_from.get(key) != fingerprint(english.strings[key])]
    return Materials(
        language=language,
        **_structure(strings),
        strings=strings,
        lines={key: node.line for key, node in found.items()},
        missing=tuple(missing),
        stale=tuple(stale),
        translated_from=translated_from,
        file=path,
    )


def _language(block: Mapping, path: Path) -> Language:
    status = block.choice("status", STATUSES)
    if status == "reviewed" and not (block.has("reviewer") and block.has("reviewed")):
        raise block.node.error(
            "a reviewed translation needs 'reviewer' and 'reviewed' (date)",
            hint="add both, or set status: draft",
        )
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
        status=status,
        reviewer=block.optional_text("reviewer"),
        reviewed=block.date("reviewed") if block.has("reviewed") else None,
    )


def _numbering_systems(locale: Locale) -> tuple[str, ...]:
    """Latin digits, or the locale's own digits as CLDR records them (e.g. beng for Bengali)."""
    own = [locale.default_numbering_system, *dict(locale.other_numbering_systems).values()]
    return tuple(dict.fromkeys(["latn", *own]))


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

    keys = [f"labels.{f.name}" for f in fields(Labels)]
    keys += [key for key in found if key.startswith(CAPTIONS + ".")]  # English defines the caption ids
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


def _string_fault(key: str, node: Node, english: Materials | None) -> AwareprintError | None:
    """Placeholders and numbers: a translation must keep both exactly as the English has them."""
    text = as_text(node)
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
        return node.error(
            f"numbers differ from the English: this says {theirs}, English says {ours}",
            hint="write the same numbers as the English, in digits",
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


def _structure(strings: dict[str, str]) -> dict[str, object]:
    """The typed fields of Materials from the flat strings."""

    def listed(prefix: str) -> tuple[str, ...]:
        return tuple(text for key, text in strings.items() if key.startswith(prefix + "["))

    figures = {}
    for key, text in strings.items():
        if key.startswith("figures.") and key.endswith(".caption"):
            figure = key.split(".")[1]
            figures[figure] = FigureText(text, strings.get(f"figures.{figure}.display", "{value}"))
    return {
        "labels": Labels(**{f.name: strings[f"labels.{f.name}"] for f in fields(Labels)}),
        "contact_captions": {
            key.removeprefix(CAPTIONS + "."): text
            for key, text in strings.items()
            if key.startswith(CAPTIONS + ".")
        },
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
    language: Language, strings: dict[str, str], translated_from: dict[str, str], header: str
) -> bytes:
    """A language file in the one layout the tool writes: header comment, language, strings, fingerprints.

    `strings` holds only what the file itself translates, in English key order.
    """
    block: dict[str, str] = {}
    for name in LANGUAGE_KEYS:
        value = getattr(language, name)
        if value is not None:
            block[name] = value.isoformat() if isinstance(value, dt.date) else value
    tree: dict[str, object] = {"language": block}
    for key, text in strings.items():
        _place(tree, key, text)
    if translated_from:
        tree["translated_from"] = {key: translated_from[key] for key in strings if key in translated_from}
    body = yaml.dump(tree, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1_000_000)
    body = re.sub(r"\n(?=[a-z_])", "\n\n", body)  # a blank line between top-level blocks
    body = body.replace(
        "\ntranslated_from:",
        "\n# Written by `awareprint strings`: the English each string translates.\ntranslated_from:",
    )
    return (header.rstrip("\n") + "\n" + body).encode("utf-8") if header else body.encode("utf-8")


class _Dumper(yaml.SafeDumper):
    """Lists indented under their key, as people write them (PyYAML's default puts them flush)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def header_of(path: Path) -> str:
    """The comment lines a file starts with: kept when the tool rewrites it."""
    header = []
    for line in path.read_text(encoding="utf-8").splitlines(keepends=True) if path.exists() else []:
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
        node.setdefault(item.group(1), []).append(text)  # type: ignore[union-attr]
    else:
        node[last] = text
