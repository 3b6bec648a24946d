"""`awareprint preview`, end to end: make real files, preview them through the CLI, then look at the pixels
of the page images and contact sheets and follow every link in index.html."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pikepdf
import pypdfium2 as pdfium
import pytest
from PIL import Image
from test_cli import assert_one_line_error

from awareprint.pipeline import PosterRequest, make_poster
from awareprint.tools import preview

PROJECT = Path(__file__).resolve().parent.parent
MADE = (  # (language, template, edition): the default output names, as `poster` and the batch write them
    ("en", "poster-a3", "print"),
    ("ar", "poster-a3", "print"),
    ("en", "leaflet-a4-trifold", "print"),
    ("en", "poster-a3", "screen"),
)


def default_name(language: str, template: str, edition: str) -> str:
    return f"{template}-{language}-gb-parents{'-screen' if edition == 'screen' else ''}.pdf"


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of real files, made once: two languages of an A3 poster, a two-page leaflet, a screen
    edition, and a hidden temporary file a writer left behind (which is not a PDF)."""
    folder = tmp_path_factory.mktemp("made")
    for language, template, edition in MADE:
        output = folder / default_name(language, template, edition)
        make_poster(PosterRequest(language, "gb", "parents", template, output, edition=edition))
    (folder / ".poster-a3-fr-gb-parents.pdf.1a2b3c4d.part").write_bytes(b"%PDF-1.6 half a fi")
    (folder / ".hidden.pdf").write_bytes(b"not a pdf")
    return folder


@pytest.fixture
def batch(made: Path, tmp_path: Path) -> Path:
    """A writable copy of the made files, to add a manifest or a broken file to."""
    folder = tmp_path / "batch"
    shutil.copytree(made, folder)
    return folder


def trim_size(pdf: Path) -> list[tuple[float, float]]:
    """Each page's trim (width, height) in points, read independently of the preview code."""
    with pikepdf.open(pdf) as document:
        sizes = []
        for page in document.pages:
            left, bottom, right, top = (float(v) for v in page.trimbox)
            sizes.append((right - left, top - bottom))
        return sizes


