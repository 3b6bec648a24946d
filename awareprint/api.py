"""The Python API: make one file from data and get its bytes and diagnostics. See docs/api.md.

The CLI's `poster`, the batch and the web app all make a file through `make_file`, so they share one
set of rules. Nothing here reads a path a caller did not give as a Path: an organisation given as a
mapping is checked by the same strict schema as org.yaml, and its logo can only be the bytes passed
in (`FileRequest.logo`), never a file named inside the mapping. An uploaded logo lives in a temporary
folder for the call and is removed, with its decoded copy in memory, before `make_file` returns.
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from collections.abc import Mapping
from pathlib import Path

import msgspec
from msgspec.structs import replace

from .diagnostics import AwareprintError, Diagnostic, user_error
from .load.folders import Folders
from .load.organisation import Organisation, organisation_from_mapping
from .load.schema import plain_node
from .quiet import repr_without

__all__ = [
    "AwareprintError",
    "Catalogue",
    "Diagnostic",
    "FileRequest",
    "MadeFile",
    "catalogue",
    "make_file",
    "page_images",
]

UPLOADED_LOGO = Path("logo")  # how diagnostics name a logo given as bytes (never the temporary path)
ORGANISATION_MAPPING = Path("organisation")  # how diagnostics name an organisation given as a mapping


class FileRequest(msgspec.Struct, frozen=True):
    """One file to make. Names (template, language, region) are checked against the known lists.

    `organisation`: an Organisation, a mapping with the keys of org.yaml's `organisation:` (name,
    safeguarding_lead, lead_label, contact, contacts, colour), or the path of an org.yaml.
    `logo`: the image's bytes (PNG, JPEG, WebP or GIF), or a path; it replaces the organisation's logo.
    """

    template: str | Path = "poster-a3"  # a name; a Path is a template file the caller chose on purpose
    language: str = "en"
    region: str = "gb"
    audience: str = "parents"
    edition: str = "print"  # one of pipeline.EDITIONS
    ink: str = "normal"  # the office edition: "light" for inkjets (white paper, outlined panels)
    organisation: Organisation | Mapping[str, object] | Path | None = None
    logo: bytes | Path | None = None
    standard: str = "x4"  # PDF/X flavour of the print edition: "x4" or "x1a"
    profile: Path | None = None  # the print shop's CMYK profile [default: FOGRA39]
    allow_overflow: bool = False
    allow_stale: bool = False
    require_reviewed: bool = False
    require_complete: bool = False
    today: dt.date | None = None  # the date contacts are judged against [default: today]

    def __repr__(self) -> str:
        return repr_without(self, "logo")

    @property
    def tolerated(self) -> set[str]:
        """Codes of the errors the caller chose to print anyway: reported in `diagnostics`, file made."""
        from .pipeline import tolerated_codes

        return tolerated_codes(self.allow_overflow, self.allow_stale)


class MadeFile(msgspec.Struct, frozen=True):
    """The file's bytes, its page count and what the tool noticed (warnings and notes; tolerated errors)."""

    pdf: bytes  # the edition's file: a PDF, or the HTML page, or the social PNG
    pages: int
    diagnostics: tuple[Diagnostic, ...]
    # files that go beside it, by suffix: a social image's JPEG and alt text (.jpg, .txt)
    beside: tuple[tuple[str, bytes], ...] = ()

    def __repr__(self) -> str:
        return repr_without(self, "pdf", "beside")

    def png_pages(self, width: int = 600) -> tuple[bytes, ...]:
        """Each page as a PNG `width` pixels wide: a preview (the print edition shows its bleed). A social
        image is its own preview; an HTML page has none (preview its screen edition)."""
        if self.pdf.startswith(b"\x89PNG"):
            return (_scaled_png(self.pdf, width),)
        if not self.pdf.startswith(b"%PDF"):
            return ()
        return page_images(self.pdf, width)

    def named(self, name: str) -> tuple[tuple[str, bytes], ...]:
        """The file as `name`, and each file beside it with that name's stem: what a download holds."""
        stem = Path(name)
        return ((name, self.pdf), *((stem.with_suffix(suffix).name, data) for suffix, data in self.beside))


