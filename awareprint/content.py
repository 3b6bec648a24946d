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

from icu4py.messageformat import MessageFormat

from .diagnostics import Diagnostic, Severity, user_error
from .materials import AUDIENCES, DEFAULT_LEAD_LABEL, LEAD_LABELS, PURPOSES, Materials
from .organisation import ORGANISATION_ITSELF, Organisation, Wording
from .schema import Mapping, as_list, as_text, load_yaml, parse_node, phone_number, web_address

CONTACT_MAX_AGE_DAYS = 365
CONTACT_SEPARATOR = "\u2002\u00b7\u2002"  # en space, middle dot, en space: between a contact's details


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
    lead_label: str = DEFAULT_LEAD_LABEL  # a LEAD_LABELS id: what an organisation's lead is called here


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
    source_line: str  # the short citation, beside every figure
    source_full: str  # the full reference, on leaflets
    contacts_checked: str
    organisation_name: str | None  # from --org: printed as written, in any script
    organisation_lead: str | None  # "Designated safeguarding lead: Ms A. Khan", in the language
    organisation_lines: tuple[str, ...]  # the organisation's contact lines, as written
    organisation_file: Path | None  # where what the organisation gave came from, for notes about it
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
            url=web_address(study.get("url")),
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
    region = root.sub("region", {"code", "name", "locale", "qr_contact"}, {"lead_label"})
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
                phone=phone_number(entry.get("phone")) if entry.has("phone") else None,
                url=web_address(entry.get("url")) if entry.has("url") else None,
                display_url=entry.optional_text("display_url"),
                hours=entry.optional_text("hours"),
                audiences=audiences,
                source=web_address(entry.get("source")),
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
        lead_label=region.choice("lead_label", LEAD_LABELS, DEFAULT_LEAD_LABEL),
    )


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
    numbers = NumberStyle(materials.language.code, materials.language.numbers)
    materials = materials.localised(numbers.digits)
    text = materials.audiences[audience]
    labels = materials.labels
    statistics = {f.id: _statistic(f, materials, numbers) for f in source.figures}
    key_ids = source.emphasis[audience]
    region_contacts = tuple(
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
    own, notes = _organisation_contacts(organisation, materials, today)
    diagnostics += notes
    # the emergency number first, then the organisation's own contacts, then the region's others
    contacts = (
        (*[c for c in region_contacts if c.emergency], *own, *[c for c in region_contacts if not c.emergency])
        if own
        else region_contacts
    )
    qr = next(c for c in region.contacts if c.id == region.qr_contact)
    assert qr.url is not None
    checked = max(c.verified for c in (*region.contacts, *(organisation.contacts if organisation else ())))
    lead, notes = _organisation_lead(organisation, materials, region)
    diagnostics += notes
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
            source_full=labels.source.format(citation=source.study.citation_full),
            contacts_checked=labels.contacts_checked.format(date=numbers.month(checked)),
            organisation_name=organisation.name if organisation else None,
            organisation_lead=lead,
            organisation_lines=organisation.contact_lines if organisation else (),
            organisation_file=organisation.file if organisation else None,
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


def _organisation_lead(
    organisation: Organisation | None, materials: Materials, region: Region
) -> tuple[str | None, list[Diagnostic]]:
    """ "Principal: Mr J. Smith": the organisation's own title for its lead, else the region's usual one."""
    if organisation is None or organisation.lead is None:
        return None, []
    chosen = organisation.lead_label
    if not isinstance(chosen, Wording):
        label = materials.lead_labels[chosen or region.lead_label]
        return materials.labels.organisation_lead.format(label=label, name=organisation.lead), []
    label, notes = _in_language(chosen, materials, organisation.file)
    return materials.labels.organisation_lead.format(label=label, name=organisation.lead), notes


def _in_language(wording: Wording, materials: Materials, file: Path) -> tuple[str, list[Diagnostic]]:
    """The organisation's words in this language, or as first written, with a note saying so."""
    text = wording.text_for(materials.language.code)
    if text is not None:
        return text, []
    note = Diagnostic(
        Severity.INFO,
        "organisation-untranslated",
        f"'{wording.key}' has no {materials.language.name} text; printed as first written:"
        f" '{wording.fallback}'",
        file=file,
        line=wording.line,
        key=wording.key,
        hint=f"add '{materials.language.code}: ...' to it",
    )
    return wording.fallback, [note]


def _organisation_contacts(
    organisation: Organisation | None, materials: Materials, today: dt.date
) -> tuple[tuple[Contact, ...], list[Diagnostic]]:
    """The organisation's own contacts as the page prints contacts, with notes and old-date warnings."""
    if organisation is None:
        return (), []
    contacts: list[Contact] = []
    found: list[Diagnostic] = []
    for index, own in enumerate(organisation.contacts):
        caption, notes = _in_language(own.caption, materials, organisation.file)
        found += notes
        address = CONTACT_SEPARATOR.join(
            a for a in (_short_url(own.url) if own.url else None, own.email) if a
        )
        contacts.append(Contact(caption, own.hours or "", own.phone, address or None))
        key = f"organisation.contacts[{index}].verified"
        if own.verified > today:
            raise user_error(
                f"'{caption}' has a verified date in the future ({own.verified.isoformat()})",
                file=organisation.file,
                line=own.line,
                key=key,
            )
        age = (today - own.verified).days
        if age > CONTACT_MAX_AGE_DAYS:
            against = "your own records" if own.source == ORGANISATION_ITSELF else own.source
            found.append(
                Diagnostic(
                    Severity.WARNING,
                    "contact-stale",
                    f"'{caption}' was last verified on {own.verified.isoformat()}, {age // 30} months ago",
                    file=organisation.file,
                    line=own.line,
                    key=key,
                    hint=f"check it against {against} and update 'verified'",
                )
            )
    return tuple(contacts), found


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
    return Statistic(figure.id, text.display.format(value=value), text.caption, figure.citation)


def _short_url(url: str) -> str:
    return url.removeprefix("https://").removeprefix("www.").rstrip("/")


def review_diagnostic(materials: Materials) -> Diagnostic | None:
    """`French translation: partly reviewed (41 of 120 strings)`: a warning until every string has a
    current review by a native speaker; None for English and a fully reviewed translation."""
    status = materials.review_status
    if status.complete:
        return None
    language = materials.language
    message = f"{language.name} translation: {status.label}"
    if status.reviewed == 0:
        message += ", not yet reviewed by a native speaker"
    if status.outdated:
        message += f"; {status.outdated} reviews no longer match their text"
    return Diagnostic(
        Severity.WARNING,
        "translation-draft",
        message,
        file=materials.file,
        key="reviews",
        hint=f"have a native speaker read `awareprint strings review --lang {language.code}`, "
        "then record it with `awareprint strings approve`",
    )


def _status_diagnostics(materials: Materials, region: Region, today: dt.date) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    review = review_diagnostic(materials)
    if review:
        found.append(review)
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