class Links(HTMLParser):
    """Every href and src in a page, and its text."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.text: list[str] = []
        self.figures: dict[str, str] = {}  # id -> class

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.links += [value for key, value in attrs if key in ("href", "src") and value]
        if tag == "figure":
            self.figures[found["id"] or ""] = found["class"] or ""

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(index: Path) -> Links:
    parser = Links()
    parser.feed(index.read_text(encoding="utf-8"))
    parser.close()
    return parser


def linked_files(index: Path) -> set[Path]:
    """Every file index.html links to, each of which must exist relative to it (no absolute links)."""
    parser = parse(index)
    files = set()
    for link in parser.links:
        if link.startswith("#"):
            continue
        assert "://" not in link and not link.startswith("/"), link
        target = (index.parent / unquote(link)).resolve()
        assert target.is_file(), f"index.html links to {link}, which does not exist"
        files.add(target)
    return files


def figure_of(index: Path, pdf_name: str) -> str:
    """The HTML of the figure that shows one file."""
    html_text = index.read_text(encoding="utf-8")
    for figure in html_text.split("<figure ")[1:]:
        if pdf_name in figure.split("</figure>")[0]:
            return figure.split("</figure>")[0]
    raise AssertionError(f"no figure for {pdf_name}")


def tile_runs(sheet: Image.Image, y: int) -> list[tuple[int, int]]:
    """(start, end) of the runs of page pixels along row y: what lies between stretches of sheet
    background at least a page gap wide."""
    row = [sheet.getpixel((x, y)) for x in range(sheet.width)]
    runs: list[tuple[int, int]] = []
    x = 0
    while x < len(row):
        if row[x] == preview.BACKGROUND:
            x += 1
            continue
        start = x
        while x < len(row) and not all(
            pixel == preview.BACKGROUND for pixel in row[x : x + preview.PAGE_GAP]
        ):
            x += 1
        runs.append((start, x))
    return runs


def test_every_page_is_cropped_to_its_trim_at_the_dpi(cli, batch: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("preview", str(batch), "--dpi", "50")
    assert result.code == 0, result.err
    out = batch / "preview"  # the default: inside the folder previewed
    assert "wrote 5 page images and 3 contact sheets" in result.out and str(out / "index.html") in result.out
    for language, template, edition in MADE:
        pdf = batch / default_name(language, template, edition)
        sizes = trim_size(pdf)
        pngs = sorted(out.glob(f"{pdf.stem}-p*.png"))
        assert [p.name for p in pngs] == [f"{pdf.stem}-p{n}.png" for n in range(1, len(sizes) + 1)]
        for png, (width, height) in zip(pngs, sizes, strict=True):
            with Image.open(png) as image:
                assert abs(image.width - width * 50 / 72) <= 1 and abs(image.height - height * 50 / 72) <= 1
    assert not [p for p in out.rglob(".*")], "a temporary file was left behind"
    assert not list(out.glob(".hidden*")) and not list(out.glob("*-fr-*")), "a hidden file was previewed"


def test_a_print_page_shows_the_design_without_marks(cli, batch: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("preview", str(batch), "--out", str(tmp_path / "p")).code == 0
    with Image.open(tmp_path / "p" / "poster-a3-en-gb-parents-p1.png") as opened:
        page = opened.convert("L")
    dark = sum(1 for value in page.tobytes() if value < 60)
    assert dark > 0.005 * page.width * page.height, "no text on the page"
    # the navy header runs into the bleed: cropped to the trim, the top corners are navy from the edge,
    # with no white slug and no crop mark in them
    for left in (0, page.width - 12):
        corner = set(page.crop((left, 0, left + 12, 12)).tobytes())
        assert len(corner) == 1 and corner.pop() < 100, "the corner shows the slug or a crop mark"
    # the same page rendered whole (what a preview without the crop would show) has white slug corners
    # with crop marks in them: the check above would catch a missing crop
    document = pdfium.PdfDocument(batch / "poster-a3-en-gb-parents.pdf")
    whole = document[0].render(scale=72 / 72).to_pil().convert("L")
    document.close()
    assert whole.getpixel((2, 2)) == 255 and min(whole.crop((0, 0, 40, 40)).tobytes()) < 60


def test_a_contact_sheet_puts_every_language_side_by_side(cli, batch: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "p"
    assert cli("preview", str(batch), "--out", str(out)).code == 0
    sheets = sorted(p.name for p in out.glob("sheet-*.png"))
    assert sheets == [
        "sheet-leaflet-a4-trifold-parents-gb-print.png",
        "sheet-poster-a3-parents-gb-print.png",
        "sheet-poster-a3-parents-gb-screen.png",
    ]
    middle = preview.HEADER_HEIGHT + preview.GAP + preview.THUMB_HEIGHT // 2
    with Image.open(out / "sheet-poster-a3-parents-gb-print.png") as sheet:
        runs = tile_runs(sheet.convert("RGB"), middle)
        assert len(runs) == 2, runs  # ar and en
        cell = runs[0][1] - runs[0][0]  # a poster thumbnail is wider than its label
        assert preview.grid(2, cell) == (2, 1)
        rows_height = preview.THUMB_HEIGHT + preview.LABEL_HEIGHT + preview.GAP
        assert sheet.size == (
            preview.GAP + 2 * (cell + preview.GAP),
            preview.HEADER_HEIGHT + preview.GAP + rows_height,
        )
    with Image.open(out / "sheet-leaflet-a4-trifold-parents-gb-print.png") as sheet:
        pages = tile_runs(sheet.convert("RGB"), middle)
        assert len(pages) == 2, pages  # one language: its outside and inside, side by side
        assert pages[1][0] - pages[0][1] == preview.PAGE_GAP


def test_a_sheet_wraps_into_a_grid() -> None:
    page = Image.new("RGB", (198, preview.THUMB_HEIGHT), "white")
    tiles = [(f"l{n} parents", [page], False) for n in range(20)]
    columns, rows = preview.grid(20, 198)
    assert columns * (198 + preview.GAP) <= preview.SHEET_WIDTH and rows == -(-20 // columns)
    sheet = preview.contact_sheet("poster-a3", tiles)
    assert sheet.width == preview.GAP + columns * (198 + preview.GAP)
    assert sheet.height == preview.HEADER_HEIGHT + preview.GAP + rows * (
        preview.THUMB_HEIGHT + preview.LABEL_HEIGHT + preview.GAP
    )


def test_the_gallery_links_every_image_and_pdf_and_escapes_names(cli, batch: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    hostile = 'a<b>&"c.pdf'
    shutil.copy(batch / "poster-a3-en-gb-parents.pdf", batch / hostile)
    out = tmp_path / "gallery"
    result = cli("preview", str(batch), "--out", str(out))
    assert result.code == 0, result.err
    index = out / "index.html"
    linked = linked_files(index)
    pdfs = {p.resolve() for p in batch.glob("*.pdf") if not p.name.startswith(".")}
    pngs = {p.resolve() for p in out.rglob("*.png")}
    assert pdfs | pngs == linked
    text = index.read_text(encoding="utf-8")
    assert "a&lt;b&gt;&amp;&quot;c.pdf" in text and "<b>&" not in text
    assert hostile in "".join(parse(index).text)
    # the copy says what it is: an English A3 poster, though its name does not
    section = text.split("<h2>297x420mm &middot; parents &middot; gb &middot; print")[1].split("</section>")[
        0
    ]
    assert "a&lt;b&gt;&amp;&quot;c.pdf" in section
    for forbidden in ("<script", "http://", "https://", "@import", "url("):
        assert forbidden not in text


def test_the_manifest_labels_and_marks_failed_items(cli, batch: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    def item(language: str, status: str, **extra: object) -> dict[str, object]:
        output = default_name(language, "poster-a3", "print")
        labels = {"template": "poster-a3", "language": language, "audience": "parents", "region": "gb"}
        return {"output": output, **labels, "edition": "print", "status": status, **extra}

    manifest = {
        "items": [
            item("en", "ok", diagnostics=["warning: a", "note: b"]),
            item("ar", "failed", diagnostics=["error: overflow"]),
            item("fr", "failed", diagnostics=["error: overflow"]),  # never written
            item("en", "ok", output="poster-a3-en-gb-parents-screen.pdf", template="campaign-2026"),
        ]
    }
    (batch / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    out = tmp_path / "p"
    result = cli("preview", str(batch), "--out", str(out))
    assert result.code == 0, result.err
    assert "2 files failed, marked in the gallery" in result.out
    index = out / "index.html"
    assert 'class="failed"' in figure_of(index, "poster-a3-ar-gb-parents.pdf")
    assert "FAILED" in figure_of(index, "poster-a3-ar-gb-parents.pdf")
    missing = figure_of(index, "poster-a3-fr-gb-parents.pdf")
    assert 'class="failed"' in missing and "not written" in missing and "no preview" in missing
    assert "2 diagnostics" in figure_of(index, "poster-a3-en-gb-parents.pdf")
    assert 'class="ok"' in figure_of(index, "poster-a3-en-gb-parents.pdf")
    assert "Failed: " in index.read_text(encoding="utf-8")
    linked_files(index)  # the failed file that was never written is not linked
    # the manifest's template wins over the file name: the screen file gets a sheet of its own
    assert (out / "sheet-campaign-2026-parents-gb-print.png").is_file()
    # the file never written is a red tile among the languages, labelled FAILED
    with Image.open(out / "sheet-poster-a3-parents-gb-print.png") as sheet:
        colours = {colour for _, colour in sheet.convert("RGB").getcolors(1 << 20)}
    assert preview.FAILED_FILL in colours and preview.FAILED_INK in colours


def test_a_corrupt_pdf_is_reported_and_the_others_still_previewed(cli, batch: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (batch / "poster-a3-de-gb-parents.pdf").write_bytes(b"%PDF-1.6\nthis is not a PDF body\n")
    out = tmp_path / "p"
    result = cli("preview", str(batch), "--out", str(out))
    assert result.code == 1
    assert_one_line_error(result.err, "poster-a3-de-gb-parents.pdf", "cannot read the PDF", "fix: ")
    assert len(list(out.glob("*-p[0-9].png"))) == 5  # every good page
    broken = figure_of(out / "index.html", "poster-a3-de-gb-parents.pdf")
    assert 'class="failed"' in broken and "UNREADABLE" in broken
    assert "1 file failed" in result.out


def test_a_broken_manifest_is_reported_and_the_files_still_previewed(
    cli, batch: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    (batch / "manifest.json").write_text('{"items": [{"output": "../../etc/passwd"}]}', encoding="utf-8")
    result = cli("preview", str(batch), "--out", str(tmp_path / "p"))
    assert result.code == 1
    assert_one_line_error(result.err, "manifest.json", "outside the manifest's folder")
    assert len(list((tmp_path / "p").glob("*-p[0-9].png"))) == 5
    (batch / "manifest.json").write_text('{"items": [', encoding="utf-8")
    result = cli("preview", str(batch), "--out", str(tmp_path / "p"))
    assert result.code == 1
    assert_one_line_error(result.err, "manifest.json", "not valid JSON")


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["no/such.pdf"], ["no/such.pdf", "no such file or folder", "fix: "]),
        (["--dpi", "5"], ["--dpi"]),
    ],
)
def test_bad_arguments_get_one_line(cli, batch: Path, args: list[str], fragments: list[str]) -> None:  # type: ignore[no-untyped-def]
    result = cli("preview", str(batch / "poster-a3-en-gb-parents.pdf"), *args)
    assert result.code == 1
    assert_one_line_error(result.err, *fragments)


def test_an_unwritable_output_folder_gets_one_line(cli, batch: Path) -> None:  # type: ignore[no-untyped-def]
    blocker = batch / "a-file"
    blocker.write_text("in the way", encoding="utf-8")
    result = cli("preview", str(batch), "--out", str(blocker / "preview"))
    assert result.code == 1
    assert_one_line_error(result.err, "a-file/preview", "cannot create the preview folder", "--out")


def test_single_files_and_the_library_call(made: Path, tmp_path: Path) -> None:
    """What the batch calls: named files, a result to report from, nothing printed."""
    leaflet = made / "leaflet-a4-trifold-en-gb-parents.pdf"
    result = preview.make_previews([leaflet], tmp_path / "p", dpi=30)
    assert [p.name for p in result.pages] == [f"{leaflet.stem}-p1.png", f"{leaflet.stem}-p2.png"]
    assert all(p.is_file() for p in result.pages + result.sheets) and result.index.is_file()
    assert result.diagnostics == ()
    (item,) = result.items
    assert item.labels == preview.Labels("leaflet-a4-trifold", "en", "parents", "gb", "print")
    assert item.status is None and not item.failed
    assert preview.default_out_dir([leaflet]) == Path("out") / "preview"
    assert preview.default_out_dir([leaflet, made]) == made / "preview"


def test_labels_come_from_the_pdf_when_the_name_says_nothing(made: Path, tmp_path: Path) -> None:
    renamed = tmp_path / "school-poster.pdf"
    shutil.copy(made / "poster-a3-ar-gb-parents.pdf", renamed)
    screen = tmp_path / "for-the-website.pdf"
    shutil.copy(made / "poster-a3-en-gb-parents-screen.pdf", screen)
    result = preview.make_previews([renamed, screen], tmp_path / "p")
    labels = {item.pdf.name: item.labels for item in result.items}
    assert labels["school-poster.pdf"] == preview.Labels("297x420mm", "ar", "parents", "gb", "print")
    assert labels["for-the-website.pdf"] == preview.Labels("297x420mm", "en", "parents", "gb", "screen")


def test_help_and_lazy_imports() -> None:
    """`--help` must stay fast: the CLI module does not load the renderers."""
    code = (
        "import sys, awareprint.cli; "
        "print(sorted(m for m in ('pypdfium2', 'PIL', 'pikepdf') if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PROJECT
    ).stdout
    assert loaded.strip() == "[]"
    help_text = subprocess.run(
        [sys.executable, "generate.py", "preview", "--help"], capture_output=True, text=True, cwd=PROJECT
    )
    assert help_text.returncode == 0 and "--dpi" in help_text.stdout
