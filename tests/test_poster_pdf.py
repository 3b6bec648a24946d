"""End to end: run the CLI, then inspect the PDF as a print shop and a reader would."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
import zxingcpp

from awareprint.load.content import build_content, load_region, load_source
from awareprint.load.materials import load_language
from awareprint.resources import DATA

MM = 72 / 25.4
LANGUAGES = sorted(
    p.stem for p in (DATA / "materials").glob("*.yaml") if p.stem != "source" and not p.stem.startswith("_")
)
TEMPLATES = ["poster-a2", "poster-a3", "poster-a4", "poster-letter", "poster-tabloid"]
AUDIENCES = ["parents", "professionals"]


def boxes(path: Path) -> dict[str, list[float] | None]:
    with pikepdf.open(path) as pdf:
        page = pdf.pages[0].obj
        return {
            name: [float(v) for v in page[name]] if name in page else None
            for name in ("/MediaBox", "/TrimBox", "/BleedBox", "/ArtBox", "/CropBox")
        }


def extracted_text(path: Path) -> str:
    document = pdfium.PdfDocument(str(path))
    try:
        return document[0].get_textpage().get_text_range()
    finally:
        document.close()


def test_trim_and_bleed_boxes(a3_poster: Path) -> None:
    found = boxes(a3_poster)
    trim, bleed, media = found["/TrimBox"], found["/BleedBox"], found["/MediaBox"]
    assert trim and bleed and media
    assert (trim[2] - trim[0]) == pytest.approx(297 * MM, abs=0.01)
    assert (trim[3] - trim[1]) == pytest.approx(420 * MM, abs=0.01)
    for i in (0, 1):
        assert trim[i] - bleed[i] == pytest.approx(3 * MM, abs=0.01)
        assert bleed[i + 2] - trim[i + 2] == pytest.approx(3 * MM, abs=0.01)
        assert bleed[i] > media[i]  # the slug around the bleed holds the crop marks
    assert found["/ArtBox"] is None  # PDF/X: TrimBox or ArtBox, never both


def test_every_font_is_embedded_and_subset(a3_poster: Path) -> None:
    with pikepdf.open(a3_poster) as pdf:
        fonts = list(pdf.pages[0].obj.Resources.Font.values())
        assert fonts
        for font in fonts:
            assert font.is_indirect  # print tools list fonts by object; an inline font confuses them
            assert font.Subtype == "/Type0"
            assert re.fullmatch(r"/[A-Z]{6}\+NotoSans-(Regular|Bold)", str(font.BaseFont))
            descriptor = font.DescendantFonts[0].FontDescriptor
            assert "/FontFile2" in descriptor
            assert "/ToUnicode" in font
        assert b"Helvetica" not in a3_poster.read_bytes()


def test_colour_is_cmyk_only_and_text_is_black_only(a3_poster: Path) -> None:
    with pikepdf.open(a3_poster) as pdf:
        page = pdf.pages[0]
        operators = [
            (str(op), [float(x) if isinstance(x, int | float | Decimal) else x for x in operands])
            for operands, op in pikepdf.parse_content_stream(page)
        ]
        names = {op for op, _ in operators}
        assert not names & {"rg", "RG", "g", "G", "sc", "SC"}, "only CMYK (k/K) and separations (cs/scn)"
        assert "k" in names
        fill = None
        for op, operands in operators:
            if op == "k":
                fill = tuple(operands)
            if op == "TJ" and fill is not None and fill[3] == 1.0 and fill[:3] != (0.0, 0.0, 0.0):
                pytest.fail(f"rich black text {fill}: black text must be K only")
        colour_spaces = page.obj.Resources.get("/ColorSpace", {})
        assert colour_spaces, "no registration colour: the crop marks are not in /Separation /All"
        for space in colour_spaces.values():
            assert space[0] == "/Separation" and space[1] == "/All"  # registration colour of crop marks


def test_every_figure_of_the_study_is_printed(a3_poster: Path) -> None:
    text = extracted_text(a3_poster)
    source = load_source(DATA / "materials" / "source.yaml")
    for figure in source.figures:
        printed = f"{figure.value}%" if figure.unit == "percent" else f"{int(figure.value):,}"
        assert printed in text, f"figure {figure.id} ({printed}) is missing from the poster"
    assert "Source: Internet Watch Foundation (IWF), 2018" in text


def test_text_extracts_as_written(a3_poster: Path) -> None:
    text = " ".join(extracted_text(a3_poster).split())
    assert "Live streaming can put children at risk, even at home" in text
    assert "If someone threatens to share pictures, do not pay." in text
    assert "0808 800 5000" in text


def test_qr_code_decodes_to_the_reporting_address(a3_poster: Path) -> None:
    document = pdfium.PdfDocument(str(a3_poster))
    image = document[0].render(scale=150 / 72).to_pil()
    document.close()
    decoded = [result.text for result in zxingcpp.read_barcodes(image)]
    assert decoded == ["https://iwf.org.uk/report"]


def test_background_runs_into_the_bleed(a3_poster: Path) -> None:
    document = pdfium.PdfDocument(str(a3_poster))
    image = document[0].render(scale=1).to_pil().convert("RGB")
    document.close()
    trim = boxes(a3_poster)["/TrimBox"]
    assert trim
    height = image.height
    inside_bleed = (round(trim[0] - 1.5 * MM), round(height - trim[3] - 1.5 * MM))  # top-left corner
    r, g, b = image.getpixel(inside_bleed)
    assert b > r and max(r, g, b) < 120, "the header panel should reach into the bleed"
    slug = (round(trim[0] - 6 * MM), round(height - trim[3] + 20 * MM))
    assert image.getpixel(slug) == (255, 255, 255), "nothing but marks beyond the bleed"


def test_metadata(a3_poster: Path) -> None:
    with pikepdf.open(a3_poster) as pdf:
        info = pdf.docinfo
        assert str(info.Title) == "Live streaming can put children at risk, even at home"
        assert "Internet Watch Foundation (2018)" in str(info.Subject)
        assert "IWF 2018" in str(info.Keywords)
        assert str(pdf.Root.Lang) == "en"
        assert str(info.CreationDate).startswith("D:20261201")  # the newest contact verification (a month)


def test_identical_input_gives_identical_bytes(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    first, second = tmp_path / "1.pdf", tmp_path / "2.pdf"
    assert cli("poster", "--output", str(first)).code == 0
    assert cli("poster", "--output", str(second)).code == 0
    assert first.read_bytes() == second.read_bytes()


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("audience", ["parents", "professionals"])
@pytest.mark.parametrize("language", ["en", "hi", "ar"])
def test_every_template_audience_and_language_fits(  # type: ignore[no-untyped-def]
    tmp_path: Path, cli, template: str, audience: str, language: str
) -> None:
    region = "us" if template in ("poster-letter", "poster-tabloid") else "gb"
    output = tmp_path / "p.pdf"
    result = cli(
        "poster",
        "--template",
        template,
        "--audience",
        audience,
        "--region",
        region,
        "--lang",
        language,
        "--output",
        str(output),
    )
    assert result.code == 0, result.err
    assert "error" not in result.err
    with pikepdf.open(output) as pdf:
        assert "/TrimBox" in pdf.pages[0].obj


EXTRACTION_CASES = [
    *((language, audience, "poster-a3") for language in LANGUAGES for audience in AUDIENCES),
    # right-to-left lines are where extractors go wrong, and each page size wraps captions differently
    *(
        (language, "parents", template)
        for language in ("ar", "ur")
        for template in TEMPLATES
        if template != "poster-a3"
    ),
]


@pytest.mark.parametrize(("language", "audience", "template"), EXTRACTION_CASES)
def test_extracted_text_is_the_logical_source_text(
    tmp_path: Path, cli, language: str, audience: str, template: str
) -> None:  # type: ignore[no-untyped-def]
    """Copying text out of the PDF gives back what the translator wrote, conjuncts and all."""
    output = tmp_path / "poster.pdf"
    command = ("poster", "--lang", language, "--audience", audience, "--template", template)
    assert cli(*command, "--output", str(output)).code == 0
    source = load_source(DATA / "materials" / "source.yaml")
    materials = load_language(DATA / "materials", language, source.figure_ids)
    region = load_region(DATA / "regions" / "gb.yaml")
    content, _ = build_content(source, materials, region, audience, dt.date(2026, 12, 7))

    # compared without white space (a line break in Thai or Chinese is not a space in the source) and
    # without hyphens (pdfium turns a hyphen at a line end into U+FFFE, whether the source had it or the
    # layout added it)
    def bare(text: str) -> str:
        return "".join(text.replace("\ufffe", "").replace("-", "").split())

    text = bare(extracted_text(output))
    expected = [
        content.headline,
        content.subheadline,
        content.key_finding,
        content.call_to_action,
        *content.tips,
        *(s.caption for s in content.key_figures + content.more_figures),
        *(s.number for s in content.key_figures + content.more_figures),
        content.source_line,
    ]
    missing = [s for s in expected if bare(s) not in text]
    assert not missing, f"not extractable as written: {missing}"


def test_pdfx4_with_the_fogra39_output_intent(a3_poster: Path) -> None:
    with pikepdf.open(a3_poster) as pdf:
        assert pdf.pdf_version == "1.6"
        assert str(pdf.docinfo.GTS_PDFXVersion) == "PDF/X-4"
        assert pdf.docinfo.Trapped == pikepdf.Name("/False")
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == pikepdf.Name.GTS_PDFX
        assert str(intent.OutputConditionIdentifier) == "FOGRA39"
        profile = intent.DestOutputProfile
        assert profile.N == 4
        assert profile.read_bytes() == (DATA / "profiles" / "FOGRA39L-coated.icc").read_bytes()
        meta = pdf.open_metadata()
        assert meta["pdfxid:GTS_PDFXVersion"] == "PDF/X-4"
        assert meta["dc:title"] == str(pdf.docinfo.Title)
        assert meta["pdf:Trapped"] == "False"
        assert meta["xmpMM:DocumentID"].startswith("uuid:")


def test_a_clean_run_prints_only_where_the_file_is(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    output = tmp_path / "p.pdf"
    result = cli("poster", "--output", str(output))
    assert result.err == ""
    assert result.out.strip() == f"wrote {output}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_prints_the_same_figures(tmp_path: Path, cli, language: str) -> None:  # type: ignore[no-untyped-def]
    """Each language's poster carries every figure of the study, as that locale writes the number."""
    output = tmp_path / "p.pdf"
    result = cli("poster", "--lang", language, "--audience", "professionals", "--output", str(output))
    assert result.code == 0, result.err
    assert "error" not in result.err
    source = load_source(DATA / "materials" / "source.yaml")
    materials = load_language(DATA / "materials", language, source.figure_ids)
    region = load_region(DATA / "regions" / "gb.yaml")
    content, _ = build_content(source, materials, region, "professionals", dt.date(2026, 12, 7))
    statistics = content.key_figures + content.more_figures
    assert len(statistics) == len(source.figures)
    extracted = extracted_text(output)
    text = "".join(extracted.split())
    for statistic, figure in zip(
        sorted(statistics, key=lambda s: s.id), sorted(source.figures, key=lambda f: f.id), strict=True
    ):
        # the printed number is the study's number, whatever the digits
        digits = re.sub(r"\D", "", statistic.number)
        assert int(digits) == figure.value, statistic
        # and a reader finds that number in the PDF, in every direction: its digits and separators as one
        # number (not digits gathered from all over the page), then, left to right, as written
        number = re.search(r"\d(?:[\d,.\u066b\u066c\s]*\d)?", statistic.number)
        assert number is not None, statistic
        pattern = r"\s*".join(re.escape(part) for part in number.group().split())
        assert re.search(rf"(?<!\d){pattern}(?!\d)", extracted), (language, statistic.number)
        assert "".join(statistic.number.split()) in text or materials.language.direction == "rtl", statistic


