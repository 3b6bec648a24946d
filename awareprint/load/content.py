"""materials/, regions/ → Content: every string of one language x audience x region, ready to place.

Numbers are formatted here (CLDR through ICU), so later stages never touch a figure's value.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from decimal import Decimal
from pathlib import Path

import msgspec
from babel import localedata
from icu4py.messageformat import MessageFormat

from awareprint.diagnostics import Diagnostic, Severity, user_error

from .materials import AUDIENCES, Materials
from .organisation import ORGANISATION_ITSELF, Organisation, OrganisationContact, Wording
from .regions import (
    ContactEntry,
    Region,
    SourceDate,
    contact_findings,
    dated_finding,
    load_region,
)
from .remembered import remembered
from .schema import Mapping, as_list, as_text, load_yaml, parse_node, web_address

__all__ = ["Contact", "Content", "build_content", "load_region", "load_source"]

CONTACT_SEPARATOR = "\u2002\u00b7\u2002"  # en space, middle dot, en space: between a contact's details


class Study(msgspec.Struct, frozen=True):
    publisher: str
    title: str
    published: dt.date
    url: str
    citation_short: str
    citation_full: str


class Figure(msgspec.Struct, frozen=True):
    id: str
    value: Decimal
    unit: str  # "percent" or "count"
    meaning: str
    citation: str
    qualifier: str | None = None


class SourceData(msgspec.Struct, frozen=True):
    study: Study
    figures: tuple[Figure, ...]
    emphasis: dict[str, tuple[str, ...]]
    file: Path

    @property
    def figure_ids(self) -> tuple[str, ...]:
        return tuple(f.id for f in self.figures)

    def figure(self, figure_id: str) -> Figure:
        return next(f for f in self.figures if f.id == figure_id)


# --- what the later stages receive ------------------------------------------------------------


class Statistic(msgspec.Struct, frozen=True):
    id: str
    number: str  # formatted for the locale: "96%", "96 %", "over 2,000"
    caption: str
    citation: str


class Contact(msgspec.Struct, frozen=True):
    """One contact as printed: from a region pack, or (later) an organisation's own."""

    name: str | None  # a proper name, printed in bold; none where the caption says it all
    caption: str  # what it is for, in the reader's language: "If a child is in danger now"
    phone: str | None
    address: str | None  # the web address as printed
    email: str | None = None
    emergency: bool = False  # never left off a page that has too little room for every contact
    verified: dt.date | None = None  # the date of its newest source; none for contacts without sources
    verified_text: str | None = None  # that date as printed in the language: "November 2026", or "2025"
    written_in: Path | None = None  # an organisation's own contact: the file it was written in
    url: str | None = None  # where `address` leads, in full (links on screen)

    @property
    def title(self) -> str:
        """How a note names it: its name, or its caption when it has none."""
        return self.name or self.caption


class Content(msgspec.Struct, frozen=True):
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
    qr_contact: Contact  # printed as the QR code, so its date counts for "Contacts checked"
    qr_url: str
    qr_caption: str
    source_line: str  # the short citation, beside every figure
    source_full: str  # the full reference, on leaflets
    contacts_checked_label: str  # "Contacts checked {date}": compose fills in the oldest printed contact
    organisation_name: str | None  # from --org: printed as written, in any script
    organisation_lead: str | None  # "Designated safeguarding lead: Ms A. Khan", in the language
    organisation_lines: tuple[str, ...]  # the organisation's contact lines, as written
    organisation_file: Path | None  # where what the organisation gave came from, for notes about it
    date: dt.date  # when the content was last checked: the newest contact verification
    title: str
    subject: str
    keywords: tuple[str, ...]
    logo_alt: str | None = None  # the organisation's words for its logo (None: decorative, or not given)


# --- loading ----------------------------------------------------------------------------------


@remembered(maxsize=4)
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
    diagnostics = _status_diagnostics(materials, region, audience, today)
    numbers = NumberStyle(number_locale(materials.language.code, region), materials.language.numbers)
    if not numbers.ascii_digits:
        materials = materials.localised(numbers.digits)
    text = materials.audiences[audience]
    labels = materials.labels
    statistics = {f.id: _statistic(f, materials, numbers) for f in source.figures}
    key_ids = source.emphasis[audience]
    region_contacts = tuple(
        _contact(c.in_language(materials.language.code), materials, numbers, region)
        for c in region.contacts
        if audience in c.audiences
    )
    own, notes = _organisation_contacts(organisation, materials, numbers, today)
    diagnostics += notes
    # the emergency number first, then the organisation's own contacts, then the region's others
    contacts = (
        (*[c for c in region_contacts if c.emergency], *own, *[c for c in region_contacts if not c.emergency])
        if own
        else region_contacts
    )
    qr_entry = next(c for c in region.contacts if c.id == region.qr_contact).in_language(
        materials.language.code
    )
    qr = _contact(qr_entry, materials, numbers, region)
    assert qr_entry.url is not None
    own_dates = tuple(c.verified.date for c in organisation.contacts) if organisation else ()
    checked = max((region.newest.date, *own_dates))  # the PDF's date: the newest verification
    lead, notes = _organisation_lead(organisation, materials, region)
    diagnostics += notes
    diagnostics += organisation.notes if organisation else ()
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
            qr_contact=qr,
            qr_url=qr_entry.url,
            qr_caption=labels.qr_caption.format(name=qr.name),
            source_line=labels.source.format(citation=source.study.citation_short),
            source_full=labels.source.format(citation=source.study.citation_full),
            contacts_checked_label=labels.contacts_checked,
            organisation_name=organisation.name if organisation else None,
            organisation_lead=lead,
            organisation_lines=organisation.contact_lines if organisation else (),
            organisation_file=organisation.file if organisation else None,
            logo_alt=organisation.logo_alt if organisation else None,
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


