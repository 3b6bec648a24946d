"""materials/, regions/ → Content: every string of one language x audience x region, ready to place.

Numbers are formatted here (CLDR through Babel), so later stages never touch a figure's value.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from decimal import Decimal
from pathlib import Path

from babel import Locale, UnknownLocaleError
from icu4py.messageformat import MessageFormat

from .diagnostics import Diagnostic, Severity, user_error
from .schema import Mapping, Node, as_list, as_text, load_yaml, parse_node

AUDIENCES = ("parents", "professionals")
PURPOSES = ("report", "report_contact", "child", "adult", "emergency", "removal", "prevention")
STATUSES = ("source", "draft", "reviewed")
CONTACT_MAX_AGE_DAYS = 365
_PLACEHOLDER = re.compile(r"\{(\w*)\}")
_PHONE = re.compile(r"^\+?[0-9A-Z][0-9A-Z ()\-.]{1,30}[0-9A-Z]$|^[0-9]{3,6}$")
_URL = re.compile(r"^https://[A-Za-z0-9.-]+\.[A-Za-z]{2,}(/[^\s]*)?$")


@dataclass(frozen=True, slots=True)
class Study:
    publisher: str
    title: str
    published: dt.date
    url: str
    citation_short: str
    citation_full: str


@dataclass(frozen=True, slots=True)
class Figure:
    id: str
    value: Decimal
    unit: str  # "percent" or "count"
    meaning: str
    citation: str
    qualifier: str | None = None


@dataclass(frozen=True, slots=True)
class SourceData:
    study: Study
    figures: tuple[Figure, ...]
    emphasis: dict[str, tuple[str, ...]]
    file: Path

    def figure(self, figure_id: str) -> Figure:
        return next(f for f in self.figures if f.id == figure_id)


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

    def localised(self, digits: Callable[[str], str]) -> Labels:
        """Before placeholders are filled, so an English citation keeps its own digits."""
        return replace(self, **{f.name: digits(getattr(self, f.name)) for f in fields(self)})


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

    def localised(self, digits: Callable[[str], str]) -> AudienceText:
        return replace(
            self,
            headline=digits(self.headline),
            subheadline=digits(self.subheadline),
            tips_heading=digits(self.tips_heading),
            tips=tuple(digits(tip) for tip in self.tips),
            call_to_action=digits(self.call_to_action),
        )


@dataclass(frozen=True, slots=True)
class Materials:
    language: Language
    labels: Labels
    purposes: dict[str, str]
    figures: dict[str, FigureText]
    key_finding: str
    warning_signs: tuple[str, ...]
    audiences: dict[str, AudienceText]
    file: Path


@dataclass(frozen=True, slots=True)
class ContactEntry:
    id: str
    name: str
    purpose: str
    phone: str | None
    url: str | None
    display_url: str | None
    hours: str | None
    audiences: tuple[str, ...]
    source: str
    verified: dt.date
    line: int


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str
    locale: str
    qr_contact: str
    contacts: tuple[ContactEntry, ...]
    file: Path


# --- what the later stages receive ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Statistic:
    id: str
    number: str  # formatted for the locale: "96%", "96 %", "over 2,000"
    caption: str
    citation: str


@dataclass(frozen=True, slots=True)
class Contact:
    name: str
    purpose: str
    phone: str | None
    address: str | None  # the web address as printed


@dataclass(frozen=True, slots=True)
class Content:
    language: str
    direction: str
    audience: str
    region: str
    kicker: str
    headline: str
    subheadline: str
    key_finding: str
    figures_heading: str
    key_figures: tuple[Statistic, ...]
    more_figures_heading: str
    more_figures: tuple[Statistic, ...]
    tips_heading: str
    tips: tuple[str, ...]
    warning_signs: tuple[str, ...]
    call_to_action: str
    contacts_heading: str
    contacts: tuple[Contact, ...]
    qr_url: str
    qr_caption: str
    source_line: str
    contacts_checked: str
    date: dt.date  # when the content was last checked: the newest contact verification
    title: str
    subject: str
    keywords: tuple[str, ...]


# --- loading ----------------------------------------------------------------------------------


def load_source(path: Path) -> SourceData:
    root = Mapping(load_yaml(path), {"study", "figures", "emphasis"})
    study = root.sub(
        "study", {"publisher", "title", "published", "url", "citation_short", "citation_full"}, {"place"}
    )
    figures: list[Figure] = []
    for node in as_list(root.get("figures")):
        entry = Mapping(node, {"id", "value", "unit", "meaning", "citation"}, {"qualifier"})
        figure_id = entry.text("id")
        if any(f.id == figure_id for f in figures):
            raise entry.get("id").error(f"figure id '{figure_id}' is used twice")
        figures.append(
            Figure(
                id=figure_id,
                value=parse_node(entry.get("value"), _parse_decimal),
                unit=entry.choice("unit", ("percent", "count")),
                meaning=entry.text("meaning"),
                citation=entry.text("citation"),
                qualifier=entry.optional_text("qualifier"),
            )
        )
    ids = {f.id for f in figures}
    emphasis_map = root.sub("emphasis", set(AUDIENCES))
    emphasis: dict[str, tuple[str, ...]] = {}
    for audience in AUDIENCES:
        for node in as_list(emphasis_map.get(audience)):
            if as_text(node) not in ids:
                raise node.error(f"no figure with id '{node.value}'", hint="use an id from 'figures'")
        emphasis[audience] = tuple(emphasis_map.texts(audience))
    return SourceData(
        study=Study(
            publisher=study.text("publisher"),
            title=study.text("title"),
            published=study.date("published"),
            url=_url(study.get("url")),
            citation_short=study.text("citation_short"),
            citation_full=study.text("citation_full"),
        ),
        figures=tuple(figures),
        emphasis=emphasis,
        file=path,
    )


def _parse_decimal(text: str) -> Decimal:
    if not re.fullmatch(r"\d+(\.\d+)?", text.strip()):
        raise ValueError(f"'{text}' is not a plain number; write digits only, e.g. 96 or 2000")
    return Decimal(text.strip())


def load_materials(path: Path, source: SourceData) -> Materials:
    root = Mapping(
        load_yaml(path),
        {"language", "labels", "purposes", "figures", "key_finding", "warning_signs", "audiences"},
    )
    lang = root.sub(
        "language",
        {"code", "name", "native_name", "direction", "numbers", "status"},
        {"reviewer", "reviewed"},
    )
    status = lang.choice("status", STATUSES)
    if status == "reviewed" and not (lang.has("reviewer") and lang.has("reviewed")):
        raise lang.node.error(
            "a reviewed translation needs 'reviewer' and 'reviewed' (date)",
            hint="add both, or set status: draft",
        )
    code = lang.text("code")
    if code != path.stem:
        raise lang.get("code").error(
            f"language code '{code}' does not match the file name '{path.name}'",
            hint=f"rename the file to {code}.yaml or fix the code",
        )
    locale = _babel_locale(code, lang.get("code"))
    numbers = lang.choice("numbers", _numbering_systems(locale))

    label_names = set(Labels.__dataclass_fields__)
    labels_map = root.sub("labels", label_names)
    _require_placeholders(labels_map, "qr_caption", {"name"})
    _require_placeholders(labels_map, "source", {"citation"})
    _require_placeholders(labels_map, "contacts_checked", {"date"})
    labels = Labels(**{name: labels_map.text(name) for name in label_names})

    purposes_map = root.sub("purposes", set(PURPOSES))
    figure_map = root.sub("figures", {f.id for f in source.figures})
    figures: dict[str, FigureText] = {}
    for figure in source.figures:
        entry = figure_map.sub(figure.id, {"caption"}, {"display"})
        if entry.has("display"):
            _require_placeholders(entry, "display", {"value"})
        figures[figure.id] = FigureText(
            caption=entry.text("caption"), display=entry.text("display", "{value}")
        )

    audiences_map = root.sub("audiences", set(AUDIENCES))
    audiences: dict[str, AudienceText] = {}
    for audience in AUDIENCES:
        entry = audiences_map.sub(
            audience,
            {"description", "headline", "subheadline", "tips_heading", "tips", "call_to_action"},
        )
        audiences[audience] = AudienceText(
            description=entry.text("description"),
            headline=entry.text("headline"),
            subheadline=entry.text("subheadline"),
            tips_heading=entry.text("tips_heading"),
            tips=tuple(entry.texts("tips")),
            call_to_action=entry.text("call_to_action"),
        )
    return Materials(
        language=Language(
            code=code,
            name=lang.text("name"),
            native_name=lang.text("native_name"),
            direction=lang.choice("direction", ("ltr", "rtl")),
            numbers=numbers,
            status=status,
            reviewer=lang.optional_text("reviewer"),
            reviewed=lang.date("reviewed") if lang.has("reviewed") else None,
        ),
        labels=labels,
        purposes={p: purposes_map.text(p) for p in PURPOSES},
        figures=figures,
        key_finding=root.text("key_finding"),
        warning_signs=tuple(root.texts("warning_signs")),
        audiences=audiences,
        file=path,
    )


def _require_placeholders(mapping: Mapping, name: str, expected: set[str]) -> None:
    node = mapping.get(name)
    found = set(_PLACEHOLDER.findall(as_text(node)))
    if found != expected:
        want = ", ".join("{" + p + "}" for p in sorted(expected))
        raise node.error(f"placeholders must be exactly {want}", hint="keep the {name} parts as in English")


def _numbering_systems(locale: Locale) -> tuple[str, ...]:
    """Latin digits, or the locale's own digits as CLDR records them (e.g. beng for Bengali)."""
    own = [locale.default_numbering_system, *dict(locale.other_numbering_systems).values()]
    return tuple(dict.fromkeys(["latn", *own]))


