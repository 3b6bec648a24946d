"""The office edition: the exact sheet, nothing within 5 mm of its edge, no print-shop boxes or marks."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest

from awareprint.compose.office import SAFE_MARGIN_MM
from awareprint.pipeline import PosterRequest, make_poster
from awareprint.preflight import preflight_pdf

MM = 72 / 25.4
A4 = (210 * MM, 297 * MM)
LETTER = (612.0, 792.0)


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("office")
    made = {
        "a3-gb": ("en", "gb", "poster-a3", "normal"),
        "a3-us-light": ("en", "us", "poster-a3", "light"),
        "letter-gb": ("en", "gb", "poster-letter", "normal"),
        "trifold-ar": ("ar", "gb", "leaflet-a4-trifold", "normal"),
        "card-a6-light": ("pl", "pl", "card-a6", "light"),
    }
    out = {}
    for name, (language, region, template, ink) in made.items():
        request = PosterRequest(
            language, region, "parents", template, folder / f"{name}.pdf", edition="office", ink=ink
        )
        make_poster(request)
        out[name] = request.output
    return out


@pytest.mark.parametrize(
    ("name", "sheet", "landscape", "duplex"),
    [
        ("a3-gb", A4, False, "/Simplex"),
        ("a3-us-light", LETTER, False, "/Simplex"),  # the region's paper
        ("letter-gb", LETTER, False, "/Simplex"),  # a US design goes on Letter anywhere
        ("trifold-ar", A4, True, "/DuplexFlipShortEdge"),
        ("card-a6-light", A4, False, "/DuplexFlipLongEdge"),
    ],
)
def test_the_page_is_the_sheet_with_no_print_boxes(
    office: dict[str, Path], name: str, sheet: tuple[float, float], landscape: bool, duplex: str
) -> None:
    with pikepdf.open(office[name]) as pdf:
        for page in pdf.pages:
            width, height = (float(v) for v in page.mediabox[2:])
            assert (width, height) == pytest.approx(sheet[::-1] if landscape else sheet, abs=0.01)
            assert not {"/TrimBox", "/BleedBox", "/ArtBox"} & set(page.obj.keys())
            page.contents_coalesce()
            assert b"/All" not in page.obj.Contents.read_bytes()  # no registration colour: no marks
        assert "/OutputIntents" not in pdf.Root
        preferences = pdf.Root.ViewerPreferences
        assert str(preferences.PrintScaling) == "/None"  # "Actual size" preset in the print dialog
        assert str(preferences.Duplex) == duplex


@pytest.mark.parametrize("name", ["a3-gb", "a3-us-light", "letter-gb", "trifold-ar", "card-a6-light"])
def test_everything_is_inside_the_printer_safe_margin(office: dict[str, Path], name: str) -> None:
    """Every glyph and every object, so the file prints whole at "Actual size" and at "Fit to page"."""
    document = pdfium.PdfDocument(str(office[name]))
    margin = SAFE_MARGIN_MM * MM - 0.01
    for page in document:
        width, height = page.get_size()
        text = page.get_textpage()
        assert text.count_chars() > 100
        for index in range(text.count_chars()):
            x0, y0, x1, y1 = text.get_charbox(index)
            if x1 > x0:
                assert margin <= x0 and x1 <= width - margin and margin <= y0 and y1 <= height - margin
        for item in page.get_objects():
            x0, y0, x1, y1 = item.get_bounds()
            assert margin <= x0 and x1 <= width - margin and margin <= y0 and y1 <= height - margin
    report = preflight_pdf(office[name])
    assert report.edition == "office" and report.diagnostics == ()


def test_light_ink_outlines_the_panels_and_keeps_the_text_dark(office: dict[str, Path]) -> None:
    """Panels are outlined, not filled: the page spends well under half the ink of the normal one."""
    with pikepdf.open(office["a3-us-light"]) as pdf:
        operators = [str(op) for _, op in pikepdf.parse_content_stream(pdf.pages[0])]
    assert operators.count("S") >= 3  # panels outlined
    assert _dark_share(office["a3-us-light"]) < 0.5 * _dark_share(office["a3-gb"])  # half the ink, or less


def _dark_share(path: Path) -> float:
    """The share of the page darker than mid-grey: the ink an inkjet spends, roughly."""
    pixels = pdfium.PdfDocument(str(path))[0].render(scale=0.5).to_pil().convert("L").get_flattened_data()
    return sum(1 for p in pixels if p < 128) / len(pixels)


def test_the_office_file_name_says_so(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli(
        "poster", "--edition", "office", "--ink", "light", "--template", "card-a6", "--output", f"{tmp_path}/"
    )
    assert result.code == 0, result.err
    assert (tmp_path / "card-a6-en-gb-parents-office-light.pdf").is_file()
    refused = cli("poster", "--ink", "light", "--output", f"{tmp_path}/")
    assert refused.code != 0 and "office" in refused.err


def test_preflight_finds_ink_near_the_sheet_edge(office: dict[str, Path], tmp_path: Path) -> None:
    """A planted panel running to the edge of an office sheet is an error."""
    with pikepdf.open(office["a3-gb"]) as pdf:
        page = pdf.pages[0]
        page.contents_add(pdf.make_stream(b"q 0 0 1 rg 0 0 100 20 re f Q"), prepend=False)
        pdf.save(tmp_path / "edge.pdf")
    report = preflight_pdf(tmp_path / "edge.pdf")
    assert report.edition == "office"
    assert [d.code for d in report.diagnostics] == ["preflight-office-margin"]
    assert "5 mm" in report.diagnostics[0].message