def make_file(request: FileRequest, folders: Folders | None = None, output: Path | None = None) -> MadeFile:
    """Make one file; with `output`, also write it there atomically (temp file, then rename).

    Raises AwareprintError (its `.diagnostic` names the key and the fix) when the file cannot be made:
    an unknown name, bad organisation data, an unusable logo, text that does not fit.
    """
    from .pipeline import EDITIONS, PosterRequest, make_poster

    if request.edition not in EDITIONS:
        known = ", ".join(EDITIONS)
        raise user_error(
            f"unknown edition '{request.edition}'", key="edition", hint=f"choose one of: {known}"
        )
    with tempfile.TemporaryDirectory(prefix="awareprint-") as scratch:
        folder = Path(scratch)
        try:
            logo = request.logo
            if isinstance(logo, bytes):
                logo = folder / UPLOADED_LOGO
                logo.write_bytes(request.logo)  # type: ignore[arg-type]
            poster = PosterRequest(
                request.language,
                request.region,
                request.audience,
                request.template,
                None,
                allow_overflow=request.allow_overflow,
                today=request.today,
                logo=logo,
                organisation=_organisation(request.organisation, folder),
                edition=request.edition,
                ink=request.ink,
                standard=request.standard,
                profile=request.profile,
                require_reviewed=request.require_reviewed,
                require_complete=request.require_complete,
                allow_stale=request.allow_stale,
            )
            result = make_poster(poster, folders)
        except AwareprintError as error:
            first, *more = (_named(d, folder) for d in error.diagnostics)
            raise AwareprintError(first, tuple(more)) from None
        finally:
            if isinstance(request.logo, bytes):
                from .render.images import logo_jpeg  # (Pillow: only for a logo)

                logo_jpeg.cache_clear()  # the uploaded logo's converted pixels go with the call
    if output is not None:
        result.write(output)
    diagnostics = tuple(_named(d, folder) for d in result.diagnostics)
    return MadeFile(result.pdf, result.pages, diagnostics, result.beside)


def _organisation(
    given: Organisation | Mapping[str, object] | Path | None, folder: Path
) -> Organisation | Path | None:
    """A mapping goes through org.yaml's schema; a logo it names must stay inside the call's own folder."""
    if given is None or isinstance(given, Organisation | Path):
        return given
    node = plain_node(dict(given), folder / ORGANISATION_MAPPING, 1)
    return organisation_from_mapping(node, folder, confined=True)


def _named(diagnostic: Diagnostic, folder: Path) -> Diagnostic:
    """A diagnostic about the call's temporary files names what the caller gave, not where it was put."""
    if diagnostic.file is not None and diagnostic.file.is_relative_to(folder):
        return replace(diagnostic, file=diagnostic.file.relative_to(folder), line=None)
    return diagnostic


def _scaled_png(png: bytes, width: int) -> bytes:
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        scaled = image.resize((width, round(image.height * width / image.width)))
        out = io.BytesIO()
        scaled.save(out, "PNG", optimize=False)
        return out.getvalue()


def page_images(pdf: bytes, width: int = 600) -> tuple[bytes, ...]:
    """Every page of `pdf` as a PNG `width` pixels wide (pypdfium2)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        images = []
        for page in document:
            scale = width / page.get_width()
            bitmap = page.render(scale=scale)
            out = io.BytesIO()
            bitmap.to_pil().save(out, "PNG", optimize=False)
            images.append(out.getvalue())
            page.close()
        return tuple(images)
    finally:
        document.close()


class Choice(msgspec.Struct, frozen=True):
    """One name a user may pick, with what to show for it."""

    code: str
    label: str
    detail: str = ""  # a template's kind; a language's English name
    direction: str = "ltr"  # a language's writing direction: "rtl" for Arabic, Hebrew, Persian, Urdu


class Catalogue(msgspec.Struct, frozen=True):
    """Everything a user may choose among: what a form offers, and what a request is checked against."""

    templates: tuple[Choice, ...]
    languages: tuple[Choice, ...]
    regions: tuple[Choice, ...]
    audiences: tuple[str, ...]
    editions: tuple[str, ...]

    def codes(self, what: str) -> frozenset[str]:
        return frozenset(choice.code for choice in getattr(self, what))


def catalogue(folders: Folders | None = None) -> Catalogue:
    """The templates, languages, regions, audiences and editions in `folders` (the built-in data)."""
    from .load.content import load_source
    from .load.materials import AUDIENCES, ENGLISH, language_codes, load_english, load_materials
    from .load.regions import load_region
    from .load.templates import list_templates, load_template
    from .pipeline import EDITIONS

    folders = folders or Folders()
    templates = tuple(
        Choice(t.name, t.description, t.kind) for t in map(load_template, list_templates(folders.templates))
    )
    source = load_source(folders.materials / "source.yaml")
    english = load_english(folders.materials, source.figure_ids)
    languages = []
    for code in language_codes(folders.materials):
        path = folders.materials / f"{code}.yaml"
        language = (english if code == ENGLISH else load_materials(path, source.figure_ids, english)).language
        languages.append(Choice(code, language.native_name, language.name, language.direction))
    regions = tuple(
        Choice(region.code, region.name)
        for region in sorted(map(load_region, folders.regions.glob("*.yaml")), key=lambda r: r.name)
    )
    return Catalogue(templates, tuple(languages), regions, AUDIENCES, tuple(EDITIONS))
