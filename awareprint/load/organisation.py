"""org.yaml → Organisation: the school, clinic or charity whose name, lead and contacts go on the page.

Names, lines and captions are printed as written, in any script: the text layout stage shapes them like
any other string. The lead's title is the organisation's to set (`lead_label`): one of the titles every
language file translates (`lead_labels`), or the organisation's own words, in one language or several;
without one, the region's usual title is printed. An organisation may add a few contacts of its own
(`contacts`), dated and sourced like a region's.

`organisation_from_node` builds an Organisation from any already-parsed mapping (a row of a spreadsheet
through `schema.plain_node`), so files and rows share this one schema.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import msgspec

from awareprint.diagnostics import Diagnostic, Severity
from awareprint.units import Cmyk

from .materials import LEAD_LABELS
from .regions import SourceDate, parse_source_date
from .schema import (
    Mapping,
    Node,
    as_list,
    as_path,
    as_text,
    email_address,
    load_yaml,
    parse_node,
    phone_number,
    web_address,
)
from .text_input import BIDI_WHY, PRINTED, bidi_controls, describe

MAX_CONTACT_LINES = 4  # as many as the roomiest template shows; a template with fewer says what it left off
MAX_CONTACTS = 4  # an organisation's own contacts: they share the template's budget with the region's
ORGANISATION_ITSELF = "organisation"  # a contact's `source` when the organisation itself vouches for it
ORGANISATION_KEYS = (
    "safeguarding_lead",
    "lead_label",
    "contact",
    "contacts",
    "logo",
    "logo_alt",
    "logo_decorative",
    "colour",
)
CONTACT_KEYS = {"phone", "url", "email", "hours"}
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2,8})?$")
_LABEL_ID = re.compile(r"^[a-z]+(_[a-z]+)+$|^[a-z]+$")


class Wording(msgspec.Struct, frozen=True):
    """Words the organisation wrote: one text for every language (language ""), or one per language.

    The first text is the one printed in a language the organisation gave none for (with a note).
    """

    texts: tuple[tuple[str, str], ...]  # (language code or "", text)
    key: str  # where it was written, for notes: "organisation.lead_label"
    line: int

    def text_for(self, language: str) -> str | None:
        """The text for `language`, or None when the organisation translated it but not into that one."""
        found = dict(self.texts)
        return found.get(language, found.get(""))

    @property
    def fallback(self) -> str:
        return self.texts[0][1]


class OrganisationContact(msgspec.Struct, frozen=True):
    """One of the organisation's own contacts: the council's children's services, the school's own line."""

    caption: Wording  # printed where a region's contact prints its name
    phone: str | None
    url: str | None
    email: str | None
    hours: Wording | None  # printed under the number, like a region contact's caption
    source: str  # the page it was checked against, or ORGANISATION_ITSELF
    verified: SourceDate  # as precise as written: 2026-11, or 2026-11-28
    line: int


class Organisation(msgspec.Struct, frozen=True):
    name: str
    lead: str | None  # the lead's name
    lead_label: str | Wording | None  # a LEAD_LABELS id, or the organisation's own words; None: the region's
    contact_lines: tuple[str, ...]  # phone, e-mail, room: as the organisation writes them
    logo: Path | None  # resolved against the org file's folder
    colour: Cmyk | None  # brand colour: replaces the template's brand colour
    file: Path
    colour_line: int | None  # where the colour was written, for errors about it
    contacts: tuple[OrganisationContact, ...] = ()
    notes: tuple[Diagnostic, ...] = ()  # warnings about what it wrote: a bidi control that can reverse a name
    # what the logo shows, for a screen reader; or logo_decorative: true, when the name beside it says it all
    logo_alt: str | None = None
    logo_decorative: bool = False


# The keys of an organisation, in org.yaml and as the columns of an organisations file (batch --orgs);
# `contacts` (a list of mappings) can only be written in YAML
REQUIRED_KEYS = frozenset({"name"})
OPTIONAL_KEYS = frozenset(ORGANISATION_KEYS)
LIST_KEYS = frozenset({"contact", "colour"})  # a list in YAML; cells separated by | in a spreadsheet


def load_organisation(path: Path, *, confined: bool = False) -> Organisation:
    root = Mapping(load_yaml(path), {"organisation"})
    return organisation_from_mapping(root.get("organisation"), path.parent, confined=confined)


def organisation_from_mapping(node: Node, base_folder: Path, *, confined: bool = False) -> Organisation:
    """One organisation from its mapping, wherever it was written: org.yaml, or one row of a list.

    Errors name the node's file, line and key; the logo is relative to `base_folder`, and `confined` keeps
    it inside that folder: a file shared with the user (a batch file's organisation, a row of an
    organisations file) cannot have the batch embed whatever image it names elsewhere on the disk.
    """
    org = Mapping(node, set(REQUIRED_KEYS), set(OPTIONAL_KEYS))
    lines: tuple[str, ...] = ()
    if org.has("contact"):
        lines = tuple(org.texts("contact", PRINTED))
        if len(lines) > MAX_CONTACT_LINES:
            raise org.get("contact").error(
                f"{len(lines)} contact lines; the roomiest template has room for {MAX_CONTACT_LINES}",
                hint="keep the lines a parent needs: a phone number, an e-mail address",
            )
        if any(not line for line in lines):
            raise org.get("contact").error("a contact line is empty", hint="remove the empty line")
    name = org.text("name", field=PRINTED)
    if not name:
        raise org.get("name").error("the organisation's name is empty")
    logo = None
    if org.has("logo"):
        logo = as_path(org.get("logo"), base_folder)
        written = org.text("logo").strip()
        if confined and (Path(written).is_absolute() or not logo.is_relative_to(base_folder.resolve())):
            raise org.get("logo").error(
                f"the logo '{written}' points outside the folder of {node.file.name}",
                hint="put the logo in that folder (or one inside it) and give its path relative to the file",
            )
        if not logo.is_file():
            raise org.get("logo").error(
                f"logo file not found: {logo}", hint="give the path relative to the organisation's file"
            )
    contacts = tuple(_contact(item) for item in as_list(org.get("contacts"))) if org.has("contacts") else ()
    if len(contacts) > MAX_CONTACTS:
        raise org.get("contacts").error(
            f"{len(contacts)} contacts of your own; at most {MAX_CONTACTS}",
            hint="keep the ones a parent most needs: they share the poster's room with the national ones",
        )
    return Organisation(
        name=name,
        lead=org.optional_text("safeguarding_lead", PRINTED),
        lead_label=_lead_label(org.get("lead_label")) if org.has("lead_label") else None,
        contact_lines=lines,
        logo=logo,
        colour=org.cmyk("colour") if org.has("colour") else None,
        file=node.file,
        colour_line=org.get("colour").line if org.has("colour") else None,
        contacts=contacts,
        notes=tuple(_bidi_notes(node)),
        logo_alt=org.optional_text("logo_alt", PRINTED),
        logo_decorative=org.choice("logo_decorative", ("true", "false"), "false") == "true",
    )


def _bidi_notes(node: Node) -> list[Diagnostic]:
    """A warning for each bidi control in what the organisation wrote (closed: an open one is refused)."""
    if isinstance(node.value, dict | list):
        children = node.value.values() if isinstance(node.value, dict) else node.value
        return [note for child in children for note in _bidi_notes(child)]
    return [
        Diagnostic(
            Severity.WARNING,
            "bidi-control",
            f"contains {describe(character)} at character {position}: {BIDI_WHY}, and can print it backwards",
            file=node.file,
            line=node.line,
            key=node.key or None,
            hint="delete it unless you mean it: each part is set in its own direction without it",
        )
        for position, character in bidi_controls(node.value)
    ]


def _lead_label(node: Node) -> str | Wording:
    """An id ("principal"), an id in words ("Principal"), or the organisation's own words."""
    if isinstance(node.value, str):
        text = as_text(node, PRINTED)
        as_id = text.casefold().replace(" ", "_")
        if as_id in LEAD_LABELS:
            return as_id
        if _LABEL_ID.match(text):  # looks like an id: a typo of one is likelier than a one-word title
            close = difflib.get_close_matches(text, LEAD_LABELS, n=1)
            raise node.error(
                f"unknown lead label '{text}'",
                hint=f"did you mean '{close[0]}'?"
                if close
                else "use one of: " + ", ".join(LEAD_LABELS) + ", or your own words with a capital",
            )
    return _wording(node)


