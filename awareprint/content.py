"""materials/, regions/ → Content: every string of one language x audience x region, ready to place.

Numbers are formatted here (CLDR through ICU), so later stages never touch a figure's value.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from babel import localedata
from icu4py.messageformat import MessageFormat

from .diagnostics import Diagnostic, Severity, user_error
from .materials import AUDIENCES, PURPOSES, Materials
from .organisation import Organisation
from .schema import Mapping, Node, as_list, as_text, load_yaml, parse_node

CONTACT_MAX_AGE_DAYS = 365
_PHONE = re.compile(r"^\+?[0-9A-Z][0-9A-Z ()\-.]{1,30}[0-9A-Z]$|^[0-9]{3,6}$")
_URL = re.compile(r"^https://[A-Za-z0-9.-]+\.[A-Za-z]{2,}(/[^\s]*)?$")
_REGION_LOCALE = re.compile(r"^[a-z]{2,3}(?:_([A-Z]{2}))?$")  # en_US: the country is US; int writes `en`


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

    @property
    def figure_ids(self) -> tuple[str, ...]:
        return tuple(f.id for f in self.figures)

    def figure(self, figure_id: str) -> Figure:
        return next(f for f in self.figures if f.id == figure_id)


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

    @property
    def country(self) -> str | None:
        """The country of `locale` (US of en_US): numbers are written as its readers expect."""
        match = _REGION_LOCALE.match(self.locale)
        return match.group(1) if match else None


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
    emergency: bool = False  # never left off a page that has too little room for every contact


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
    warning_signs_heading: str
    warning_signs_note: str
    warning_signs: tuple[str, ...]
    disclosure_heading: str
    disclosure: tuple[str, ...]
    found_images_heading: str
    found_images: tuple[str, ...]
    categories_heading: str
    categories_intro: str
    categories: tuple[str, ...]
    call_to_action: str
    contacts_heading: str
    contacts: tuple[Contact, ...]
    qr_url: str
    qr_caption: str
    source_line: str
    contacts_checked: str
    organisation_name: str | None  # from --org: printed as written, in any script
    organisation_lines: tuple[str, ...]  # the safeguarding lead, then the organisation's contact lines
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
    if not _REGION_LOCALE.match(region.text("locale")):
        raise region.get("locale").error(
            f"'{region.text('locale')}' is not a locale",
            hint="a language and the country, e.g. en_US, or the language alone (en) for no country",
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
    source: SourceData,
    materials: Materials,
    region: Region,
    audience: str,
    today: dt.date,
    organisation: Organisation | None = None,
) -> tuple[Content, list[Diagnostic]]:
    """One language x audience x region, with warnings about draft translations and old contacts."""
    diagnostics = _status_diagnostics(materials, region, today)
    numbers = NumberStyle(number_locale(materials.language.code, region), materials.language.numbers)
    materials = materials.localised(numbers.digits)
    text = materials.audiences[audience]
    labels = materials.labels
    statistics = {f.id: _statistic(f, materials, numbers) for f in source.figures}
    key_ids = source.emphasis[audience]
    contacts = tuple(
        Contact(
            name=c.name,
            purpose=materials.purposes[c.purpose],
            emergency=c.purpose == "emergency",
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
            key_finding=materials.key_finding,
            figures_heading=labels.figures_heading,
            key_figures=tuple(statistics[i] for i in key_ids),
            more_figures_heading=labels.more_figures_heading,
            more_figures=tuple(s for i, s in statistics.items() if i not in key_ids),
            tips_heading=text.tips_heading,
            tips=text.tips,
            warning_signs_heading=labels.warning_signs_heading,
            warning_signs_note=labels.warning_signs_note,
            warning_signs=materials.lists["warning_signs"],
            disclosure_heading=labels.disclosure_heading,
            disclosure=materials.lists["disclosure"],
            found_images_heading=labels.found_images_heading,
            found_images=materials.lists["found_images"],
            categories_heading=labels.categories_heading,
            categories_intro=labels.categories_intro,
            categories=materials.lists["categories"],
            call_to_action=text.call_to_action,
            contacts_heading=labels.contacts_heading,
            contacts=contacts,
            qr_url=qr.url,
            qr_caption=labels.qr_caption.format(name=qr.name),
            source_line=labels.source.format(citation=source.study.citation_short),
            contacts_checked=labels.contacts_checked.format(date=numbers.month(checked)),
            organisation_name=organisation.name if organisation else None,
            organisation_lines=_organisation_lines(organisation, labels.organisation_lead),
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


def _organisation_lines(organisation: Organisation | None, lead_label: str) -> tuple[str, ...]:
    if organisation is None:
        return ()
    lead = (lead_label.format(name=organisation.lead),) if organisation.lead else ()
    return lead + organisation.contact_lines


@functools.lru_cache(maxsize=256)
def _has_locale(name: str) -> bool:
    return localedata.exists(name)


def number_locale(language: str, region: Region) -> str:
    """The CLDR locale numbers and dates are written in: the language as read in the region's country.

    Spanish for readers in the US or Mexico is es_US or es_MX ("2,000", "96%"), not Spain's es ("2.000",
    "96 %"). Only where CLDR has that variant (Babel's copy of CLDR tells); otherwise, and for a region
    without a country (`int`), the language alone: ICU would otherwise fall back to the root locale.
    """
    if region.country:
        variant = f"{language.replace('-', '_')}_{region.country}"
        if _has_locale(variant):
            return variant
    return language


class NumberStyle:
    """How one locale (a language, or a language in a country: `number_locale`) prints numbers and dates:
    CLDR rules through ICU, in the digits the language file chose.

    ICU rather than Babel, because Babel keeps Latin digits whatever the numbering system. The calendar is
    Gregorian everywhere, so a printed date matches the verified dates in the region files.
    """

    def __init__(self, locale: str, numbers: str) -> None:
        self._locale = f"{locale}@calendar=gregorian;numbers={numbers}"
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
    return Statistic(figure.id, text.display.format(value=value), text.caption, figure.citation)


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
    name = materials.language.name
    if materials.missing:
        found.append(
            Diagnostic(
                Severity.WARNING,
                "translation-missing",
                f"{len(materials.missing)} strings are missing from the {name} translation; "
                "they are printed in English",
                file=materials.file,
                key=materials.missing[0],
                hint="translate them (awareprint strings export) or accept English",
            )
        )
    if materials.stale:
        found.append(
            Diagnostic(
                Severity.WARNING,
                "translation-stale",
                f"{len(materials.stale)} strings of the {name} translation translate an older English text",
                file=materials.file,
                line=materials.lines[materials.stale[0]],
                key=materials.stale[0],
                hint=f"see `awareprint check --lang {materials.language.code}`",
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
