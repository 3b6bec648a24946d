"""The whole chain, read first: load → compose → lay out text → render → write."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec
from msgspec.structs import replace

from .compose.document import (
    Disc,
    Document,
    Fill,
    GlyphRun,
    LaidOutDocument,
    LaidOutPage,
    QrCode,
    ScreenColours,
    TextFrame,
)
from .compose.office import office_pages, office_sheet
from .compose.panels import panel_pages
from .compose.place import compose
from .compose.structure import in_reading_order
from .diagnostics import AwareprintError, Diagnostic, Severity, user_error
from .load.content import Content, build_content, load_source
from .load.folders import Folder, Folders
from .load.materials import ENGLISH, Materials, load_english, load_language, load_materials
from .load.organisation import Organisation, load_organisation
from .load.regions import Region, load_region
from .load.templates import Brand, Template, extends_chain, load_template
from .quiet import repr_without
from .render.colour import as_printed_rgb
from .render.output import write_atomic
from .render.pdfx import DEFAULT_PROFILE, STANDARDS, OutputProfile, custom_profile, finishing
from .text import layout_frames
from .text.fonts import FontManifest, load_manifest

if TYPE_CHECKING:
    from .render.images import Logo

AUTHOR = "awareprint (content: IWF 2018 study and sourced safety advice)"


class Edition(msgspec.Struct, frozen=True):
    """One way out of the pipeline: what its file is called."""

    extension: str
    suffix: str  # after the name's stem: poster-a3-en-gb-parents-screen.pdf


EDITIONS = {
    "print": Edition(".pdf", ""),  # PDF/X with CMYK, bleed and crop marks, for the print shop
    "screen": Edition(".pdf", "-screen"),  # tagged PDF/UA-1 at trim size with links, for e-mail and websites
    "office": Edition(".pdf", "-office"),  # the A4 or Letter sheet, 5 mm inside its edge, for office printers
    "html": Edition(".html", ""),  # one accessible web page that loads nothing else, for websites
    "social": Edition(".png", ""),  # with a social template: the PNG, a JPEG beside it and its alt text
}


def fits(template_kind: str, edition: str) -> bool:
    """Social designs are made only as social images, and social images only from social designs."""
    return (template_kind == "social") == (edition == "social")


_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")  # a language, region or template: a file name, never a path


class PosterRequest(msgspec.Struct, frozen=True):
    language: str
    region: str
    audience: str
    template: str | Path  # a template's name, or (from the command line) a template file
    output: Path | None  # None: only the bytes (PosterResult.pdf), nothing written
    allow_overflow: bool = False
    today: dt.date | None = None
    logo: Path | None = None  # overrides the organisation's logo
    # org.yaml (name, safeguarding lead, contact lines, logo, colour), or one row of an organisations file
    organisation: Path | Organisation | None = None
    edition: str = "print"  # one of EDITIONS
    ink: str = "normal"  # the office edition: "light" outlines the panels on white paper, for inkjets
    standard: str = "x4"  # PDF/X flavour of the print edition: "x4" or "x1a"
    profile: Path | None = None  # the print shop's CMYK profile [default: FOGRA39]
    require_reviewed: bool = False  # refuse a translation a native speaker has not fully reviewed
    require_complete: bool = False  # refuse a translation that leaves strings in English
    allow_stale: bool = False  # print contacts whose newest source is older than 24 months (still reported)

    @property
    def tolerated(self) -> set[str]:
        """Codes of the errors the user chose to print anyway: they are reported, but make the file."""
        return tolerated_codes(self.allow_overflow, self.allow_stale)


def tolerated_codes(allow_overflow: bool, allow_stale: bool) -> set[str]:
    chosen = {"overflow": allow_overflow, "contact-stale": allow_stale}
    return {code for code, allowed in chosen.items() if allowed}


class PosterResult(msgspec.Struct, frozen=True):
    output: Path | None
    pages: int
    diagnostics: tuple[Diagnostic, ...]
    pdf: bytes = b""  # what was written (the PDF, or the edition's file)
    # files that go beside it, by suffix: a social image's JPEG and its alt text (.jpg, .txt)
    beside: tuple[tuple[str, bytes], ...] = ()

    def __repr__(self) -> str:
        return repr_without(self, "pdf", "beside")

    def write(self, output: Path) -> None:
        """The file and those beside it, each atomically (temp file, then rename)."""
        write_atomic(output, self.pdf)
        for suffix, data in self.beside:
            write_atomic(output.with_suffix(suffix), data)


def make_poster(request: PosterRequest, folders: Folders | None = None) -> PosterResult:
    folders = folders or Folders()
    source = load_source(folders.materials / "source.yaml")
    existing(folders.materials, request.language, "language")
    materials = load_language(folders.materials, request.language, source.figure_ids)
    if request.require_complete:
        require_complete(materials)
    if request.require_reviewed:
        require_reviewed(materials)
    region = load_region(existing(folders.regions, request.region, "region"))
    organisation = request.organisation
    if isinstance(organisation, Path):
        organisation = load_organisation(organisation)
    brand = None
    if organisation and organisation.colour:
        brand = Brand(organisation.colour, organisation.file, organisation.colour_line)
    template_path = template_file(folders, request.template)
    template = load_template(template_path, brand)
    if not fits(template.kind, request.edition):
        raise _mismatch(template, request.edition)
    manifest = load_manifest(*folders.font_manifests())
    logo_path = request.logo or (organisation.logo if organisation else None)
    if logo_path and request.edition in ("screen", "html") and isinstance(organisation, Organisation):
        require_logo_alt(organisation)
    logo = None
    if logo_path:
        from .render.images import open_logo  # Pillow (about 10 ms to import): only for a logo

        logo = open_logo(logo_path)
    profile = custom_profile(request.profile) if request.profile else DEFAULT_PROFILE
    screen = request.edition != "print"  # sRGB, links
    social = request.edition == "social"

    today = request.today or dt.date.today()
    content, diagnostics = build_content(source, materials, region, request.audience, today, organisation)
    if brand and template.brand_colour is None:
        diagnostics.append(_colour_unused(template, brand))
    read = [
        source.file,
        folders.materials / "en.yaml",
        materials.file,
        region.file,
        *extends_chain(template_path),
    ]
    fonts = [Path(face.path) for family in manifest.families for face in family.faces.values()]
    overlay = folders.used_from_overlay([*read, *fonts])
    if overlay is not None:
        diagnostics.append(overlay)

    beside: tuple[tuple[str, bytes], ...] = ()
    if request.edition == "html":  # a browser lays the text out: composed, not measured
        document, found = compose(template, content, AUTHOR, logo, profile.path, screen=True)
        diagnostics += found
        _stop_at_errors(diagnostics, request)
        from .render.html import render_html  # here, as each edition's renderer: a poster never needs it

        data, pages = render_html(document, profile.path), 1
    else:
        document, laid_out, found = lay_out(
            template, content, manifest, logo, profile, screen, office(request, region)
        )
        diagnostics += found
        _stop_at_errors(diagnostics, request)
        if request.edition == "screen":  # read on a screen: a leaflet's panels as pages, in reading order
            rtl = content.direction == "rtl"
            laid_out = replace(laid_out, pages=panel_pages(laid_out.pages, template, rtl))
        from .render.pdf import render_pdf  # here: reportlab is for making a PDF, not for `check`

        pdfx = None if screen else finishing(profile, STANDARDS[request.standard])
        data = render_pdf(laid_out, manifest.primary.faces["regular"].path, pdfx)
        pages = len(laid_out.pages)
        if social:
            from .render.raster import alt_text, rasterise

            images = rasterise(data)
            data = images.png
            beside = ((".jpg", images.jpeg), (".txt", alt_text(document).encode("utf-8")))
    result = PosterResult(request.output, pages, tuple(diagnostics), data, beside)
    if request.output is not None:
        result.write(request.output)
    return result


def _mismatch(template: Template, edition: str) -> AwareprintError:
    if template.kind == "social":
        return user_error(
            f"template '{template.name}' is a social image: make it with --edition social",
            file=template.file,
        )
    return user_error(
        f"the social edition needs a social template, and '{template.name}' is a {template.kind}",
        hint="choose social-square, social-portrait or social-link (see `awareprint templates`)",
    )


def _stop_at_errors(diagnostics: list[Diagnostic], request: PosterRequest) -> None:
    """Nothing is written while an error the user did not choose to tolerate stands."""
    blocking = [d for d in diagnostics if d.severity is Severity.ERROR and d.code not in request.tolerated]
    if blocking:
        raise _first_error(blocking)


def office(request: PosterRequest, region: Region) -> Office | None:
    """The office edition's settings (its sheet follows from the template), or None for the others."""
    if request.edition != "office":
        return None
    return Office(region.country, request.ink == "light")


