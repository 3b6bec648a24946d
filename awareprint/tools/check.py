"""`awareprint check`: everything that keeps the content true, in one pass over all of it.

Loading a file already refuses what is malformed; this adds what only shows across files: translations
missing strings or made from an older English, drafts, contacts whose evidence is old (a warning past
12 months, an error past 24), unknown contact captions, and text that
will not fit its slot (or has no glyph) in some template, found by laying the posters out without
rendering them. Each finding is a Diagnostic, so the CLI prints it as one line or as JSON.
"""

from __future__ import annotations

import atexit
import datetime as dt
import functools
import shutil
import tempfile
from pathlib import Path

import msgspec
from msgspec.structs import replace
from PIL import Image

from awareprint.diagnostics import AwareprintError, Diagnostic, Severity
from awareprint.load.content import SourceData, build_content, load_source, review_diagnostic
from awareprint.load.folders import Folders
from awareprint.load.materials import (
    AUDIENCES,
    ENGLISH,
    Materials,
    language_codes,
    load_english,
    load_materials,
)
from awareprint.load.organisation import ORGANISATION_ITSELF, Organisation, OrganisationContact, Wording
from awareprint.load.regions import Region, SourceDate, contact_findings, load_region
from awareprint.load.templates import Template, list_templates, load_template
from awareprint.pipeline import lay_out
from awareprint.render.images import Logo, open_logo
from awareprint.text.fonts import FontManifest, load_manifest
from awareprint.text.layout import Overflow, overflow_of

from .fidelity import Qualifiers, fidelity_findings, load_qualifiers

# a typical organisation, so its block (with a wide logo beside the name, the lead under the region's
# title, two contact lines) and one contact of its own are checked for fit like the rest
SAMPLE_ORGANISATION = Organisation(
    name="Riverside Community Primary School and Nursery",
    lead="Ms A. Example",
    lead_label=None,
    contact_lines=("020 7946 0000", "safeguarding@riverside.example.org"),
    logo=None,
    colour=None,
    file=Path("sample-org.yaml"),
    colour_line=None,
    contacts=(
        OrganisationContact(
            caption=Wording((("", "Riverside Council children's services"),), "caption", 0),
            phone="020 7946 0999",
            url=None,
            email=None,
            hours=Wording((("", "Mon-Fri 9-17"),), "hours", 0),
            source=ORGANISATION_ITSELF,
            verified=SourceDate(dt.date(2026, 1, 1), "2026-01"),  # its date never reaches a finding here
            line=0,
        ),
    ),
)
SAMPLE_LOGO_PIXELS = (900, 300)  # wide: the most room a logo takes from the name beside it


class CheckScope(msgspec.Struct, frozen=True):
    languages: tuple[str, ...] = ()  # none: every language
    fit_region: str = "gb"  # the contacts every language is laid out with
    fit: bool = True
    all_regions: bool = False  # every language with every region's contacts (slow: thousands of layouts)


DEFAULT_SCOPE = CheckScope()  # a module constant: ruff's B008 takes a Struct's call for a mutable default


class CheckReport(msgspec.Struct, frozen=True):
    diagnostics: tuple[Diagnostic, ...]
    languages: int
    regions: int
    templates: int
    layouts: int

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity is severity)


