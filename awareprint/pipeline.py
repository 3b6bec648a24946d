"""The whole chain, read first: load → compose → lay out text → render → write."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from .compose.document import (
    Disc,
    Fill,
    GlyphRun,
    LaidOutDocument,
    LaidOutPage,
    QrCode,
    ScreenColours,
    TextFrame,
)
from .compose.place import compose
from .diagnostics import AwareprintError, Diagnostic, Severity, user_error
from .load.content import Content, build_content, load_source
from .load.folders import Folders
from .load.materials import ENGLISH, Materials, load_english, load_language, load_materials
from .load.organisation import Organisation, load_organisation
from .load.regions import load_region
from .load.templates import Brand, Template, load_template
from .render.colour import as_printed_rgb
from .render.images import Logo, open_logo
from .render.output import write_atomic
from .render.pdfx import DEFAULT_PROFILE, STANDARDS, OutputProfile, custom_profile, to_pdfx
from .text import layout_frames
from .text.fonts import FontManifest, load_manifest

AUTHOR = "awareprint (content: IWF 2018 study and sourced safety advice)"
EDITIONS = ("print", "screen")  # print: PDF/X, CMYK, bleed and marks; screen: sRGB, links, trim size
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")  # a language, region or template: a file name, never a path


@dataclass(frozen=True, slots=True)
class PosterRequest:
    language: str
    region: str
    audience: str
    template: str
    output: Path | None  # None: only the bytes (PosterResult.pdf), nothing written
    allow_overflow: bool = False
    today: dt.date | None = None
    logo: Path | None = None  # overrides the organisation's logo
    # org.yaml (name, safeguarding lead, contact lines, logo, colour), or one row of an organisations file
    organisation: Path | Organisation | None = None
    edition: str = "print"  # "print": PDF/X, CMYK, bleed and marks; "screen": sRGB, links, trim size
    standard: str = "x4"  # PDF/X flavour of the print edition: "x4" or "x1a"
    profile: Path | None = None  # the print shop's CMYK profile [default: FOGRA39]
    require_reviewed: bool = False  # refuse a translation a native speaker has not fully reviewed
    allow_stale: bool = False  # print contacts whose newest source is older than 24 months (still reported)

    @property
    def tolerated(self) -> set[str]:
        """Codes of the errors the user chose to print anyway: they are reported, but make the file."""
        return tolerated_codes(self.allow_overflow, self.allow_stale)


def tolerated_codes(allow_overflow: bool, allow_stale: bool) -> set[str]:
    chosen = {"overflow": allow_overflow, "contact-stale": allow_stale}
    return {code for code, allowed in chosen.items() if allowed}


@dataclass(frozen=True, slots=True)
class PosterResult:
    output: Path | None
    pages: int
    diagnostics: tuple[Diagnostic, ...]
    pdf: bytes = field(default=b"", repr=False)  # what was written: `output` may be replaced later


def make_poster(request: PosterRequest, folders: Folders | None = None) -> PosterResult:
    folders = folders or Folders()
    source = load_source(folders.materials / "source.yaml")
    existing(folders.materials, request.language, "language")
    materials = load_language(folders.materials, request.language, source.figure_ids)
    if request.require_reviewed:
        require_reviewed(materials)
    region = load_region(existing(folders.regions, request.region, "region"))
    organisation = request.organisation
    if isinstance(organisation, Path):
        organisation = load_organisation(organisation)
    brand = None
    if organisation and organisation.colour:
        brand = Brand(organisation.colour, organisation.file, organisation.colour_line)
    template = load_template(existing(folders.templates, request.template, "template"), brand)
    manifest = load_manifest(folders.fonts / "manifest.yaml")
    logo_path = request.logo or (organisation.logo if organisation else None)
    logo = open_logo(logo_path) if logo_path else None
    profile = custom_profile(request.profile) if request.profile else DEFAULT_PROFILE
    screen = request.edition == "screen"

    today = request.today or dt.date.today()
    content, diagnostics = build_content(source, materials, region, request.audience, today, organisation)
    laid_out, found = lay_out(template, content, manifest, logo, profile, screen)
    diagnostics += found
    if brand and template.brand_colour is None:
        diagnostics.append(_colour_unused(template, brand))

    errors = [d for d in diagnostics if d.severity is Severity.ERROR]
    blocking = [d for d in errors if d.code not in request.tolerated]
    if blocking:
        raise _first_error(blocking)
    from .render.pdf import render_pdf  # here: reportlab is for making a PDF, not for `check`

    pdf = render_pdf(laid_out, manifest.primary.faces["regular"].path)
    if not screen:
        pdf = to_pdfx(pdf, profile, STANDARDS[request.standard])
    if request.output is not None:
        write_atomic(request.output, pdf)
    return PosterResult(request.output, len(laid_out.pages), tuple(diagnostics), pdf)


def check_print_settings(editions: Iterable[str], standard: str | None, profile: Path | None) -> None:
    """A PDF/X flavour and a print profile describe the print edition: asked for with the screen edition
    alone, they would be ignored without a word. (`x4` is the default, so naming it is never refused.)"""
    if "print" not in editions and (profile is not None or standard not in (None, "x4")):
        raise user_error(
            "--profile and --pdfx are for the print edition, not the screen edition",
            hint="leave them out, or make the print edition too",
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
) -> tuple[LaidOutDocument, list[Diagnostic]]:
    """Everything but the PDF: what `check` runs to find text that does not fit or has no glyphs."""
    document, diagnostics = compose(template, content, AUTHOR, logo, profile.path, screen)
    pages = []
    for page in document.pages:
        frames = [box for box in page.boxes if isinstance(box, TextFrame)]
        text_items, _, found = layout_frames(frames, manifest)
        diagnostics += found
        shapes = [box for box in page.boxes if not isinstance(box, TextFrame)]
        pages.append(LaidOutPage(tuple(shapes + text_items), page.folds))
    colours = None
    if screen:
        painted = (GlyphRun, Disc, Fill, QrCode)
        used = [item.colour for page in pages for item in page.items if isinstance(item, painted)]
        colours = ScreenColours(as_printed_rgb(used, profile.path))
    return LaidOutDocument(document.geometry, tuple(pages), document.metadata, colours), diagnostics


@dataclass(frozen=True, slots=True)
class Translation:
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


def existing(folder: Path, name: str, what: str) -> Path:
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
