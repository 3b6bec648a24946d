"""Previews for a reviewer: a PNG of each page, a contact sheet per design, and a static index.html.

A reviewer checks a batch by eye. Every language of one design side by side shows at once a missing
translation, a line that runs short, or a layout that did not mirror. Print editions are cropped to the
trim, as the reader will hold them. What a file is (template, language, audience, region, edition) comes
from the batch's manifest.json when there is one, then from the PDF itself (Catalog /Lang, the Keywords
awareprint writes, bleed around the trim), then from the default file name
(TEMPLATE-LANG-REGION-AUDIENCE[-screen].pdf): a renamed file still says what it is.

Everything is written atomically, so the folder can be zipped at any moment; links are relative.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import io
import itertools
import json
import math
import os
import re
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

import msgspec
import pikepdf
import pypdfium2 as pdfium
from msgspec.structs import replace
from PIL import Image, ImageDraw, ImageFont

from awareprint.diagnostics import Diagnostic, Severity, user_error
from awareprint.load.folders import Folders
from awareprint.load.inputs import regular_file
from awareprint.load.materials import AUDIENCES
from awareprint.load.templates import FillSlot, Slot, Template, TemplatePage
from awareprint.render.output import write_atomic
from awareprint.resources import DATA
from awareprint.text.layout import Overflow, overflow_of

LABEL_FONT = DATA / "fonts" / "noto-sans" / "NotoSans-Regular.ttf"
MM = 72 / 25.4  # points per millimetre
THUMB_HEIGHT = 280  # px: a page in the contact sheet and the gallery
PAGE_GAP = 6  # px between the pages of one file in a tile
GAP = 20  # px between tiles and around the sheet
LABEL_HEIGHT = 30  # px under each tile
HEADER_HEIGHT = 48  # px above the tiles: which design the sheet shows
TITLE_SIZE, LABEL_SIZE = 22, 18  # px
SHEET_WIDTH = 2000  # px: tiles wrap to a new row beyond this
SHEET_PAGES = 2  # pages per tile: both sides of a leaflet or card; a longer file shows its first two
BACKGROUND = (224, 224, 224)
FAILED_FILL = (250, 210, 210)
FAILED_INK = (170, 0, 0)
INK = (30, 30, 30)
FAILED_STATUSES = ("failed", "unreadable")  # "unreadable": a PDF that could not be opened here
MANIFEST = "manifest.json"
FIELDS = ("template", "language", "audience", "region", "edition")
_DEFAULT_NAME = re.compile(
    r"(?P<template>.+)-(?P<language>[a-z]{2,3}(?:-[A-Z][A-Za-z]+)?)-(?P<region>[a-z]{2,3})"
    rf"-(?P<audience>{'|'.join(AUDIENCES)})(?P<screen>-screen)?(?P<office>-office(?:-light)?)?"
)


class Labels(msgspec.Struct, frozen=True):
    """What a file is: the contact sheet it belongs to, and its label there."""

    template: str
    language: str
    audience: str
    region: str
    edition: str

    @property
    def group(self) -> tuple[str, str, str, str]:
        """One contact sheet per design, audience, region and edition: only the language varies."""
        return (self.template, self.audience, self.region, self.edition)


class Previewed(msgspec.Struct, frozen=True):
    """One file in the gallery. `status` and `diagnostics` are the batch's (None without a manifest)."""

    pdf: Path  # where the file is, or where the batch would have written it
    exists: bool
    labels: Labels
    status: str | None  # ok, skipped, failed; or unreadable
    diagnostics: int | None
    pages: tuple[Path, ...]  # full-size page PNGs
    thumbnails: tuple[Path, ...]

    @property
    def failed(self) -> bool:
        return self.status in FAILED_STATUSES


class PreviewResult(msgspec.Struct, frozen=True):
    pages: tuple[Path, ...]
    sheets: tuple[Path, ...]
    index: Path
    items: tuple[Previewed, ...]
    diagnostics: tuple[Diagnostic, ...]  # errors: files that could not be previewed, an unusable manifest


