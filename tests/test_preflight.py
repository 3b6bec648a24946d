"""Preflight of finished PDFs: the shipped designs pass, and each planted fault gets its own code."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from test_logo import make_logo

from awareprint.diagnostics import Severity
from awareprint.pipeline import PosterRequest, make_poster
from awareprint.preflight import PreflightReport, preflight_pdf
from awareprint.render.pdf import save_pdfx
from awareprint.render.pdfx import finishing
from awareprint.resources import DATA

MM = 72 / 25.4


def codes(report: PreflightReport) -> set[str]:
    return {d.code for d in report.diagnostics if d.severity is not Severity.INFO}


def messages(report: PreflightReport, code: str) -> list[str]:
    return [d.message for d in report.diagnostics if d.code == code]


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Real outputs: the A3 poster, an Arabic tri-fold, PDF/X-1a, a leaflet with a logo, a screen edition."""
    folder = tmp_path_factory.mktemp("shipped")
    logo = make_logo(folder / "logo.png", 1800, 600)
    requests = {
        "a3-en": PosterRequest("en", "gb", "parents", "poster-a3", folder / "a3-en.pdf"),
        "trifold-ar": PosterRequest("ar", "gb", "parents", "leaflet-a4-trifold", folder / "trifold-ar.pdf"),
        "a3-x1a": PosterRequest("en", "us", "professionals", "poster-a3", folder / "x1a.pdf", standard="x1a"),
        "a5-logo": PosterRequest("en", "gb", "parents", "leaflet-a5-bifold", folder / "a5.pdf", logo=logo),
        "screen": PosterRequest("en", "gb", "parents", "poster-a3", folder / "screen.pdf", edition="screen"),
    }
    for request in requests.values():
        make_poster(request)
    return {name: request.output for name, request in requests.items()}


@pytest.mark.parametrize(
    ("name", "standard", "pages"),
    [
        ("a3-en", "PDF/X-4", 1),
        ("trifold-ar", "PDF/X-4", 2),
        ("a3-x1a", "PDF/X-1a:2003", 1),
        ("a5-logo", "PDF/X-4", 2),
    ],
)
def test_shipped_print_editions_pass(shipped: dict[str, Path], name: str, standard: str, pages: int) -> None:
    report = preflight_pdf(shipped[name])
    assert report.diagnostics == ()
    assert (report.edition, report.standard, report.pages) == ("print", standard, pages)
    # The design's navy (100/78/25/38) is the darkest colour; crop marks in /All do not count.
    assert report.max_ink_percent == 241.0
    assert report.max_ink_at is not None and "1 0.78 0.25 0.38 k" in report.max_ink_at


def test_screen_edition_skips_the_print_checks(shipped: dict[str, Path]) -> None:
    report = preflight_pdf(shipped["screen"])
    assert report.edition == "screen" and report.standard is None and report.max_ink_percent is None
    assert [(d.severity, d.code, d.message) for d in report.diagnostics] == [
        (Severity.INFO, "preflight-screen", "screen edition, print checks skipped")
    ]


def test_the_logo_image_is_measured_as_printed(shipped: dict[str, Path]) -> None:
    """The blue logo is about C83 M46 through FOGRA39, stored as Adobe's inverted CMYK JPEG."""

    def only_the_logo(pdf: pikepdf.Pdf, page: pikepdf.Page) -> None:
        (name,) = page.obj.Resources.XObject.keys()
        page.obj.Contents = pikepdf.Stream(pdf, f"q 90 0 0 30 60 60 cm {name} Do Q".encode())
        del pdf.pages[1:]

    report = preflight_pdf(_edit(shipped["a5-logo"], only_the_logo))
    assert report.max_ink_at is not None and report.max_ink_at.startswith("page 1, image /")
    assert report.max_ink_percent is not None and 125 < report.max_ink_percent < 145  # a negative: ~270


# --- planted faults: each edits a good poster, so only the planted fault can be reported ---------------