def _babel_locale(code: str, node: Node) -> Locale:
    try:
        return Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        raise node.error(
            f"'{code}' is not a known locale code", hint="use a code such as en, fr, pt-BR"
        ) from None


def load_region(path: Path) -> Region:
    root = Mapping(load_yaml(path), {"region", "contacts"})
    region = root.sub("region", {"code", "name", "locale", "qr_contact"})
    code = region.text("code")
    if code != path.stem:
        raise region.get("code").error(
            f"region code '{code}' does not match the file name '{path.name}'",
            hint=f"rename the file to {code}.yaml or fix the code",
        )
    contacts: list[ContactEntry] = []
    for node in as_list(root.get("contacts")):
        entry = Mapping(
            node,
            {"id", "name", "purpose", "source", "verified"},
            {"phone", "url", "display_url", "hours", "audiences"},
        )
        if not (entry.has("phone") or entry.has("url")):
            raise node.error("a contact needs a 'phone' or a 'url' (or both)")
        contact_id = entry.text("id")
        if any(c.id == contact_id for c in contacts):
            raise entry.get("id").error(f"contact id '{contact_id}' is used twice")
        audiences = tuple(entry.texts("audiences")) if entry.has("audiences") else AUDIENCES
        for audience_node in as_list(entry.get("audiences")) if entry.has("audiences") else []:
            if as_text(audience_node) not in AUDIENCES:
                raise audience_node.error(
                    f"unknown audience '{audience_node.value}'", hint="use " + " or ".join(AUDIENCES)
                )
        contacts.append(
            ContactEntry(
                id=contact_id,
                name=entry.text("name"),
                purpose=entry.choice("purpose", PURPOSES),
                phone=_phone(entry.get("phone")) if entry.has("phone") else None,
                url=_url(entry.get("url")) if entry.has("url") else None,
                display_url=entry.optional_text("display_url"),
                hours=entry.optional_text("hours"),
                audiences=audiences,
                source=_url(entry.get("source")),
                verified=entry.date("verified"),
                line=node.line,
            )
        )
    qr_node = region.get("qr_contact")
    qr_contact = as_text(qr_node)
    target = next((c for c in contacts if c.id == qr_contact), None)
    if target is None or target.url is None:
        raise qr_node.error(
            f"'{qr_contact}' is not the id of a contact with a url", hint="name the main reporting contact"
        )
    return Region(
        code=code,
        name=region.text("name"),
        locale=region.text("locale"),
        qr_contact=qr_contact,
        contacts=tuple(contacts),
        file=path,
    )