class _ManifestEntry(msgspec.Struct, frozen=True):
    fields: dict[str, str]  # the FIELDS the batch recorded
    status: str | None
    diagnostics: int | None


class _Source(msgspec.Struct, frozen=True):
    pdf: Path
    entry: _ManifestEntry | None


def default_out_dir(paths: Sequence[Path]) -> Path:
    """`preview/` inside the first folder given (a batch's output), else out/preview."""
    folder = next((path for path in paths if path.is_dir()), None)
    return folder / "preview" if folder else Path("out") / "preview"


def make_previews(paths: Sequence[Path], out_dir: Path, dpi: int = 72) -> PreviewResult:
    """Page PNGs, one contact sheet per group and index.html in `out_dir`. A file that cannot be read is
    reported in the result's diagnostics and marked in the gallery; the others are still previewed."""
    sources, diagnostics = _collect(paths)
    _prepare(out_dir)
    described = [_describe(source, diagnostics) for source in sources]
    described.sort(key=lambda item: (item[0].group, item[0].language, item[1].pdf.name))
    used_stems: set[str] = set()
    items: list[Previewed] = []
    sheets: list[Path] = []
    for group, members in itertools.groupby(described, key=lambda item: item[0].group):
        tiles = []
        for labels, source, status in members:
            stem = _unique(source.pdf.stem, used_stems)
            item, thumbnails = _preview_file(source, labels, status, stem, out_dir, dpi / 72, diagnostics)
            items.append(item)
            tiles.append((f"{labels.language} {labels.audience}", thumbnails[:SHEET_PAGES], item.failed))
        sheet = out_dir / (_unique(_safe_name("sheet-" + "-".join(group)), used_stems) + ".png")
        _write_png(sheet, contact_sheet("   ".join(group), tiles))
        sheets.append(sheet)
    index = out_dir / "index.html"
    write_atomic(index, gallery(items, sheets, out_dir).encode("utf-8"))
    pages = tuple(page for item in items for page in item.pages)
    return PreviewResult(pages, tuple(sheets), index, tuple(items), tuple(diagnostics))


def _collect(paths: Sequence[Path]) -> tuple[list[_Source], list[Diagnostic]]:
    """The PDFs named or in the folders named, with the batch's manifest entry where there is one; a
    folder's manifest also brings the items the batch failed to write."""
    diagnostics: list[Diagnostic] = []
    manifests: dict[Path, dict[Path, _ManifestEntry]] = {}

    def manifest_of(folder: Path) -> dict[Path, _ManifestEntry]:
        if folder not in manifests:
            manifests[folder] = _read_manifest(folder, diagnostics)
        return manifests[folder]

    found: dict[Path, _Source] = {}
    for path in paths:
        if not path.exists():
            raise user_error("no such file or folder", file=path, hint="give PDFs or folders holding PDFs")
        if path.is_dir():
            manifest = manifest_of(path.resolve())
            for pdf in sorted(path.glob("*.pdf")):
                if pdf.name.startswith(".") or not pdf.is_file():  # hidden: someone's temporary file
                    continue
                found.setdefault(pdf.resolve(), _Source(pdf, manifest.get(pdf.resolve())))
            for output, entry in manifest.items():
                found.setdefault(output, _Source(output, entry))
        else:
            regular_file(path, "PDF")
            found.setdefault(
                path.resolve(), _Source(path, manifest_of(path.parent.resolve()).get(path.resolve()))
            )
    return list(found.values()), diagnostics