def _edit(source: Path, change: Callable[[pikepdf.Pdf, pikepdf.Page], None], name: str = "bad.pdf") -> Path:
    target = source.parent / f"{source.stem}-{name}"
    with pikepdf.open(source) as pdf:
        change(pdf, pdf.pages[0])
        pdf.save(target)
    return target


def _paint(pdf: pikepdf.Pdf, page: pikepdf.Page, operators: bytes) -> None:
    page.contents_add(pikepdf.Stream(pdf, b"q " + operators + b" Q"), prepend=False)


def test_missing_trimbox(shipped: dict[str, Path]) -> None:
    report = preflight_pdf(_edit(shipped["a3-en"], lambda pdf, page: page.obj.__delitem__("/TrimBox")))
    assert codes(report) == {"preflight-boxes"}
    assert messages(report, "preflight-boxes") == ["page 1: no TrimBox: the finished size is unknown"]


def test_narrow_bleed_and_artbox(shipped: dict[str, Path]) -> None:
    def narrow(pdf: pikepdf.Pdf, page: pikepdf.Page) -> None:
        x0, y0, x1, y1 = (float(v) for v in page.obj.TrimBox)
        page.obj.BleedBox = pikepdf.Array([x0 - 1 * MM, y0 - 3 * MM, x1 + 3 * MM, y1 + 3 * MM])
        page.obj.ArtBox = page.obj.TrimBox

    report = preflight_pdf(_edit(shipped["a3-en"], narrow))
    assert codes(report) == {"preflight-boxes"}
    assert messages(report, "preflight-boxes") == [
        "page 1: both ArtBox and TrimBox (PDF/X allows one)",
        "page 1: bleed under 3 mm (left 1.0 mm)",
    ]


def test_rgb_fill_in_a_print_edition(shipped: dict[str, Path]) -> None:
    report = preflight_pdf(
        _edit(shipped["a3-en"], lambda pdf, page: _paint(pdf, page, b"1 0 0 rg 0 0 9 9 re f"))
    )
    assert codes(report) == {"preflight-rgb"}
    assert messages(report, "preflight-rgb") == [
        "page 1: RGB colour in a print edition: rg/RG colour operators"
    ]


def test_four_colour_rectangle_is_400_percent_ink(shipped: dict[str, Path]) -> None:
    report = preflight_pdf(
        _edit(shipped["a3-en"], lambda pdf, page: _paint(pdf, page, b"1 1 1 1 k 100 100 50 50 re f"))
    )
    assert codes(report) == {"preflight-ink"}
    assert report.max_ink_percent == 400.0
    assert report.max_ink_at == "page 1, '1 1 1 1 k' (DeviceCMYK)"


def _type4(pdf: pikepdf.Pdf, program: bytes) -> pikepdf.Stream:
    function = pikepdf.Stream(pdf, program)
    function.FunctionType, function.Domain, function.Range = 4, [0, 1], [0, 1] * 4
    return function


@pytest.mark.parametrize(
    ("tint_transform", "ink"),
    [
        (
            lambda pdf: pikepdf.Dictionary(FunctionType=2, Domain=[0, 1], C0=[0] * 4, C1=[1, 1, 1, 0.5], N=1),
            315,
        ),
        (lambda pdf: _type4(pdf, b"{dup 1.0 mul exch dup 1.0 mul exch dup 1.0 mul exch 0.5 mul}"), 315),
        # Not simple ('roll'): the spot counts as its own plate, 90 %, under the navy's 241 %.
        (lambda pdf: _type4(pdf, b"{dup dup 0 index 3 index 0.5 mul 4 1 roll pop}"), 241),
    ],
    ids=["exponential", "calculator-as-reportlab-writes", "not-simple"],
)
def test_spot_colour_ink_goes_through_its_tint_transform(
    shipped: dict[str, Path], tint_transform: Callable[[pikepdf.Pdf], pikepdf.Object], ink: float
) -> None:
    def spot(pdf: pikepdf.Pdf, page: pikepdf.Page) -> None:
        space = [pikepdf.Name.Separation, pikepdf.Name("/Deep"), pikepdf.Name.DeviceCMYK, tint_transform(pdf)]
        page.obj.Resources.ColorSpace.Deep = pikepdf.Array(space)
        _paint(pdf, page, b"/Deep cs 0.9 scn 0 0 9 9 re f")

    report = preflight_pdf(_edit(shipped["a3-en"], spot))
    assert report.max_ink_percent == ink  # 315 = 0.9 x (100 + 100 + 100 + 50)
    assert codes(report) == ({"preflight-ink"} if ink > 300 else set())