def file_name(template: str, language: str, region: str, audience: str, edition: str, ink: str) -> str:
    """The default name of a file: each edition's suffix and extension from its table, and light ink."""
    light = "-light" if ink == "light" else ""
    chosen = EDITIONS[edition]
    return f"{template}-{language}-{region}-{audience}{chosen.suffix}{light}{chosen.extension}"


def check_print_settings(editions: Iterable[str], standard: str | None, profile: Path | None) -> None:
    """A PDF/X flavour and a print profile describe the print edition: asked for with other editions
    alone, they would be ignored without a word. (`x4` is the default, so naming it is never refused.)"""
    if "print" not in editions and (profile is not None or standard not in (None, "x4")):
        others = " or ".join(dict.fromkeys(editions))
        raise user_error(
            f"--profile and --pdfx are for the print edition, not the {others} edition",
            hint="leave them out, or make the print edition too",
        )


def require_complete(materials: Materials) -> None:
    """`--require-complete`: a translation with English left in it is not printed (English itself is)."""
    if materials.missing:
        name, code, count = materials.language.name, materials.language.code, len(materials.missing)
        raise user_error(
            f"--require-complete: {count} string{'' if count == 1 else 's'} of the {name} translation "
            f"would print in English (e.g. '{materials.missing[0]}'); nothing was written",
            code="translation-incomplete",
            file=materials.file,
            hint=f"translate them (awareprint strings export --lang {code}, then strings import), "
            "or leave out --require-complete to print them in English",
        )