def _read_manifest(folder: Path, diagnostics: list[Diagnostic]) -> dict[Path, _ManifestEntry]:
    """Entries by resolved output path. An unusable manifest is reported and the folder is previewed
    without it."""
    path = folder / MANIFEST
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not valid JSON"
        diagnostics.append(_error(f"cannot read the manifest ({reason})", path, "run the batch again"))
        return {}
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list):
        diagnostics.append(_error("the manifest has no list of 'items'", path, "run the batch again"))
        return {}
    entries: dict[Path, _ManifestEntry] = {}
    for item in items:
        output = item.get("output") if isinstance(item, dict) else None
        if not isinstance(output, str) or not output:
            diagnostics.append(_error("a manifest item has no 'output'", path, "run the batch again"))
            continue
        target = (folder / output).resolve()
        if not target.is_relative_to(folder):
            message = f"the item output '{output}' is outside the manifest's folder"
            diagnostics.append(_error(message, path, "run the batch again"))
            continue
        fields = {key: item[key] for key in FIELDS if isinstance(item.get(key), str) and item[key]}
        status = item.get("status") if item.get("status") in ("ok", "failed", "skipped") else None
        found = item.get("diagnostics")
        entries[target] = _ManifestEntry(fields, status, len(found) if isinstance(found, list) else None)
    return entries


def _prepare(out_dir: Path) -> None:
    """Fail before any work if the previews cannot be written."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise user_error(
            f"cannot create the preview folder ({exc.strerror})", file=out_dir, hint="choose another --out"
        ) from None
    if not os.access(out_dir, os.W_OK):
        raise user_error("the preview folder is not writable", file=out_dir, hint="choose another --out")


def _describe(source: _Source, diagnostics: list[Diagnostic]) -> tuple[Labels, _Source, str | None]:
    """The file's labels, and its status: the batch's, or unreadable."""
    entry = source.entry
    status = entry.status if entry else None
    fallback = dict.fromkeys(FIELDS, "unknown")
    found: dict[str, str] = {}
    if source.pdf.exists():
        try:
            fallback["template"], found = _from_pdf(source.pdf)
        except (pikepdf.PdfError, pikepdf.PasswordError, OSError, ValueError) as exc:
            diagnostics.append(_unreadable(source.pdf, exc))
            status = "unreadable"
    fields = fallback | _from_name(source.pdf.stem) | found | (entry.fields if entry else {})
    return Labels(**fields), source, status


def _from_name(stem: str) -> dict[str, str]:
    match = _DEFAULT_NAME.fullmatch(stem)
    if not match:
        return {}
    fields = {key: match[key] for key in ("template", "language", "region", "audience")}
    edition = "screen" if match["screen"] else "office" if match["office"] else "print"
    return fields | {"edition": edition}


def _from_pdf(pdf: Path) -> tuple[str, dict[str, str]]:
    """The trim size (standing in for the template, which a PDF does not record), and what awareprint
    writes into every file: /Lang, audience and region last in the Keywords, and bleed around the trim
    in the print edition only."""
    with pikepdf.open(pdf) as document:
        if not document.pages:
            raise ValueError("it has no pages")
        page = document.pages[0]
        trim = [float(v) for v in page.trimbox]
        media = [float(v) for v in page.mediabox]
        width, height = (trim[2] - trim[0]) / MM, (trim[3] - trim[1]) / MM
        found = {"edition": "print" if trim != media else "screen"}
        language = document.Root.get("/Lang")
        if isinstance(language, pikepdf.String) and str(language):
            found["language"] = str(language)
        keywords = [word.strip() for word in str(document.docinfo.get("/Keywords", "")).split(",")]
        if len(keywords) >= 2 and keywords[-2] in AUDIENCES and keywords[-1]:
            found["audience"], found["region"] = keywords[-2], keywords[-1]
        return f"{width:.0f}x{height:.0f}mm", found


def _preview_file(
    source: _Source,
    labels: Labels,
    status: str | None,
    stem: str,
    out_dir: Path,
    scale: float,
    diagnostics: list[Diagnostic],
) -> tuple[Previewed, list[Image.Image]]:
    """Write the file's page PNGs and thumbnails; hand back the thumbnails for its contact sheet."""
    entry = source.entry
    previewed = Previewed(
        source.pdf, source.pdf.exists(), labels, status, entry.diagnostics if entry else None, (), ()
    )
    if not previewed.exists or status == "unreadable":
        return previewed, []
    try:
        rendered = render_pages(source.pdf, scale)
    except (pdfium.PdfiumError, OSError) as exc:
        diagnostics.append(_unreadable(source.pdf, exc))
        return replace(previewed, status="unreadable"), []
    pages, thumbnail_paths, thumbnails = [], [], []
    for number, image in enumerate(rendered, start=1):
        page = out_dir / f"{stem}-p{number}.png"
        _write_png(page, image)
        thumbnail = image.resize(
            (max(1, round(image.width * THUMB_HEIGHT / image.height)), THUMB_HEIGHT),
            Image.Resampling.LANCZOS,
            reducing_gap=2.0,
        )
        thumbnail_path = out_dir / "thumbs" / page.name
        _write_png(thumbnail_path, thumbnail)
        pages.append(page)
        thumbnail_paths.append(thumbnail_path)
        thumbnails.append(thumbnail)
    return replace(previewed, pages=tuple(pages), thumbnails=tuple(thumbnail_paths)), thumbnails