def _add_image(pdf: pikepdf.Pdf, page: pikepdf.Page, pixels: Image.Image, width_mm: float) -> None:
    """A raw CMYK image drawn at width_mm, square."""
    image = pikepdf.Stream(pdf, pixels.tobytes())
    image.Type, image.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
    image.Width, image.Height, image.BitsPerComponent = pixels.width, pixels.height, 8
    image.ColorSpace = pikepdf.Name.DeviceCMYK
    page.obj.Resources.XObject = pikepdf.Dictionary(Planted=image)
    size = width_mm * MM
    _paint(pdf, page, f"{size:.3f} 0 0 {size:.3f} 100 100 cm /Planted Do".encode())


@pytest.mark.parametrize(
    ("pixels", "severity", "ppi"), [(20, Severity.ERROR, 5), (500, Severity.WARNING, 127)]
)
def test_low_resolution_image(shipped: dict[str, Path], pixels: int, severity: Severity, ppi: int) -> None:
    """An A3 poster needs 150 ppi: a warning below that, an error below 75."""
    flat = Image.new("CMYK", (pixels, pixels), (50, 50, 50, 50))
    report = preflight_pdf(_edit(shipped["a3-en"], lambda pdf, page: _add_image(pdf, page, flat, 100)))
    assert codes(report) == {"preflight-ppi"}
    (diagnostic,) = report.diagnostics
    assert diagnostic.severity is severity
    assert diagnostic.message.startswith(f"page 1, image /Planted is {ppi} ppi at its printed size")
    assert "needs 150 ppi" in diagnostic.message


def test_inside_a_form_xobject(shipped: dict[str, Path]) -> None:
    """A form's /Matrix scales what it draws, and its own resources are checked for fonts."""

    def in_a_form(pdf: pikepdf.Pdf, page: pikepdf.Page) -> None:
        _add_image(pdf, page, Image.new("CMYK", (500, 500)), 0)  # only to make the image XObject
        form = pikepdf.Stream(pdf, b"q 50 0 0 50 0 0 cm /Planted Do Q")  # 50 pt in the form's space
        form.Type, form.Subtype, form.BBox = pikepdf.Name.XObject, pikepdf.Name.Form, [0, 0, 50, 50]
        form.Matrix = [2, 0, 0, 2, 0, 0]  # 100 pt on the page
        helvetica = pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont="/Helvetica"
        )
        form.Resources = pikepdf.Dictionary(
            XObject=page.obj.Resources.XObject, Font=pikepdf.Dictionary(F9=helvetica)
        )
        page.obj.Resources.XObject = pikepdf.Dictionary(Wrapper=form)
        page.obj.Contents = pikepdf.Stream(pdf, b"q 2.835 0 0 2.835 100 100 cm /Wrapper Do Q")  # mm to pt

    report = preflight_pdf(_edit(shipped["a3-en"], in_a_form))
    assert codes(report) == {"preflight-ppi", "preflight-font"}
    assert messages(report, "preflight-font") == ["page 1: font Helvetica is not embedded"]
    assert messages(report, "preflight-ppi")[0].startswith(
        "page 1, image /Planted is 127 ppi at its printed size (500 x 500 px over 100 x 100 mm)"
    )


def test_a_leaflet_needs_300_ppi(shipped: dict[str, Path]) -> None:
    flat = Image.new("CMYK", (1000, 1000), (0, 0, 0, 0))  # 254 ppi at 100 mm: fine on A3, not on A5
    report = preflight_pdf(_edit(shipped["a5-logo"], lambda pdf, page: _add_image(pdf, page, flat, 100)))
    assert codes(report) == {"preflight-ppi"}
    assert "needs 300 ppi" in messages(report, "preflight-ppi")[0]