def run_check(folders: Folders, today: dt.date, scope: CheckScope = DEFAULT_SCOPE) -> CheckReport:
    found: list[Diagnostic] = []
    try:
        source = load_source(folders.materials / "source.yaml")
        english = load_english(folders.materials, source.figure_ids)
    except AwareprintError as error:  # nothing else can be checked without the source and the English
        return CheckReport((error.diagnostic,), 0, 0, 0, 0)

    languages = {ENGLISH: english}
    figure_values = {f.id: int(f.value) for f in source.figures if f.value == f.value.to_integral()}
    figure_qualifiers = {f.id: f.qualifier for f in source.figures if f.qualifier}
    try:
        qualifiers = load_qualifiers(
            folders.materials, set(figure_qualifiers.values()), set(language_codes(folders.materials))
        )
    except AwareprintError as error:
        found.append(error.diagnostic)
        qualifiers = Qualifiers({}, None)  # no wording confirmed
    found += fidelity_findings(english, english, figure_values)
    for code in scope.languages or language_codes(folders.materials)[1:]:
        if code == ENGLISH:
            continue
        path = folders.materials / f"{code}.yaml"
        if not path.is_file():
            found.append(Diagnostic(Severity.ERROR, "unknown-language", f"no language file {code}.yaml"))
            continue
        faults: list[Diagnostic] = []
        try:
            languages[code] = load_materials(path, source.figure_ids, english, faults)
        except AwareprintError as error:
            found.append(error.diagnostic)
        found += faults
        if code in languages:
            found += _translation_findings(languages[code], english)
            found += fidelity_findings(languages[code], english, figure_values, figure_qualifiers, qualifiers)

    regions = {}
    for path in sorted(folders.regions.glob("*.yaml")):
        try:
            regions[path.stem] = load_region(path)
        except AwareprintError as error:
            found.append(error.diagnostic)
    for region in regions.values():
        found += _contact_findings(
            region, today, english, set(languages) | set(language_codes(folders.materials))
        )

    templates = []
    for path in list_templates(folders.templates):
        try:
            templates.append(load_template(path))
        except AwareprintError as error:
            found += error.diagnostics

    layouts = 0
    if scope.fit and templates and scope.fit_region in regions:
        manifest = load_manifest(*folders.font_manifests())
        logo = sample_logo()
        chosen = regions.values() if scope.all_regions else [regions[scope.fit_region]]
        combinations = [(m, r) for m in languages.values() for r in chosen]
        if not scope.languages and not scope.all_regions:  # every region's contacts, in English
            combinations += [(english, r) for r in regions.values() if r.code != scope.fit_region]
        for materials, region in combinations:
            for audience in AUDIENCES:
                for template in templates:
                    found += _fit(source, materials, region, audience, template, manifest, today, logo)
                    layouts += 1
    # one fault seen through several files (a design that four others extend) is one finding
    found = summarise_overflows(found, templates)
    return CheckReport(tuple(dict.fromkeys(found)), len(languages), len(regions), len(templates), layouts)


def check_template(path: Path, folders: Folders, today: dt.date) -> CheckReport:
    """One template file, as a designer is writing it: its schema, then its fit in every language."""
    try:
        template = load_template(path)
    except AwareprintError as error:  # every fault of the file at once
        return CheckReport(error.diagnostics, 0, 0, 0, 0)
    source = load_source(folders.materials / "source.yaml")
    english = load_english(folders.materials, source.figure_ids)
    region = load_region(folders.regions / "gb.yaml")
    manifest = load_manifest(*folders.font_manifests())
    logo = sample_logo()
    found: list[Diagnostic] = []
    codes = language_codes(folders.materials)
    for code in codes:
        materials = (
            english
            if code == ENGLISH
            else load_materials(folders.materials / f"{code}.yaml", source.figure_ids, english, [])
        )
        for audience in AUDIENCES:
            found += _fit(source, materials, region, audience, template, manifest, today, logo, extract=True)
    found = summarise_overflows(found, [template])
    return CheckReport(tuple(found), len(codes), 1, 1, len(codes) * len(AUDIENCES))


@functools.cache
def sample_logo() -> Logo:
    """A wide sample logo, so the fit check leaves the room a real logo takes."""
    folder = tempfile.mkdtemp(prefix="awareprint-check-")
    atexit.register(shutil.rmtree, folder, True)
    path = Path(folder) / "sample-logo.png"
    Image.new("RGB", SAMPLE_LOGO_PIXELS, (40, 60, 140)).save(path)
    return open_logo(path)


def _contact_findings(
    region: Region, today: dt.date, english: Materials, languages: set[str]
) -> list[Diagnostic]:
    """Old evidence (warning past 12 months, error past 24), unknown captions and unknown languages."""
    found = contact_findings(region, today)
    for contact in region.contacts:
        if contact.caption not in english.contact_captions:
            found.append(
                Diagnostic(
                    Severity.ERROR,
                    "contact-caption-unknown",
                    f"contact '{contact.id}' names caption '{contact.caption}', which en.yaml does not have",
                    key=f"contacts.{contact.id}.caption",
                    hint="use one of: " + ", ".join(english.contact_captions) + " (or add it to en.yaml)",
                    file=region.file,
                    line=contact.line,
                )
            )
        for code in contact.variants:
            if code not in languages:
                found.append(
                    Diagnostic(
                        Severity.ERROR,
                        "contact-language-unknown",
                        f"contact '{contact.id}' has a variant for '{code}', which is not a language here",
                        key=f"contacts.{contact.id}.languages.{code}",
                        hint="use a code of a file in materials/, e.g. fr",
                        file=region.file,
                        line=contact.line,
                    )
                )
    return found


