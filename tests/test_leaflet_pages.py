"""The screen edition of a folded leaflet: one page per panel, in the order a reader meets them."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest

from awareprint.diagnostics import AwareprintError
from awareprint.load.templates import Template, load_template
from awareprint.pipeline import PosterRequest, make_poster
from awareprint.preflight import preflight_pdf
from awareprint.resources import DATA
from awareprint.units import POINTS_PER_UNIT
from tests.system_tools import debian_command

MM = POINTS_PER_UNIT["mm"]
MADE = {  # name: (language, template, edition)
    "trifold-en": ("en", "leaflet-a4-trifold", "screen"),
    "trifold-ar": ("ar", "leaflet-a4-trifold", "screen"),
    "bifold-en": ("en", "leaflet-a5-bifold", "screen"),
    "trifold-en-print": ("en", "leaflet-a4-trifold", "print"),
    "trifold-ar-print": ("ar", "leaflet-a4-trifold", "print"),
    "trifold-en-office": ("en", "leaflet-a4-trifold", "office"),
}


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("leaflet-pages")
    out = {}
    for name, (language, template, edition) in MADE.items():
        request = PosterRequest(language, "gb", "parents", template, folder / f"{name}.pdf", edition=edition)
        make_poster(request)
        out[name] = folder / f"{name}.pdf"
    return out


def _template(name: str) -> Template:
    return load_template(DATA / "templates" / f"{name}.yaml")


def _letters(text: str) -> list[str]:
    """The characters, in any order (pdfium reads the tagged edition's Arabic lines in visual order),
    without the glyphs that stand for no text (its U+FFFE)."""
    mirrored = str.maketrans(")]", "([")  # in visual order, a bracket is its mirror image
    return sorted("".join(text.replace("\ufffe", "").translate(mirrored).split()))


@pytest.mark.parametrize(
    ("name", "widths"),
    [
        ("trifold-en", [100, 100, 100, 97, 97, 100]),
        ("trifold-ar", [100, 100, 100, 97, 97, 100]),
        ("bifold-en", [148.5] * 4),
    ],
)
def test_each_panel_is_a_page_of_its_size(made: dict[str, Path], name: str, widths: list[float]) -> None:
    with pikepdf.open(made[name]) as pdf:
        sizes = [[float(v) / MM for v in page.obj.MediaBox] for page in pdf.pages]
    assert [round(size[2], 1) for size in sizes] == widths
    assert all(round(size[3]) == 210 for size in sizes)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_each_page_reads_the_text_of_its_panel(made: dict[str, Path], language: str) -> None:
    """The words of each screen page are those printed on its panel of the imposed spread, in the
    template's reading order (mirrored panels in Arabic): nothing lost, moved or laid out again."""
    template = _template("leaflet-a4-trifold")
    width, offset = template.geometry.trim_width, template.geometry.offset
    pages = {page.name: (number, page) for number, page in enumerate(template.pages)}
    printed = pdfium.PdfDocument(made[f"trifold-{language}-print"])
    screen = pdfium.PdfDocument(made[f"trifold-{language}"])
    assert len(screen) == len(template.reading_order) == 6
    for screen_page, (page_name, panel_name) in zip(screen, template.reading_order, strict=True):
        number, page = pages[page_name]
        rect = next(panel.rect for panel in page.panels if panel.name == panel_name)
        left = width - rect.right if language == "ar" else rect.x
        spread = printed[number].get_textpage()
        panel_text = spread.get_text_bounded(offset + left, 0, offset + left + rect.width, 10_000)
        page_text = screen_page.get_textpage().get_text_range()
        assert page_text.split() and _letters(page_text) == _letters(panel_text), (language, panel_name)


def test_the_pages_come_in_reading_order(made: dict[str, Path]) -> None:
    firsts = []
    for page in pdfium.PdfDocument(made["trifold-en"]):
        firsts.append(page.get_textpage().get_text_range())
    order = ["Live streaming", "What you can do", "If a child tells you", "Signs to look out for",
             "What the study found", "Where to report"]  # fmt: skip
    assert [text in page for text, page in zip(order, firsts, strict=True)] == [True] * 6


def test_bookmarks_name_the_panels(made: dict[str, Path]) -> None:
    with pikepdf.open(made["trifold-en"]) as pdf, pdf.open_outline() as outline:
        pages = {page.obj.objgen: number for number, page in enumerate(pdf.pages)}
        marks = [(item.title, pages[item.destination[0].objgen]) for item in outline.root]
        children = {item.title: [child.title for child in item.children] for item in outline.root}
    assert marks == [
        ("Live streaming can put children at risk, even at home", 0),
        ("What you can do", 1),
        ("If a child tells you", 2),
        ("Signs to look out for", 3),
        ("What the study found", 4),
        ("Where to report and get help", 5),
    ]
    assert children["What the study found"] == ["The study also found"]


@pytest.mark.parametrize("name", ["trifold-en", "trifold-ar", "bifold-en"])
def test_the_pages_pass_the_ua_check(made: dict[str, Path], name: str) -> None:
    report = preflight_pdf(made[name], ua=True)
    assert [d.message for d in report.diagnostics if d.code.startswith("ua")] == []


def test_struct_text_follows_the_pages(made: dict[str, Path]) -> None:
    listing = subprocess.run(
        [debian_command("pdfinfo"), "-struct-text", str(made["trifold-en"])],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    order = [
        "Live streaming can",
        "What you can do",
        "If a child tells you",
        "Signs to look out for",
        "What the study found",
        "Where to report",
        "Childline",
        "Source: Internet Watch Foundation (2018)",  # the back cover's, not the flap's source line
    ]
    places = [listing.index(text) for text in order]
    assert places == sorted(places)


def test_links_and_the_qr_code_sit_on_their_panel(made: dict[str, Path]) -> None:
    with pikepdf.open(made["trifold-en"]) as pdf:
        back = pdf.pages[-1]
        width = float(back.obj.MediaBox[2])
        links = {str(a.A.URI): [float(v) for v in a.Rect] for a in back.obj.get("/Annots", [])}
        assert all("/Annots" not in page.obj for page in pdf.pages[:-1])  # the contacts are on the back
    assert "tel:08001111" in links and any(url.startswith("https://") for url in links)
    assert all(0 <= rect[0] < rect[2] <= width for rect in links.values())


@pytest.mark.parametrize(
    ("name", "pages", "width"), [("trifold-en-print", 2, 297 + 26), ("trifold-en-office", 2, 297)]
)
def test_print_and_office_keep_the_imposed_spreads(
    made: dict[str, Path], name: str, pages: int, width: float
) -> None:
    with pikepdf.open(made[name]) as pdf:
        assert len(pdf.pages) == pages
        assert all(round(float(page.obj.MediaBox[2]) / MM) == width for page in pdf.pages)
        assert "/Outlines" not in pdf.Root


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("outside.flap, outside.back]", "outside.flap]", "reading_order leaves out outside.back"),
        ("outside.flap, outside.back]", "outside.flap, outside.bak]", "did you mean 'outside.back'?"),
        ("outside.flap, outside.back]", "outside.flap, outside.back, outside.flap]", "named twice"),
    ],
)
def test_a_wrong_reading_order_is_refused(tmp_path: Path, old: str, new: str, message: str) -> None:
    source = (DATA / "templates" / "leaflet-a4-trifold.yaml").read_text()
    assert old in source
    broken = tmp_path / "leaflet-a4-trifold.yaml"
    broken.write_text(source.replace(old, new, 1))
    (tmp_path / "_leaflet.yaml").write_text((DATA / "templates" / "_leaflet.yaml").read_text())
    with pytest.raises(AwareprintError) as error:
        load_template(broken)
    assert message in str(error.value) + str(error.value.diagnostics[0].hint)
