"""regions/*.yaml → Region: the reporting and help contacts of one country, each with its sources.

A contact's verified date is not written by hand: it is the date of its newest source. A source is a page
with its own date (`date:`, the page's publication or update date) or an undated page kept current by its
owner (`read:`, when its stored copy was read). Dates may be a year, a month or a day; a year counts as its
January, so a year-only page never looks newer than it is. Every region has an emergency contact for every
audience: it is what "if a child is in danger now, call the emergency number" points at.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import msgspec
from msgspec.structs import replace

from awareprint.diagnostics import Diagnostic, Severity

from .materials import AUDIENCES, DEFAULT_LEAD_LABEL, LEAD_LABELS, PURPOSES
from .remembered import remembered
from .schema import (
    Mapping,
    Node,
    as_list,
    as_text,
    email_address,
    load_yaml,
    parse_node,
    phone_number,
    web_address,
)

WARN_AFTER_MONTHS = 12  # a contact whose newest source is older than this is worth re-checking
STALE_AFTER_MONTHS = 24  # ...older than this is not printed without --allow-stale
VARIANT_FIELDS = ("name", "url", "display_url")  # what a language variant may change
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")
_REGION_LOCALE = re.compile(r"^[a-z]{2,3}(?:_([A-Z]{2}))?$")  # en_US: the country is US; int writes `en`
_SOURCE_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


class SourceDate(msgspec.Struct, frozen=True, order=True):
    """A date as precise as the page gives it: `2025` (a year), `2025-06` (a month) or `2025-06-14`."""

    date: dt.date  # a year counts as 1 January, a month as its first day
    text: str  # as written

    @property
    def month(self) -> str:
        """What a person is shown: the month (`2025-06`), or the year alone when only the year is known."""
        return self.text[:7]

    @property
    def precise_to_day(self) -> bool:
        return len(self.text) == 10


class Source(msgspec.Struct, frozen=True):
    url: str
    date: SourceDate
    read: bool  # True: an undated page, dated by when its stored copy was read; False: the page's own date
    line: int


class Variant(msgspec.Struct, frozen=True):
    """The contact as readers of one language know it: Cyberaide.ca for Cybertip.ca in French."""

    name: str | None
    url: str | None
    display_url: str | None


class ContactEntry(msgspec.Struct, frozen=True):
    id: str
    caption: str  # id of a string in the language files' contact_captions
    name: str | None  # a proper name (printed as written); none where the caption says it all (112)
    purpose: str  # orders the contacts and picks the emergency number; never printed
    phone: str | None
    url: str | None
    display_url: str | None
    email: str | None
    hours: str | None  # as found, in English: for the people who check the contacts, not printed
    audiences: tuple[str, ...]
    sources: tuple[Source, ...]
    variants: dict[str, Variant]  # language code -> what differs for readers of that language
    line: int

    @property
    def verified(self) -> SourceDate:
        """The date of the newest source: how recent the evidence for this contact is."""
        return max(source.date for source in self.sources)

    def in_language(self, language: str) -> ContactEntry:
        """This contact as readers of `language` know it (the same contact when it has no variant)."""
        variant = self.variants.get(language)
        if variant is None:
            return self
        return _with_variant(self, variant)


class Region(msgspec.Struct, frozen=True):
    code: str
    name: str
    locale: str
    qr_contact: str
    contacts: tuple[ContactEntry, ...]
    file: Path
    lead_label: str = DEFAULT_LEAD_LABEL  # a LEAD_LABELS id: what an organisation's lead is called here

    @property
    def country(self) -> str | None:
        """The country of `locale` (US of en_US): numbers are written as its readers expect."""
        match = _REGION_LOCALE.match(self.locale)
        return match.group(1) if match else None

    @property
    def oldest(self) -> SourceDate:
        return min(contact.verified for contact in self.contacts)

    @property
    def newest(self) -> SourceDate:
        return max(contact.verified for contact in self.contacts)


def _with_variant(contact: ContactEntry, variant: Variant) -> ContactEntry:
    changes = {name: getattr(variant, name) for name in VARIANT_FIELDS if getattr(variant, name) is not None}
    if "url" in changes and "display_url" not in changes:
        changes["display_url"] = None  # a display text belongs to the address it shortens
    return replace(contact, **changes)


# --- loading ----------------------------------------------------------------------------------


@remembered(maxsize=64)
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
        contact = _contact(node)
        if any(c.id == contact.id for c in contacts):
            raise node.error(f"contact id '{contact.id}' is used twice", hint="give each contact its own id")
        contacts.append(contact)
    for audience in AUDIENCES:
        if not any(c.purpose == "emergency" and audience in c.audiences for c in contacts):
            raise root.get("contacts").error(
                f"no emergency contact for {audience}: every poster must say whom to call if a child is in "
                "danger now",
                hint="add a contact with purpose: emergency (and caption: emergency), with its source",
            )
    if not _REGION_LOCALE.match(region.text("locale")):
        raise region.get("locale").error(
            f"'{region.text('locale')}' is not a locale",
            hint="a language and the country, e.g. en_US, or the language alone (en) for no country",
        )
    qr_node = region.get("qr_contact")
    qr_contact = as_text(qr_node)
    target = next((c for c in contacts if c.id == qr_contact), None)
    if target is None or target.url is None or target.name is None:
        raise qr_node.error(
            f"'{qr_contact}' is not the id of a contact with a name and a url",
            hint="name the main reporting contact",
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


_CONTACT_KEYS = (
    "id",
    "caption",
    "purpose",
    "sources",
    "name",
    "phone",
    "url",
    "display_url",
    "email",
    "hours",
    "audiences",
    "languages",
)


def _contact(node: Node) -> ContactEntry:
    entry = Mapping(node, set(_CONTACT_KEYS[:4]), set(_CONTACT_KEYS[4:]))
    if not any(entry.has(key) for key in ("phone", "url", "email")):
        raise node.error("a contact needs a 'phone', a 'url' or an 'email'")
    audiences: tuple[str, ...] = AUDIENCES
    if entry.has("audiences"):
        for audience_node in as_list(entry.get("audiences")):
            if as_text(audience_node) not in AUDIENCES:
                raise audience_node.error(
                    f"unknown audience '{audience_node.value}'", hint="use " + " or ".join(AUDIENCES)
                )
        audiences = tuple(entry.texts("audiences"))
    sources = tuple(_source(item) for item in as_list(entry.get("sources")))
    if not sources:
        raise entry.get("sources").error(
            "a contact needs at least one source", hint="add '- {url: https://…, date: YYYY-MM}'"
        )
    return ContactEntry(
        id=entry.text("id"),
        caption=entry.text("caption"),
        name=entry.optional_text("name"),
        purpose=entry.choice("purpose", PURPOSES),
        phone=phone_number(entry.get("phone")) if entry.has("phone") else None,
        url=web_address(entry.get("url")) if entry.has("url") else None,
        display_url=entry.optional_text("display_url"),
        email=email_address(entry.get("email")) if entry.has("email") else None,
        hours=entry.optional_text("hours"),
        audiences=audiences,
        sources=sources,
        variants=_variants(entry.get("languages")) if entry.has("languages") else {},
        line=node.line,
    )


def _source(node: Node) -> Source:
    entry = Mapping(node, {"url"}, {"date", "read"})
    if entry.has("date") == entry.has("read"):
        raise node.error(
            "a source needs either 'date' (the page's own date) or 'read' (when an undated page was read)",
            hint="write e.g. {url: https://…, date: 2025-06} or {url: https://…, read: 2026-11}",
        )
    kind = "date" if entry.has("date") else "read"
    return Source(
        url=web_address(entry.get("url")),
        date=parse_node(entry.get(kind), parse_source_date),
        read=kind == "read",
        line=node.line,
    )


def _variants(node: Node) -> dict[str, Variant]:
    if not isinstance(node.value, dict):
        raise node.error(f"expected a mapping of language codes, got {node.kind}", hint="e.g. fr: {name: …}")
    variants = {}
    for language, child in node.value.items():
        if not _LANGUAGE.match(language):
            raise child.error(f"'{language}' is not a language code", hint="use a code such as fr or pt-BR")
        fields = Mapping(child, set(), set(VARIANT_FIELDS))
        if not fields.fields:
            raise child.error("an empty language variant", hint="give name, url or display_url, or remove it")
        variants[language] = Variant(
            name=fields.optional_text("name"),
            url=web_address(fields.get("url")) if fields.has("url") else None,
            display_url=fields.optional_text("display_url"),
        )
    return variants


def parse_source_date(text: str) -> SourceDate:
    match = _SOURCE_DATE.match(text.strip())
    try:
        if match is None:
            raise ValueError
        year, month, day = (int(part) if part else 1 for part in match.groups())
        return SourceDate(dt.date(year, month, day), text.strip())
    except ValueError:
        raise ValueError(f"'{text}' is not a date; write YYYY-MM (or YYYY, or YYYY-MM-DD)") from None


# --- how old the evidence is ------------------------------------------------------------------


def months_old(date: SourceDate, today: dt.date) -> int:
    """Whole months from the source date to today (a date given to the day counts its day)."""
    months = (today.year - date.date.year) * 12 + today.month - date.date.month
    if date.precise_to_day and today.day < date.date.day:
        months -= 1
    return months


def staleness(date: SourceDate, today: dt.date) -> str:
    """`ok`, `warn` (older than 12 months: re-check it) or `stale` (older than 24: not printed as it is)."""
    age = months_old(date, today)
    if age > STALE_AFTER_MONTHS:
        return "stale"
    return "warn" if age > WARN_AFTER_MONTHS else "ok"


def contact_findings(region: Region, today: dt.date, audience: str | None = None) -> list[Diagnostic]:
    """A warning for each contact past 12 months, an error past 24 or dated in the future.

    `audience` limits it to the contacts that audience's materials print.
    """
    found = []
    for contact in region.contacts:
        if audience is not None and audience not in contact.audiences:
            continue
        finding = dated_finding(
            contact.name or contact.id,
            contact.verified,
            today,
            {"file": region.file, "line": contact.line, "key": f"contacts.{contact.id}.sources"},
            dated_as="its newest source is from",
            future_as="a source dated",
            future_hint="correct the source's date: the page's own date, or the month you read it",
            recheck_hint=f"check it against {_newest_url(contact)}, then add the page you checked to "
            "'sources'",
            stale_hint="find a newer source and add it to 'sources', or remove the contact; "
            "--allow-stale prints it anyway",
        )
        if finding is not None:
            found.append(finding)
    return found


def dated_finding(
    label: str,
    verified: SourceDate,
    today: dt.date,
    where: dict[str, Any],
    *,
    dated_as: str,
    future_as: str,
    future_hint: str,
    recheck_hint: str,
    stale_hint: str,
) -> Diagnostic | None:
    """The one rule for every contact's date, the region's and an organisation's own: an error in the
    future, a warning past 12 months (`contact-old`), an error past 24 (`contact-stale`), else None."""
    if verified.date > today:
        message = f"'{label}' has {future_as} in the future ({verified.text})"
        return Diagnostic(Severity.ERROR, "contact-future", message, hint=future_hint, **where)
    state = staleness(verified, today)
    if state == "ok":
        return None
    return Diagnostic(
        Severity.WARNING if state == "warn" else Severity.ERROR,
        "contact-old" if state == "warn" else "contact-stale",
        f"'{label}': {dated_as} {verified.month}, {months_old(verified, today)} months ago",
        hint=recheck_hint if state == "warn" else stale_hint,
        **where,
    )


def _newest_url(contact: ContactEntry) -> str:
    return max(contact.sources, key=lambda source: source.date).url


# --- what `regions` shows ---------------------------------------------------------------------


def region_summary(region: Region, today: dt.date) -> dict[str, object]:
    oldest = region.oldest
    return {
        "code": region.code,
        "name": region.name,
        "contact_count": len(region.contacts),
        "oldest_verified": oldest.month,
        "status": staleness(oldest, today),
    }


def region_details(region: Region, today: dt.date) -> dict[str, object]:
    """Everything a practice manager checks before printing, contact by contact."""
    return {
        **region_summary(region, today),
        "locale": region.locale,
        "qr_contact": region.qr_contact,
        "contacts": [
            {
                "id": c.id,
                "caption": c.caption,
                "name": c.name,
                "purpose": c.purpose,
                "phone": c.phone,
                "url": c.url,
                "display_url": c.display_url,
                "email": c.email,
                "hours": c.hours,
                "audiences": list(c.audiences),
                "languages": {
                    code: {k: getattr(v, k) for k in VARIANT_FIELDS if getattr(v, k)}
                    for code, v in c.variants.items()
                },
                "sources": [{"url": s.url, ("read" if s.read else "date"): s.date.text} for s in c.sources],
                "verified": c.verified.month,
                "status": staleness(c.verified, today),
            }
            for c in region.contacts
        ],
    }


def summary_line(summary: dict[str, object]) -> str:
    return (
        f"{summary['code']:<4} {summary['name']}: {summary['contact_count']} contacts, "
        f"oldest checked {summary['oldest_verified']} ({summary['status']})"
    )


def detail_lines(details: dict[str, object], captions: dict[str, str]) -> list[str]:
    """`regions XX` as text: a block per contact, its caption in English as printed on English posters."""
    lines = [summary_line(details), f"  QR code: {details['qr_contact']}"]
    for contact in details["contacts"]:  # type: ignore[attr-defined]
        caption = captions.get(contact["caption"], f"(unknown caption '{contact['caption']}')")
        lines.append("")
        lines.append(f"  {contact['id']}: {caption}")
        if contact["name"]:
            lines.append(f"    name:      {contact['name']}")
        for key in ("phone", "url", "email", "hours"):
            if contact[key]:
                lines.append(f"    {key + ':':<10} {contact[key]}")
        for code, variant in contact["languages"].items():
            lines.append(f"    in {code + ':':<7} " + ", ".join(f"{k} {v}" for k, v in variant.items()))
        lines.append(f"    for:       {', '.join(contact['audiences'])}")
        for source in contact["sources"]:
            when = f"dated {source['date']}" if "date" in source else f"read {source['read']}"
            lines.append(f"    source:    {source['url']} ({when})")
        lines.append(f"    verified:  {contact['verified']} ({contact['status']})")
    return lines