def _translation_findings(materials: Materials, english: Materials) -> list[Diagnostic]:
    name, file = materials.language.name, materials.file
    found = [
        Diagnostic(
            Severity.WARNING,
            "translation-missing",
            f"not translated into {name}; English is printed",
            file=file,
            key=key,
            hint="translate it (awareprint strings export) or accept English",
        )
        for key in materials.missing
    ]
    code = materials.language.code
    if materials.stale and not materials.translated_from:
        found.append(
            Diagnostic(
                Severity.WARNING,
                "translation-stale",
                "no record of which English the strings translate (no translated_from)",
                file=file,
                hint=f"check them against en.yaml, then run `awareprint strings stamp {code}`",
            )
        )
    elif materials.stale:
        found += [
            Diagnostic(
                Severity.WARNING,
                "translation-stale",
                "the English has changed since this was translated; it now reads: " + english.strings[key],
                file=file,
                line=materials.lines[key],
                key=key,
                hint=f"update the translation, then `awareprint strings stamp {code} {key}`",
            )
            for key in materials.stale
        ]
    review = review_diagnostic(materials)
    if review:
        found.append(review)
    return found


def _fit(
    source: SourceData,
    materials: Materials,
    region: Region,
    audience: str,
    template: Template,
    manifest: FontManifest,
    today: dt.date,
    logo: Logo,
    extract: bool = False,
) -> list[Diagnostic]:
    """Lay one poster out with the sample organisation, and again without one where the design moves
    slots for it; keep the errors (text that does not fit, characters no font has) and, with `extract`,
    render it and report a slot whose text copy and search do not give back."""
    content, _ = build_content(source, materials, region, audience, today, SAMPLE_ORGANISATION)
    documents = [lay_out(template, content, manifest, logo)[1:]]
    if any(page.organisation_rects for page in template.pages):
        plain, _ = build_content(source, materials, region, audience, today)
        documents.append(lay_out(template, plain, manifest)[1:])
    where = f"{template.name}, {materials.language.code}, {audience}, {region.code}"
    found = [
        # a missing font is the language's, the same for every design: one finding, not one per layout
        d
        if d.code == "font-missing"
        else replace(d, message=f"{where}: {d.message}", file=d.file or materials.file)
        for _, diagnostics in documents
        for d in diagnostics
        if d.severity is Severity.ERROR
    ]
    if extract:
        from awareprint.render.pdf import render_pdf  # here: only the extraction check renders

        from .extraction import extraction_findings

        for document, _ in documents:
            pdf = render_pdf(document, manifest.primary.faces["regular"].path)
            found += [replace(d, file=template.file) for d in extraction_findings(document, pdf, where)]
    return found


def summarise_overflows(found: list[Diagnostic], templates: list[Template]) -> list[Diagnostic]:
    """Text that does not fit, as one line per slot of a template (how many languages, the worst three
    and by how much) instead of a line per language, audience and region; other findings as they are.

    Where one language alone overflows, the line names its file (its text is the one to shorten); where
    several do, the template's (the slot is too small)."""
    by_name = {template.name: template for template in templates}
    kept: list[Diagnostic] = []
    slots: dict[tuple[str, str], dict[str, tuple[Overflow, Diagnostic]]] = {}
    for diagnostic in found:
        overflow = overflow_of(diagnostic)
        template = by_name.get(diagnostic.message.split(",", 1)[0])
        if overflow is None or template is None:
            kept.append(diagnostic)
            continue
        # a list or the figures are a frame per item (`tips[3]`): they sum up under their slot
        worst = slots.setdefault((template.name, overflow.slot.split("[")[0]), {})
        if overflow.language not in worst or overflow.mm > worst[overflow.language][0].mm:
            worst[overflow.language] = (overflow, diagnostic)
    for (name, slot), worst in slots.items():
        ranked = sorted(worst.values(), key=lambda pair: -pair[0].mm)
        shown = ", ".join(
            f"{o.language} {o.mm:.1f} mm too {'wide (a word)' if o.too_wide else 'tall'}"
            for o, _ in ranked[:3]
        )
        more = f" and {len(ranked) - 3} more" if len(ranked) > 3 else ""
        count = f"{len(ranked)} language{'' if len(ranked) == 1 else 's'}"
        alone = len(ranked) == 1
        kept.append(
            Diagnostic(
                Severity.ERROR,
                "overflow",
                f"{name}: slot '{slot}' does not fit in {count} even at {ranked[0][0].min_size:g}pt: "
                f"{shown}{more}",
                file=ranked[0][1].file if alone else by_name[name].file,
                key=None if alone else f"slots.{slot}",
                hint=(
                    "shorten the text, or give the slot more room in the template"
                    if alone
                    else "give the slot more rows or columns, or its style a smaller minimum size "
                    "(`templates preview NAME --grid` shows where)"
                ),
            )
        )
    return kept