def test_image_ink_is_the_darkest_pixel(shipped: dict[str, Path]) -> None:
    pixels = Image.new("CMYK", (400, 400), (0, 0, 0, 0))
    pixels.putpixel((7, 9), (255, 255, 204, 255))  # one pixel at 380 %
    report = preflight_pdf(_edit(shipped["a3-en"], lambda pdf, page: _add_image(pdf, page, pixels, 60)))
    assert codes(report) == {"preflight-ink"}
    assert report.max_ink_percent == 380.0 and report.max_ink_at == "page 1, image /Planted"


def test_output_intent_and_markers(shipped: dict[str, Path]) -> None:
    no_intent = _edit(shipped["a3-en"], lambda pdf, page: pdf.Root.__delitem__("/OutputIntents"), "ni.pdf")
    assert codes(preflight_pdf(no_intent)) == {"preflight-outputintent"}

    def disagree(pdf: pikepdf.Pdf, page: pikepdf.Page) -> None:
        pdf.docinfo.GTS_PDFXVersion = "PDF/X-3:2002"
        del pdf.docinfo["/Trapped"]

    report = preflight_pdf(_edit(shipped["a3-en"], disagree, "mk.pdf"))
    assert codes(report) == {"preflight-pdfx"}
    assert messages(report, "preflight-pdfx") == [
        "Info says PDF/X-3:2002 but XMP says PDF/X-4",
        "/Trapped is missing, not True or False",
    ]


def test_xmp_that_is_not_xml(shipped: dict[str, Path], tmp_path: Path) -> None:
    data = shipped["a3-en"].read_bytes()
    assert data.count(b"</x:xmpmeta>") == 1  # written uncompressed, so it can be broken in place
    broken = tmp_path / "xmp.pdf"
    broken.write_bytes(data.replace(b"</x:xmpmeta>", b"</x:xmpmetb>"))
    report = preflight_pdf(broken)
    assert codes(report) == {"preflight-pdfx"}
    assert messages(report, "preflight-pdfx")[0] == "the XMP metadata is not well-formed XML"


def test_transparency_in_pdfx_1a(shipped: dict[str, Path]) -> None:
    def half_opaque(pdf: pikepdf.Pdf, page: pikepdf.Page) -> None:
        page.obj.Resources.ExtGState = pikepdf.Dictionary(Half=pikepdf.Dictionary(ca=0.5))
        _paint(pdf, page, b"/Half gs 0 0 0 1 k 0 0 9 9 re f")

    report = preflight_pdf(_edit(shipped["a3-x1a"], half_opaque))
    assert codes(report) == {"preflight-transparency"}
    assert messages(report, "preflight-transparency") == [
        "page 1: transparency in a PDF/X-1a file: opacity ca 0.5"
    ]
    assert codes(preflight_pdf(_edit(shipped["a3-en"], half_opaque))) == set()  # PDF/X-4 allows it


# --- files drawn with reportlab: a page with boxes, made PDF/X-4 by awareprint's own finisher ----------

TRIM = (210 * MM, 297 * MM)
BLEED, SLUG = 3 * MM, 10 * MM


def _drawn(tmp_path: Path, draw: Callable[[Canvas], None], font: str = "PreflightSans") -> Path:
    pdfmetrics.registerFont(TTFont("PreflightSans", str(DATA / "fonts/noto-sans/NotoSans-Regular.ttf")))
    buffer = io.BytesIO()
    offset = BLEED + SLUG
    canvas = Canvas(buffer, pagesize=(TRIM[0] + 2 * offset, TRIM[1] + 2 * offset), initialFontName=font)
    canvas.setTrimBox((offset, offset, offset + TRIM[0], offset + TRIM[1]))
    canvas.setBleedBox((SLUG, SLUG, SLUG + TRIM[0] + 2 * BLEED, SLUG + TRIM[1] + 2 * BLEED))
    canvas.translate(offset, offset)  # from here on, the origin is the trim's lower left corner
    canvas.setFillColorCMYK(0, 0, 0, 1)
    draw(canvas)
    canvas.showPage()
    path = tmp_path / "drawn.pdf"
    path.write_bytes(save_pdfx(canvas, buffer, finishing()))
    return path