def require_logo_alt(organisation: Organisation) -> None:
    """The screen edition is read aloud: a logo needs words for what it shows, or to be called decoration.
    (A logo given alone, with --logo and no organisation, is decoration: there is no name to read.)"""
    if organisation.logo_alt or organisation.logo_decorative:
        return
    spreadsheet = organisation.file.suffix.lower() == ".csv"  # a row of `batch --orgs`: columns, not keys
    raise user_error(
        "the screen and HTML editions need words for the logo, for readers who cannot see it",
        file=organisation.file,
        key="logo_alt" if spreadsheet else "organisation.logo_alt",
        hint="add a logo_alt column with what the logo shows (e.g. 'Riverside Primary School crest'), or a "
        "logo_decorative column with true if the name beside it says it all"
        if spreadsheet
        else "add logo_alt: with what the logo shows (e.g. 'Riverside Primary School crest'), "
        "or logo_decorative: true if the name beside it says it all",
    )


def require_reviewed(materials: Materials) -> None:
    """`--require-reviewed`: only English, or a translation with every string reviewed, may be printed."""
    status = materials.review_status
    if not status.complete:
        code = materials.language.code
        raise user_error(
            f"--require-reviewed: the {materials.language.name} translation is "
            f"{'a draft' if status.reviewed == 0 else status.label}, not reviewed; nothing was written",
            file=materials.file,
            hint=f"have a native speaker review it (awareprint strings review --lang {code}) "
            "and record it with `awareprint strings approve`",
        )