def _contact(entry: ContactEntry, materials: Materials, numbers: NumberStyle, region: Region) -> Contact:
    caption = materials.contact_captions.get(entry.caption)
    if caption is None:
        raise user_error(
            f"contact '{entry.id}' names caption '{entry.caption}', which the language files do not have",
            file=region.file,
            line=entry.line,
            key=f"contacts.{entry.id}.caption",
            hint="use an id from contact_captions in materials/en.yaml, or add it there",
        )
    return Contact(
        name=entry.name,
        caption=caption,
        phone=entry.phone,
        address=entry.display_url or (_short_url(entry.url) if entry.url else None),
        email=entry.email,
        emergency=entry.purpose == "emergency",
        verified=entry.verified.date,
        verified_text=numbers.when(entry.verified),
        url=entry.url,
    )


def contacts_checked(content: Content, printed: tuple[Contact, ...]) -> str:
    """ "Contacts checked …" with the oldest verified date among the contacts a document prints."""
    dated = [c for c in printed if c.verified is not None]
    if not dated:
        return ""
    oldest = min(dated, key=lambda c: c.verified or dt.date.max)
    return content.contacts_checked_label.format(date=oldest.verified_text)


def _organisation_lead(
    organisation: Organisation | None, materials: Materials, region: Region
) -> tuple[str | None, list[Diagnostic]]:
    """ "Principal: Mr J. Smith": the organisation's own title for its lead, else the region's usual one."""
    if organisation is None or organisation.lead is None:
        return None, []
    chosen = organisation.lead_label
    if not isinstance(chosen, Wording):
        label = materials.lead_labels[chosen or region.lead_label]
        return materials.labels.organisation_lead.format(label=label, name=_unbroken(organisation.lead)), []
    label, notes = _in_language(chosen, materials, organisation.file)
    return materials.labels.organisation_lead.format(label=label, name=_unbroken(organisation.lead)), notes


def _unbroken(name: str) -> str:
    """A person's name kept on one line ("Ms A. Khan", not "Ms A." and "Khan"): its spaces do not break."""
    return name.replace(" ", "\u00a0")


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
    organisation: Organisation | None, materials: Materials, numbers: NumberStyle, today: dt.date
) -> tuple[tuple[Contact, ...], list[Diagnostic]]:
    """The organisation's own contacts as the page prints contacts, with notes and old-date warnings."""
    if organisation is None:
        return (), []
    contacts: list[Contact] = []
    found: list[Diagnostic] = []
    for index, own in enumerate(organisation.contacts):
        caption, notes = _in_language(own.caption, materials, organisation.file)
        found += notes
        hours = ""
        if own.hours is not None:
            hours, notes = _in_language(own.hours, materials, organisation.file)
            found += notes
        contacts.append(
            Contact(
                name=caption,
                caption=hours,
                phone=own.phone,
                address=_short_url(own.url) if own.url else None,
                email=own.email,
                verified=own.verified.date,
                verified_text=numbers.when(own.verified),
                written_in=organisation.file,
                url=own.url,
            )
        )
        found += _own_contact_findings(
            own, caption, f"organisation.contacts[{index}].verified", organisation, today
        )
    return tuple(contacts), found


def _own_contact_findings(
    own: OrganisationContact, caption: str, key: str, organisation: Organisation, today: dt.date
) -> list[Diagnostic]:
    """A region contact's rules (`dated_finding`), worded for a date the organisation wrote itself."""
    against = "your own records" if own.source == ORGANISATION_ITSELF else own.source
    recheck = f"check it against {against} and update 'verified'"
    finding = dated_finding(
        caption,
        own.verified,
        today,
        {"file": organisation.file, "line": own.line, "key": key},
        dated_as="last verified",
        future_as="a verified date",
        future_hint="write the month you checked it",
        recheck_hint=recheck,
        stale_hint=recheck + "; --allow-stale prints it anyway",
    )
    return [finding] if finding is not None else []


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
        self.ascii_digits = zero_to_nine == list("0123456789")  # nothing to rewrite

    def _format(self, pattern: str, value: float | dt.datetime) -> str:
        return _message_format(pattern, self._locale).format({"v": value})

    def number(self, value: Decimal) -> str:
        return self._format("{v, number}", int(value) if value == value.to_integral() else float(value))

    def percent(self, value: Decimal) -> str:
        return self._format("{v, number, percent}", float(value / 100))

    def month(self, date: dt.date) -> str:
        return self._format("{v, date, ::MMMMy}", dt.datetime(date.year, date.month, date.day))

    def when(self, date: SourceDate) -> str:
        """A source date as precise as it was given: "November 2026", or "2025" for a year alone."""
        if len(date.text) == 4:
            return self._format("{v, date, ::y}", dt.datetime(date.date.year, 1, 1))
        return self.month(date.date)

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


def _status_diagnostics(
    materials: Materials, region: Region, audience: str, today: dt.date
) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    review = review_diagnostic(materials)
    if review is not None:
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
    found += contact_findings(region, today, audience)
    return found