def _text(words: str, x_mm: float, y_mm: float, font: str = "PreflightSans") -> Callable[[Canvas], None]:
    def draw(canvas: Canvas) -> None:
        canvas.setFont(font, 12)
        canvas.drawString(x_mm * MM, y_mm * MM, words)

    return draw


def test_a_clean_drawn_page_passes(tmp_path: Path) -> None:
    report = preflight_pdf(_drawn(tmp_path, _text("Safe and sound", 20, 150)))
    assert report.diagnostics == () and report.max_ink_percent == 100.0


def test_font_not_embedded(tmp_path: Path) -> None:
    report = preflight_pdf(_drawn(tmp_path, _text("Hello", 20, 150, "Helvetica"), font="Helvetica"))
    assert codes(report) == {"preflight-font"}
    assert messages(report, "preflight-font") == ["page 1: font Helvetica is not embedded"]


def test_text_in_the_bleed_would_be_cut_off(tmp_path: Path) -> None:
    report = preflight_pdf(_drawn(tmp_path, _text("Cut off", -2, 150)))
    assert codes(report) == {"preflight-safe-area"}
    (diagnostic,) = report.diagnostics
    assert diagnostic.severity is Severity.ERROR
    assert diagnostic.message.startswith("page 1: text crosses the trim and would be cut off: 'Cut' (4.")


def test_text_inside_the_safe_margin(tmp_path: Path) -> None:
    path = _drawn(tmp_path, _text("Close", 1.5, 150))
    (diagnostic,) = preflight_pdf(path).diagnostics
    assert (diagnostic.severity, diagnostic.code) == (Severity.WARNING, "preflight-safe-area")
    assert diagnostic.message.startswith("page 1: text inside the 3 mm safe margin: 'Close' (1.")
    assert preflight_pdf(path, safe_margin_mm=1).diagnostics == ()


def test_text_in_the_slug_is_job_information(tmp_path: Path) -> None:
    assert preflight_pdf(_drawn(tmp_path, _text("job 42", 0, -10))).diagnostics == ()


def test_adobe_cmyk_jpeg_read_the_right_way_round(tmp_path: Path) -> None:
    """reportlab passes a Pillow CMYK JPEG through with /Decode [1 0 ...]: white must read as no ink."""

    def jpeg(colour: tuple[int, int, int, int]) -> Callable[[Canvas], None]:
        data = io.BytesIO()
        Image.new("CMYK", (600, 600), colour).save(data, "JPEG", quality=95)

        def draw(canvas: Canvas) -> None:
            canvas.drawImage(ImageReader(io.BytesIO(data.getvalue())), 20 * MM, 20 * MM, 40 * MM, 40 * MM)

        return draw

    white = preflight_pdf(_drawn(tmp_path, jpeg((0, 0, 0, 0))))
    assert white.diagnostics == () and white.max_ink_at == "page 1, '0 0 0 1 k' (DeviceCMYK)"  # the text
    dark = preflight_pdf(_drawn(tmp_path, jpeg((255, 255, 255, 255))))
    assert (
        codes(dark) == {"preflight-ink"} and dark.max_ink_percent is not None and dark.max_ink_percent > 390
    )


# --- unreadable files ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda good: good.read_bytes()[: len(good.read_bytes()) // 2], "the file ends early (no %%EOF)"),
        (lambda good: b"This is not a PDF but a note.\n", "not a PDF file (no %PDF header)"),
        (
            lambda good: good.read_bytes().replace(b"startxref", b"startxrey"),
            "damaged PDF (can't find startxref)",
        ),
    ],
    ids=["truncated", "text-file", "damaged"],
)
def test_unreadable_file_is_one_error(
    shipped: dict[str, Path], tmp_path: Path, make: Callable[[Path], bytes], message: str
) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(make(shipped["a3-en"]))
    report = preflight_pdf(path)
    (diagnostic,) = report.diagnostics
    assert (diagnostic.severity, diagnostic.code, diagnostic.file) == (
        Severity.ERROR,
        "preflight-unreadable",
        path,
    )
    assert diagnostic.message.startswith(message) and diagnostic.hint
    assert report.edition is None