def _url(node: Node) -> str:
    value = as_text(node).strip()
    if not _URL.match(value):
        raise node.error(f"'{value}' is not a web address", hint="write it in full, starting with https://")
    return value


def _phone(node: Node) -> str:
    value = as_text(node).strip()
    if not _PHONE.match(value):
        raise node.error(f"'{value}' is not a phone number", hint="digits, spaces and dashes, e.g. 0800 1111")
    return value


# --- building one Content ---------------------------------------------------------------------


def build_content(
    source: SourceData, materials: Materials, region: Region, audience: str, today: dt.date
) -> tuple[Content, list[Diagnostic]]:
    """One language x audience x region, with warnings about draft translations and old contacts."""
    diagnostics = _status_diagnostics(materials, region, today)
    numbers = NumberStyle(materials.language.code, materials.language.numbers)
    text = materials.audiences[audience].localised(numbers.digits)
    labels = materials.labels.localised(numbers.digits)
    statistics = {f.id: _statistic(f, materials, numbers) for f in source.figures}
    key_ids = source.emphasis[audience]
    contacts = tuple(
        Contact(
            name=c.name,
            purpose=numbers.digits(materials.purposes[c.purpose]),
            phone=c.phone,
            address=c.display_url or (_short_url(c.url) if c.url else None),
        )
        for c in region.contacts
        if audience in c.audiences
    )
    qr = next(c for c in region.contacts if c.id == region.qr_contact)
    assert qr.url is not None
    checked = max(c.verified for c in region.contacts)
    return (
        Content(
            language=materials.language.code,
            direction=materials.language.direction,
            audience=audience,
            region=region.code,
            kicker=labels.kicker,
            headline=text.headline,
            subheadline=text.subheadline,
            key_finding=numbers.digits(materials.key_finding),
            figures_heading=labels.figures_heading,
            key_figures=tuple(statistics[i] for i in key_ids),
            more_figures_heading=labels.more_figures_heading,
            more_figures=tuple(s for i, s in statistics.items() if i not in key_ids),
            tips_heading=text.tips_heading,
            tips=text.tips,
            warning_signs=tuple(numbers.digits(sign) for sign in materials.warning_signs),
            call_to_action=text.call_to_action,
            contacts_heading=labels.contacts_heading,
            contacts=contacts,
            qr_url=qr.url,
            qr_caption=labels.qr_caption.format(name=qr.name),
            source_line=labels.source.format(citation=source.study.citation_short),
            contacts_checked=labels.contacts_checked.format(date=numbers.month(checked)),
            date=checked,
            title=text.headline,
            subject=f"{source.study.citation_full} {text.description}.",
            keywords=(
                "child protection",
                "online safety",
                "live streaming",
                "IWF 2018",
                audience,
                region.code,
            ),
        ),
        diagnostics,
    )


