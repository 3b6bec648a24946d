"""org.yaml → Organisation: the school, clinic or charity whose name and safeguarding contact go on the page.

Names and contact lines are printed as written, in any script: the text layout stage shapes them like any
other string. The label around the lead's name ("Safeguarding lead: …") comes from the language file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .schema import Mapping, Node, load_yaml
from .units import Cmyk

MAX_CONTACT_LINES = 4


@dataclass(frozen=True, slots=True)
class Organisation:
    name: str
    lead: str | None  # the safeguarding lead's name
    contact_lines: tuple[str, ...]  # phone, e-mail, room: as the organisation writes them
    logo: Path | None  # resolved against the org file's folder
    colour: Cmyk | None  # brand colour: replaces the template's brand colour
    file: Path
    colour_line: int | None  # where the colour was written, for errors about it


# The keys of an organisation, in org.yaml and as the columns of an organisations file (batch --orgs)
REQUIRED_KEYS = frozenset({"name"})
OPTIONAL_KEYS = frozenset({"safeguarding_lead", "contact", "logo", "colour"})
LIST_KEYS = frozenset({"contact", "colour"})  # a list in YAML; cells separated by | in a spreadsheet


def load_organisation(path: Path) -> Organisation:
    root = Mapping(load_yaml(path), {"organisation"})
    return organisation_from_mapping(root.get("organisation"), path.parent)


def organisation_from_mapping(node: Node, base_folder: Path) -> Organisation:
    """One organisation from its mapping, wherever it was written: org.yaml, or one row of a list.

    Errors name the node's file, line and key; the logo is relative to `base_folder`.
    """
    org = Mapping(node, set(REQUIRED_KEYS), set(OPTIONAL_KEYS))
    lines: tuple[str, ...] = ()
    if org.has("contact"):
        lines = tuple(line.strip() for line in org.texts("contact"))
        if len(lines) > MAX_CONTACT_LINES:
            raise org.get("contact").error(
                f"{len(lines)} contact lines; a leaflet has room for {MAX_CONTACT_LINES}",
                hint="keep the lines a parent needs: a phone number, an e-mail address",
            )
        if any(not line for line in lines):
            raise org.get("contact").error("a contact line is empty", hint="remove the empty line")
    name = org.text("name").strip()
    if not name:
        raise org.get("name").error("the organisation's name is empty")
    logo = None
    if org.has("logo"):
        logo = (base_folder / org.text("logo")).resolve()
        if not logo.is_file():
            raise org.get("logo").error(
                f"logo file not found: {logo}", hint="give the path relative to the organisation's file"
            )
    return Organisation(
        name=name,
        lead=org.optional_text("safeguarding_lead"),
        contact_lines=lines,
        logo=logo,
        colour=org.cmyk("colour") if org.has("colour") else None,
        file=node.file,
        colour_line=org.get("colour").line if org.has("colour") else None,
    )