# --- the command ---------------------------------------------------------------------------------------


def test_cli_good_files(shipped: dict[str, Path], cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("preflight", str(shipped["a3-en"]), str(shipped["trifold-ar"]), str(shipped["screen"]))
    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        f"{shipped['a3-en']}: PDF/X-4, 1 page, max ink 241 %, OK",
        f"{shipped['trifold-ar']}: PDF/X-4, 2 pages, max ink 241 %, OK",
        f"{shipped['screen']}: screen edition, 1 page, OK",
    ]
    assert result.err.splitlines() == [f"note: {shipped['screen']}: screen edition, print checks skipped"]


def test_cli_bad_files(shipped: dict[str, Path], tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    ink = _edit(shipped["a3-en"], lambda pdf, page: _paint(pdf, page, b"1 0 0 rg 1 1 1 1 k 0 0 9 9 re f"))
    text = tmp_path / "notes.pdf"
    text.write_text("not a PDF")
    result = cli("preflight", str(ink), str(text), str(shipped["a3-en"]))
    assert result.code == 1
    assert "Traceback" not in result.err + result.out
    errors = result.err.splitlines()
    assert len(errors) == 3 and all(line.startswith("error: ") for line in errors)
    assert "RGB colour in a print edition" in errors[0] and "total ink coverage 400 %" in errors[1]
    assert "notes.pdf: not a PDF file" in errors[2] and "(fix: " in errors[2]
    assert result.out.splitlines() == [
        f"{ink}: PDF/X-4, 1 page, max ink 400 %, 2 errors",
        f"{text}: unreadable, 1 error",
        f"{shipped['a3-en']}: PDF/X-4, 1 page, max ink 241 %, OK",
    ]


def test_cli_json(shipped: dict[str, Path], tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    missing = tmp_path / "absent.pdf"
    result = cli("preflight", "--json", str(shipped["a3-x1a"]), str(missing))
    assert result.code == 1
    good, absent = json.loads(result.out)
    assert (good["standard"], good["max_ink_percent"], good["errors"], good["findings"]) == (
        "PDF/X-1a:2003",
        241.0,
        0,
        [],
    )
    assert absent["edition"] is None and absent["findings"][0]["code"] == "preflight-unreadable"
    assert "not found" in absent["findings"][0]["message"]


def test_cli_refuses_a_negative_margin(shipped: dict[str, Path], cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("preflight", "--safe-margin", "-1", str(shipped["a3-en"]))
    assert result.code == 1 and "--safe-margin" in result.err


@pytest.mark.parametrize(("user", "message"), [("secret", "password-protected"), ("", "encrypted")])
def test_an_encrypted_pdf_is_refused_in_one_line(
    shipped: dict[str, Path], tmp_path: Path, user: str, message: str
) -> None:
    locked = tmp_path / "locked.pdf"
    with pikepdf.open(shipped["a3-en"]) as pdf:
        pdf.save(locked, encryption=pikepdf.Encryption(owner="owner", user=user, R=6))
    report = preflight_pdf(locked)
    assert codes(report) == {"preflight-encrypted"} and message in report.diagnostics[0].message


def test_a_form_that_holds_itself_is_no_crash(shipped: dict[str, Path]) -> None:
    def loop(pdf: pikepdf.Pdf, page: pikepdf.Page) -> None:
        form = pdf.make_stream(
            b"/X0 Do", Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form, BBox=[0, 0, 10, 10]
        )
        form.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(X0=form))
        page.obj.Resources.XObject = pikepdf.Dictionary(X0=form)
        _paint(pdf, page, b"/X0 Do")

    report = preflight_pdf(_edit(shipped["a3-en"], loop))
    assert report.edition == "print" and report.pages == 1