def lay_out(
    template: Template,
    content: Content,
    manifest: FontManifest,
    logo: Logo | None = None,
    profile: OutputProfile = DEFAULT_PROFILE,
    screen: bool = False,
    on_sheet: Office | None = None,
) -> tuple[Document, LaidOutDocument, list[Diagnostic]]:
    """Everything but the PDF: what `check` runs to find text that does not fit or has no glyphs; the
    composed document too (the social edition's alt text is read from it). `on_sheet`: the office
    edition, placed on its sheet (and in light ink if asked)."""
    document, diagnostics = compose(template, content, AUTHOR, logo, profile.path, screen)
    pages = []
    for page in document.pages:
        frames = [box for box in page.boxes if isinstance(box, TextFrame)]
        text_items, _, found = layout_frames(frames, manifest)
        diagnostics += found
        slots = tuple((frame.name, tuple(p.text for p in frame.paragraphs)) for frame in frames)
        pages.append(LaidOutPage(tuple(in_reading_order(page.boxes, text_items)), page.folds, slots))
    sheet = None
    if on_sheet is not None:
        sheet = office_sheet(document.geometry, on_sheet.country, len(pages))
        pages = list(office_pages(tuple(pages), document.geometry, on_sheet.light_ink))
    colours = None
    if screen:
        painted = (GlyphRun, Disc, Fill, QrCode)
        used = [item.colour for page in pages for item in page.items if isinstance(item, painted)]
        used += [
            item.outline
            for page in pages
            for item in page.items
            if isinstance(item, (Fill, Disc)) and item.outline is not None
        ]
        colours = ScreenColours(as_printed_rgb(used, profile.path))
    laid_out = LaidOutDocument(document.geometry, tuple(pages), document.metadata, colours, sheet)
    return document, laid_out, diagnostics


class Office(msgspec.Struct, frozen=True):
    country: str | None  # the region's: its offices' paper (A4 or Letter)
    light_ink: bool


class Translation(msgspec.Struct, frozen=True):
    """A language file with the English it translates: what the translator commands work on."""

    path: Path
    figure_ids: tuple[str, ...]
    english: Materials
    materials: Materials


def load_translation(folders: Folders, code: str) -> Translation:
    if code == ENGLISH:
        raise user_error(
            "English is the source, not a translation", hint="edit materials/en.yaml itself, then run check"
        )
    source = load_source(folders.materials / "source.yaml")
    path = existing(folders.materials, code, "language")
    english = load_english(folders.materials, source.figure_ids)
    return Translation(path, source.figure_ids, english, load_materials(path, source.figure_ids, english))


def template_file(folders: Folders, template: str | Path) -> Path:
    """A template by name (built-in or in the data folder), or a file the caller named on purpose."""
    if isinstance(template, Path):
        if not template.is_file():
            raise user_error("template file not found", file=template, hint="check the name and the folder")
        return template
    return existing(folders.templates, template, "template")


def existing(folder: Folder, name: str, what: str) -> Path:
    path = folder / f"{name}.yaml"
    if not _NAME.fullmatch(name) or not path.is_file():
        known = sorted(
            p.stem for p in folder.glob("*.yaml") if p.stem != "source" and not p.name.startswith("_")
        )
        raise user_error(
            f"unknown {what} '{name}'", hint="choose one of: " + ", ".join(known) if known else None
        )
    return path


def _colour_unused(template: Template, brand: Brand) -> Diagnostic:
    return Diagnostic(
        Severity.INFO,
        "organisation-left-off",
        f"template '{template.name}' has no brand colour for the organisation's colour to replace; left off",
        file=brand.file,
        line=brand.line,
        key="organisation.colour",
        hint="give the template a brand_colour, or choose another template",
    )


def _first_error(errors: list[Diagnostic]) -> AwareprintError:
    """The first error is the one to fix; the count says how many follow."""
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return AwareprintError(replace(errors[0], message=errors[0].message + more))