def render_pages(pdf: Path | bytes, scale: float) -> list[Image.Image]:
    """Every page, cropped to its TrimBox (a file without one is shown whole)."""
    document = pdfium.PdfDocument(pdf)
    try:
        images = []
        for index in range(len(document)):
            page = document[index]
            try:
                left, bottom, right, top = page.get_trimbox()
                media_left, media_bottom, media_right, media_top = page.get_mediabox()
                crop = (left - media_left, bottom - media_bottom, media_right - right, media_top - top)
                bitmap = page.render(scale=scale, crop=tuple(max(0.0, edge) for edge in crop))
                images.append(bitmap.to_pil())  # RGB: pdfium renders BGR without alpha by default
            finally:
                page.close()
        return images
    finally:
        document.close()


def grid(count: int, cell_width: int) -> tuple[int, int]:
    """Columns and rows of a contact sheet of `count` tiles: as many per row as fit SHEET_WIDTH."""
    columns = max(1, min(count, (SHEET_WIDTH - GAP) // (cell_width + GAP)))
    return columns, math.ceil(count / columns)


def contact_sheet(title: str, tiles: Sequence[tuple[str, Sequence[Image.Image], bool]]) -> Image.Image:
    """Tiles of (label, page thumbnails side by side, failed) in a grid under a title. A failed file with
    no pages gets an empty red tile, so a missing language shows as a gap that says why."""
    labels = [f"{label}  FAILED" if failed else label for label, _, failed in tiles]
    widths = [sum(page.width + PAGE_GAP for page in pages) - PAGE_GAP for _, pages, _ in tiles if pages]
    widths += [math.ceil(_font(LABEL_SIZE).getlength(label)) + PAGE_GAP for label in labels]
    cell_width = max(*widths, round(THUMB_HEIGHT / math.sqrt(2)))
    columns, rows = grid(len(tiles), cell_width)
    cell_height = THUMB_HEIGHT + LABEL_HEIGHT
    width = max(GAP + columns * (cell_width + GAP), 2 * GAP + math.ceil(_font(TITLE_SIZE).getlength(title)))
    sheet = Image.new("RGB", (width, HEADER_HEIGHT + GAP + rows * (cell_height + GAP)), BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    draw.text((GAP, HEADER_HEIGHT // 2), title, fill=INK, font=_font(TITLE_SIZE), anchor="lm")
    for number, ((_, pages, failed), label) in enumerate(zip(tiles, labels, strict=True)):
        row, column = divmod(number, columns)
        x, y = GAP + column * (cell_width + GAP), HEADER_HEIGHT + GAP + row * (cell_height + GAP)
        if not pages:
            draw.rectangle((x, y, x + cell_width - 1, y + THUMB_HEIGHT - 1), fill=FAILED_FILL)
        left = x + (cell_width - sum(page.width + PAGE_GAP for page in pages) + PAGE_GAP) // 2
        for page in pages:
            sheet.paste(page, (left, y))
            left += page.width + PAGE_GAP
        draw.text(
            (x + cell_width // 2, y + THUMB_HEIGHT + LABEL_HEIGHT // 2),
            label,
            fill=FAILED_INK if failed else INK,
            font=_font(LABEL_SIZE),
            anchor="mm",
        )
    return sheet


@functools.cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(LABEL_FONT), size)


def gallery(items: Sequence[Previewed], sheets: Sequence[Path], out_dir: Path) -> str:
    """index.html: one section per contact sheet, a figure per file; no scripts, no outside resources."""
    failed = [item for item in items if item.failed]
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>awareprint preview</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>awareprint preview</h1>",
        f"<p>{len(items)} files in {len(sheets)} groups"
        + (f', <strong class="bad">{len(failed)} failed</strong>' if failed else "")
        + ".</p>",
    ]
    if failed:
        links = ", ".join(
            f'<a href="#item-{number}">{_e(item.pdf.name)}</a>'
            for number, item in enumerate(items, start=1)
            if item.failed
        )
        parts.append(f'<p class="bad">Failed: {links}</p>')
    groups = itertools.groupby(enumerate(items, start=1), key=lambda numbered: numbered[1].labels.group)
    for ((template, audience, region, edition), members), sheet in zip(groups, sheets, strict=True):
        parts.append(
            f"<section><h2>{_e(template)} &middot; {_e(audience)} &middot; {_e(region)} &middot; "
            f'{_e(edition)}</h2><p><a href="{_href(sheet, out_dir)}">contact sheet</a></p><div class="grid">'
        )
        parts.extend(_figure(item, f"item-{number}", out_dir) for number, item in members)
        parts.append("</div></section>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _figure(item: Previewed, anchor: str, out_dir: Path) -> str:
    labels = item.labels
    pages = (
        "".join(
            f'<a href="{_href(page, out_dir)}"><img src="{_href(thumbnail, out_dir)}" '
            f'alt="{_e(labels.language)} page {number}" height="{THUMB_HEIGHT // 2}"></a>'
            for number, (page, thumbnail) in enumerate(zip(item.pages, item.thumbnails, strict=True), start=1)
        )
        or '<div class="missing">no preview</div>'
    )
    status = ""
    if item.status:
        status = f'<span class="status">{_e(item.status.upper() if item.failed else item.status)}</span>'
    if item.diagnostics is not None:
        status += f" {item.diagnostics} diagnostic{'' if item.diagnostics == 1 else 's'}"
    name = _e(item.pdf.name)
    link = f'<a href="{_href(item.pdf, out_dir)}">{name}</a>' if item.exists else f"{name} (not written)"
    return (
        f'<figure id="{anchor}" class="{"failed" if item.failed else "ok"}"><div class="pages">{pages}</div>'
        f"<figcaption><b>{_e(labels.language)}</b> {_e(labels.audience)} &middot; {_e(labels.region)} "
        f"&middot; {_e(labels.edition)}<br>{status + '<br>' if status else ''}{link}</figcaption></figure>"
    )


_CSS = (
    "body{font-family:system-ui,sans-serif;margin:1.5em;background:#f4f4f4;color:#1e1e1e}"
    "section{margin-bottom:2em}h2{font-size:1.1em;border-bottom:1px solid #bbb}"
    ".grid{display:flex;flex-wrap:wrap;gap:12px}"
    "figure{margin:0;padding:6px;background:#fff;border:2px solid #ddd;font-size:.85em}"
    "figure.failed{border-color:#b00;background:#fdd}.pages{display:flex;gap:4px}"
    "img{display:block;border:1px solid #ccc}.missing{width:100px;height:140px;color:#b00}"
    ".status{font-weight:bold}.failed .status,.bad{color:#b00}"
)


def _href(target: Path, out_dir: Path) -> str:
    """A relative, URL-quoted, HTML-escaped link: the folder can be zipped and opened anywhere."""
    relative = Path(os.path.relpath(target.resolve(), out_dir.resolve())).as_posix()
    return _e(quote(relative))


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _unique(stem: str, used: set[str]) -> str:
    """Two files of the same name from different folders get different PNG names."""
    candidate = stem
    for number in itertools.count(2):
        if candidate not in used:
            break
        candidate = f"{stem}-{number}"
    used.add(candidate)
    return candidate


def _safe_name(name: str) -> str:
    """Labels can come from a manifest: keep a sheet's file name inside the folder and portable."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)


def _write_png(path: Path, image: Image.Image) -> None:
    write_atomic(path, png(image))


def png(image: Image.Image) -> bytes:
    """Fast rather than small: previews are looked at once (level 1 is about half the time of Pillow's 6)."""
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()


def _error(message: str, file: Path, hint: str) -> Diagnostic:
    return Diagnostic(Severity.ERROR, "preview", message, file, hint=hint)


def _unreadable(pdf: Path, exc: Exception) -> Diagnostic:
    reason = str(exc).splitlines()[0].removeprefix(f"{pdf}: ").rstrip(".") if str(exc) else type(exc).__name__
    return _error(f"cannot read the PDF ({reason})", pdf, "make it again, or move it out of the folder")


# `templates preview NAME --grid`: a design laid out in languages that strain it, with its grid drawn on
STRESS_LANGUAGES = ("en", "de", "ta", "ar")  # the source; long compound words; a tall script; right to left
GRID_BAND = (0, 110, 230, 26)  # a column of the grid
GRID_LINE = (0, 110, 230, 70)  # the top of a row
SLOT_LINE = (0, 80, 200, 255)
FILL_LINE = (110, 110, 110, 255)  # colour fields: drawn thinner, they hold no text
OVERFLOW_LINE = (220, 0, 0, 255)
OVERFLOW_FILL = (255, 0, 0, 48)
GRID_LABEL_SIZE = 11
GRID_TITLE_HEIGHT = 30


class GridPreview(msgspec.Struct, frozen=True):
    images: tuple[Path, ...]
    overflows: tuple[Diagnostic, ...]  # one per slot and language that does not fit, naming its picture


def template_previews(
    template: Template,
    folders: Folders,
    out_dir: Path,
    today: dt.date,
    languages: Sequence[str] = STRESS_LANGUAGES,
    audience: str = "parents",
    grid: bool = True,
    dpi: int = 72,
) -> GridPreview:
    """Each page of the design in each language (with the sample organisation and logo, as `templates
    check` lays it out), as PNG; with `grid`, the grid, every slot's box and name, and in red the slots
    whose text does not fit, with how much it is over."""
    from awareprint.load.content import build_content, load_source
    from awareprint.load.materials import load_language
    from awareprint.load.regions import load_region
    from awareprint.pipeline import existing, lay_out
    from awareprint.render.pdf import render_pdf
    from awareprint.text.fonts import load_manifest

    from .check import SAMPLE_ORGANISATION, sample_logo

    source = load_source(folders.materials / "source.yaml")
    region = load_region(folders.regions / "gb.yaml")
    manifest = load_manifest(folders.fonts / "manifest.yaml")
    images: list[Path] = []
    overflows: list[Diagnostic] = []
    # a design that moves slots to make room for an organisation is drawn both ways, as `check` fits it
    variants = (True, False) if any(page.organisation_rects for page in template.pages) else (True,)
    for code in languages:
        existing(folders.materials, code, "language")
        materials = load_language(folders.materials, code, source.figure_ids)
        for with_organisation in variants:
            organisation = SAMPLE_ORGANISATION if with_organisation else None
            content, _ = build_content(source, materials, region, audience, today, organisation)
            logo = sample_logo() if with_organisation else None
            _, laid_out, found = lay_out(template, content, manifest, logo, screen=True)
            over: dict[str, Overflow] = {}
            for overflow in filter(None, map(overflow_of, found)):
                slot = overflow.slot.split("[")[0]  # a list item or a figure: its slot is what is drawn
                if slot not in over or overflow.mm > over[slot].mm:
                    over[slot] = overflow
            pdf = render_pdf(laid_out, manifest.primary.faces["regular"].path)
            pictures = zip(template.pages, render_pages(pdf, dpi / 72), strict=True)
            for number, (page, image) in enumerate(pictures, 1):
                variant = "" if with_organisation else "-plain"
                path = out_dir / f"{template.name}-{code}-{audience}-p{number}{variant}.png"
                title = (
                    f"{template.name} · {code} ({materials.language.name}) · {audience} · page {number} of "
                    f"{len(template.pages)} ({page.name}) · "
                    + ("a sample organisation" if with_organisation else "no organisation")
                )
                shown = {name: o for name, o in over.items() if any(s.name == name for s in page.slots)}
                if grid:
                    rtl = content.direction == "rtl"
                    slots = page.slots_for(audience, with_organisation)
                    image = _grid_overlay(image, page, slots, shown, dpi / 72, rtl)
                    title += f" · {len(shown)} slot{'' if len(shown) == 1 else 's'} too full" if shown else ""
                _write_png(path, _titled(image, title, bool(shown)))
                images.append(path)
                overflows += [
                    Diagnostic(
                        Severity.WARNING,
                        "overflow",
                        f"slot '{name}' does not fit in {code} even at {o.min_size:g}pt: {o.mm:.1f} mm too "
                        f"{'wide (a word)' if o.too_wide else 'tall'}; red in the picture",
                        path,
                    )
                    for name, o in shown.items()
                ]
    return GridPreview(tuple(images), tuple(overflows))


def _grid_overlay(
    image: Image.Image,
    page: TemplatePage,
    slots: tuple[Slot, ...],
    overflows: dict[str, Overflow],
    scale: float,
    rtl: bool,
) -> Image.Image:
    """The grid's columns and rows, then every slot's box and name on top; a slot that overflows in red."""
    width = image.width / scale  # the page's trim width in points

    def box(left: float, top: float, right: float, bottom: float) -> tuple[float, float, float, float]:
        if rtl:  # the sheet mirrors, and so do its grid and slots
            left, right = width - right, width - left
        return (left * scale, top * scale, right * scale - 1, bottom * scale - 1)

    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for panel in page.panels:
        if panel.grid is None:
            continue
        top, bottom = panel.safe_area.y, panel.safe_area.bottom
        for left, right in panel.grid.columns:
            draw.rectangle(box(left, top, right, bottom), fill=GRID_BAND)
        for row_top, _ in panel.grid.rows:
            draw.line(box(panel.safe_area.x, row_top, panel.safe_area.right, row_top)[::2], fill=GRID_LINE)
    font = _font(GRID_LABEL_SIZE)
    for slot in slots:
        rect = box(slot.rect.x, slot.rect.y, slot.rect.right, slot.rect.bottom)
        overflow = overflows.get(slot.name)
        label = slot.name
        if overflow is not None:
            draw.rectangle(rect, fill=OVERFLOW_FILL, outline=OVERFLOW_LINE, width=3)
            label += f" +{overflow.mm:.1f} mm {'wide' if overflow.too_wide else 'tall'}"
        elif isinstance(slot, FillSlot):
            draw.rectangle(rect, outline=FILL_LINE, width=1)
        else:
            draw.rectangle(rect, outline=SLOT_LINE, width=2)
        text_box = draw.textbbox((rect[0] + 3, rect[1] + 2), label, font=font)
        draw.rectangle(text_box, fill=(255, 255, 255, 190))
        colour = OVERFLOW_LINE if overflow else FILL_LINE if isinstance(slot, FillSlot) else SLOT_LINE
        draw.text((rect[0] + 3, rect[1] + 2), label, fill=colour, font=font)
    return Image.alpha_composite(image.convert("RGBA"), layer).convert("RGB")


def _titled(image: Image.Image, title: str, alarm: bool) -> Image.Image:
    """The picture under a strip that says what it shows, so a folder of them reads without a gallery."""
    titled = Image.new("RGB", (image.width, image.height + GRID_TITLE_HEIGHT), BACKGROUND)
    titled.paste(image, (0, GRID_TITLE_HEIGHT))
    ImageDraw.Draw(titled).text(
        (6, GRID_TITLE_HEIGHT // 2),
        title,
        fill=FAILED_INK if alarm else INK,
        font=_font(GRID_LABEL_SIZE + 2),
        anchor="lm",
    )
    return titled