def _wording(node: Node) -> Wording:
    """Text, or a mapping of language codes to text: `{en: Head of pastoral care, ar: ...}`."""
    if isinstance(node.value, str):
        return Wording((("", as_text(node, PRINTED)),), node.key, node.line)
    if not isinstance(node.value, dict) or not node.value:
        raise node.error(
            f"expected text, or language codes with text ({{en: ..., ar: ...}}), got {node.kind}"
        )
    texts = []
    for code, child in node.value.items():
        if not _LANGUAGE_CODE.match(code):
            raise child.error(f"'{code}' is not a language code", hint="use a code such as en, ar, zh-Hans")
        texts.append((code, as_text(child, PRINTED)))
    return Wording(tuple(texts), node.key, node.line)


def _contact(node: Node) -> OrganisationContact:
    entry = Mapping(node, {"caption", "source", "verified"}, CONTACT_KEYS)
    if not any(entry.has(key) for key in ("phone", "url", "email")):
        raise node.error("a contact needs a 'phone', a 'url' or an 'email' (or more than one)")
    source_node = entry.get("source")
    source = as_text(source_node).strip()
    if source != ORGANISATION_ITSELF:
        if not source.startswith("https://"):
            raise source_node.error(
                f"'{source}' is neither a web address nor '{ORGANISATION_ITSELF}'",
                hint=f"give the page you checked it against, or write '{ORGANISATION_ITSELF}' if it is yours",
            )
        source = web_address(source_node)
    return OrganisationContact(
        caption=_wording(entry.get("caption")),
        phone=phone_number(entry.get("phone")) if entry.has("phone") else None,
        url=web_address(entry.get("url")) if entry.has("url") else None,
        email=email_address(entry.get("email")) if entry.has("email") else None,
        hours=_wording(entry.get("hours")) if entry.has("hours") else None,
        source=source,
        verified=parse_node(entry.get("verified"), parse_source_date),
        line=node.line,
    )