class NumberStyle:
    """How one language prints numbers and dates: CLDR rules through ICU, in the digits the file chose.

    ICU rather than Babel, because Babel keeps Latin digits whatever the numbering system. The calendar is
    Gregorian everywhere, so a printed date matches the verified dates in the region files.
    """

    def __init__(self, language: str, numbers: str) -> None:
        self._locale = f"{language}@calendar=gregorian;numbers={numbers}"
        zero_to_nine = [self.number(Decimal(n)) for n in range(10)]
        self._digits = str.maketrans("0123456789", "".join(zero_to_nine))

    def _format(self, pattern: str, value: object) -> str:
        return _message_format(pattern, self._locale).format({"v": value})

    def number(self, value: Decimal) -> str:
        return self._format("{v, number}", int(value) if value == value.to_integral() else float(value))

    def percent(self, value: Decimal) -> str:
        return self._format("{v, number, percent}", float(value / 100))

    def month(self, date: dt.date) -> str:
        return self._format("{v, date, ::MMMMy}", dt.datetime(date.year, date.month, date.day))

    def digits(self, text: str) -> str:
        """The same text with 0-9 written in this style's digits (translators type ASCII digits)."""
        return text.translate(self._digits)


@functools.lru_cache(maxsize=256)
def _message_format(pattern: str, locale: str) -> MessageFormat:
    return MessageFormat(pattern, locale)


def _statistic(figure: Figure, materials: Materials, numbers: NumberStyle) -> Statistic:
    value = numbers.percent(figure.value) if figure.unit == "percent" else numbers.number(figure.value)
    text = materials.figures[figure.id]
    display = numbers.digits(text.display).format(value=value)
    return Statistic(figure.id, display, numbers.digits(text.caption), figure.citation)


def _short_url(url: str) -> str:
    return url.removeprefix("https://").removeprefix("www.").rstrip("/")


def _status_diagnostics(materials: Materials, region: Region, today: dt.date) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    if materials.language.status == "draft":
        found.append(
            Diagnostic(
                Severity.WARNING,
                "translation-draft",
                f"the {materials.language.name} translation is a draft: have a native speaker review it",
                file=materials.file,
                key="language.status",
            )
        )
    for contact in region.contacts:
        age = (today - contact.verified).days
        if age > CONTACT_MAX_AGE_DAYS:
            found.append(
                Diagnostic(
                    Severity.WARNING,
                    "contact-stale",
                    f"'{contact.name}' was last verified on {contact.verified.isoformat()}, "
                    f"{age // 30} months ago",
                    file=region.file,
                    line=contact.line,
                    key=f"contacts.{contact.id}.verified",
                    hint=f"check it against {contact.source} and update 'verified'",
                )
            )
        if contact.verified > today:
            raise user_error(
                f"'{contact.name}' has a verified date in the future ({contact.verified.isoformat()})",
                file=region.file,
                line=contact.line,
                key=f"contacts.{contact.id}.verified",
            )
    return found