def test_a_dutch_poster_for_the_netherlands_reads_in_dutch(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    """Dutch text, Dutch number formatting (CLDR: a dot groups thousands, no space before %), Dutch month."""
    output = tmp_path / "nl.pdf"
    result = cli(
        "poster", "--lang", "nl", "--region", "nl", "--template", "poster-a3", "--output", str(output)
    )
    assert result.code == 0, result.err
    text = " ".join(extracted_text(output).split())
    assert "Livestreamen kan kinderen in gevaar brengen, ook thuis" in text
    # the qualifier stays with the figure, as in English
    assert "meer dan 2.000 beelden en video's werden onderzocht" in text
    assert "2,000" not in text and "over 2" not in text
    for percent in ("96%", "100%", "40%", "18%", "73%", "4%"):
        assert percent in text
    assert re.search(r"Contactgegevens gecontroleerd in [a-z]+ \d{4}", text)
    # "kinderporno" only in a service's name and address, never in our own words
    own_words = text.replace("Meldpunt Kinderporno", "").replace("meldpunt-kinderporno.nl", "")
    assert "kinderporno" not in own_words.lower()
    with pikepdf.open(output) as pdf:
        assert str(pdf.Root.Lang) == "nl"


def test_text_rise_never_leaks_into_the_next_run(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    """Ts (rise) is graphics state, not reset by BT: a run that raises glyphs must lower them again."""
    output = tmp_path / "ar.pdf"
    assert cli("poster", "--lang", "ar", "--output", str(output)).code == 0
    with pikepdf.open(output) as pdf:
        stream = b"".join(
            pikepdf.unparse_content_stream(pikepdf.parse_content_stream(pdf.pages[0])).splitlines(
                keepends=True
            )
        ).decode("latin-1")
    blocks = re.findall(r"BT(.*?)ET", stream, flags=re.S)
    raised = [b for b in blocks if re.search(r"-?[\d.]+ Ts", b)]
    assert raised  # Arabic marks sit above and below the baseline
    for block in raised:
        assert re.findall(r"(-?[\d.]+) Ts", block)[-1] == "0"
