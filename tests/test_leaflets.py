"""Leaflets, cards, editions and co-branding, end to end: run the CLI, then measure the PDF."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from test_logo import make_logo

from awareprint.compose.document import TextFrame
from awareprint.compose.place import compose
from awareprint.load.content import build_content, load_region, load_source
from awareprint.load.materials import load_language
from awareprint.load.templates import load_template
from awareprint.resources import DATA

MM = 72 / 25.4
TODAY = dt.date.today()  # as the CLI builds its content
FOLDED = ["leaflet-a4-trifold", "leaflet-a5-bifold", "card-dl", "card-a6"]


def text_boxes(path: Path, page_index: int) -> list[tuple[str, float]]:
    """(character, x in mm from the left trim edge) for every character on a page."""
    document = pdfium.PdfDocument(str(path))
    try:
        page = document[page_index]
        trim_left = page.get_trimbox()[0]
        textpage = page.get_textpage()
        found = []
        for index in range(textpage.count_chars()):
            left, _, right, _ = textpage.get_charbox(index)
            # the character at this index itself: get_text_range skips ahead past one that stands for
            # no text (the writer's line-ending glyphs), which would shift every later position
            char = chr(pdfium_c.FPDFText_GetUnicode(textpage, index))
            found.append((char, ((left + right) / 2 - trim_left) / MM))
        return found
    finally:
        document.close()


def x_of(path: Path, page_index: int, words: str) -> float:
    """Where a phrase sits across the sheet (mm from the left trim edge)."""
    boxes = text_boxes(path, page_index)
    text = "".join(c for c, _ in boxes)
    start = text.find(words)
    assert start >= 0, f"{words!r} not on page {page_index}: {text[:200]!r}"
    return boxes[start + len(words) // 2][1]


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Generate a leaflet once per (template, language, audience, edition) and hand back its path."""
    from awareprint.cli import main

    folder = tmp_path_factory.mktemp("leaflets")
    cache: dict[tuple[str, ...], Path] = {}

    def make(template: str, lang: str = "en", audience: str = "parents", *extra: str) -> Path:
        key = (template, lang, audience, *extra)
        if key not in cache:
            output = folder / ("-".join(key).replace("/", "_") + ".pdf")
            code = 0
            try:
                main(["poster", "--template", template, "--lang", lang, "--audience", audience,
                      "--output", str(output), *extra])  # fmt: skip
            except SystemExit as done:
                code = int(done.code or 0)
            assert code == 0, f"{key} failed"
            cache[key] = output
        return cache[key]

    return make


def test_trifold_panels_in_reading_order_left_to_right(made) -> None:  # type: ignore[no-untyped-def]
    path = made("leaflet-a4-trifold", "en", "parents")
    # outside: flap (0-97 mm), back cover (97-197), front cover (197-297)
    assert x_of(path, 0, "What the study found") < 97
    assert 97 < x_of(path, 0, "Where to report") < 197
    assert x_of(path, 0, "Live streaming can") > 197
    # inside: tips (0-100), disclosure (100-200), the tuck-in panel (200-297)
    assert x_of(path, 1, "What you can do") < 100
    assert 100 < x_of(path, 1, "If a child tells you") < 200
    assert x_of(path, 1, "Signs to look out for") > 200


def test_trifold_opens_the_other_way_in_arabic(made) -> None:  # type: ignore[no-untyped-def]
    path = made("leaflet-a4-trifold", "ar", "parents")
    boxes = text_boxes(path, 0)
    arabic_x = [x for c, x in boxes if "\u0600" <= c <= "\u06ff"]
    assert arabic_x
    # the front cover's headline is on the left third; the contacts (Latin names) in the middle
    headline_x = x_of(path, 0, "Internet Watch Foundation")
    assert 100 < headline_x < 200
    with pikepdf.open(path) as pdf:
        assert len(pdf.pages) == 2


@pytest.mark.parametrize("lang", ["ar", "fa", "he", "ur"])
def test_right_to_left_trifold_extracts_as_its_source_text(made, lang: str) -> None:  # type: ignore[no-untyped-def]
    """Every paragraph composed for a page of a right-to-left leaflet reads back from it as written
    (issue 4): left-to-right names and numbers in their order, marks on their letters."""
    path = made("leaflet-a4-trifold", lang, "parents")
    source = load_source(DATA / "materials" / "source.yaml")
    materials = load_language(DATA / "materials", lang, source.figure_ids)
    region = load_region(DATA / "regions" / "gb.yaml")
    content, _ = build_content(source, materials, region, "parents", TODAY)
    document, _ = compose(load_template(DATA / "templates" / "leaflet-a4-trifold.yaml"), content, "test")

    def bare(text: str) -> str:  # as in test_poster_pdf: line breaks and hyphens are the layout's
        return "".join(text.replace("\ufffe", "").replace("-", "").split())

    pdf = pdfium.PdfDocument(str(path))
    try:
        for number, page in enumerate(document.pages):
            text = bare(pdf[number].get_textpage().get_text_range())
            written = [p.text for box in page.boxes if isinstance(box, TextFrame) for p in box.paragraphs]
            assert len(written) > 20
            missing = [p for p in written if bare(p) not in text]
            assert not missing, f"page {number} not extractable as written: {missing}"
    finally:
        pdf.close()


def test_fold_marks_sit_in_the_slug_at_the_folds(made) -> None:  # type: ignore[no-untyped-def]
    for lang, outside_folds in (("en", [97, 197]), ("ar", [100, 200])):
        path = made("leaflet-a4-trifold", lang, "parents")
        with pikepdf.open(path) as pdf:
            page = pdf.pages[0]
            trim = [float(v) for v in page.obj.TrimBox]
            content = page.obj.Contents.read_bytes().decode("latin-1")
            dashed = content[content.index("[2 1.5] 0 d") :]
            xs = {round((float(m) - trim[0]) / MM, 1) for m in re.findall(r"([\d.]+) [\d.]+ m", dashed)}
            assert sorted(xs) == outside_folds, lang
            for x in xs:
                assert x * MM + trim[0] < trim[2]


@pytest.mark.parametrize("template", FOLDED)
@pytest.mark.parametrize("lang", ["en", "ar"])
def test_print_edition_is_pdfx4_with_pages_and_boxes(made, template: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    path = made(template, lang, "professionals")
    with pikepdf.open(path) as pdf:
        assert str(pdf.docinfo.GTS_PDFXVersion) == "PDF/X-4"
        assert len(pdf.pages) == 2
        for page in pdf.pages:
            trim, bleed = ([float(v) for v in page.obj[k]] for k in ("/TrimBox", "/BleedBox"))
            assert bleed[0] < trim[0] and bleed[2] > trim[2]
        (intent,) = pdf.Root.OutputIntents
        assert str(intent.OutputConditionIdentifier) == "FOGRA39"


@pytest.mark.parametrize("template", [*FOLDED, "poster-a3"])
def test_screen_edition_is_rgb_at_trim_size_with_a_link(made, template: str) -> None:  # type: ignore[no-untyped-def]
    path = made(template, "ar", "parents", "--edition", "screen")
    with pikepdf.open(path) as pdf:
        assert "/OutputIntents" not in pdf.Root
        assert "/GTS_PDFXVersion" not in pdf.docinfo
        links = []
        for page in pdf.pages:
            assert "/TrimBox" not in page.obj and "/BleedBox" not in page.obj
            operators = {str(op) for _, op in pikepdf.parse_content_stream(page)}
            assert "rg" in operators and not operators & {"k", "K", "cs", "scn"}
            links += [a.A.URI for a in page.obj.get("/Annots", []) if a.Subtype == "/Link"]
        assert links and all(str(u).startswith(("https://", "tel:", "mailto:")) for u in links)
        assert any(str(u).startswith("tel:") for u in links)  # phone numbers can be called from the file
    print_path = made(template, "ar", "parents")
    with pikepdf.open(print_path) as pdf:
        media = [float(v) for v in pdf.pages[0].obj.MediaBox]
    with pikepdf.open(path) as pdf:
        screen_media = [float(v) for v in pdf.pages[0].obj.MediaBox]
    # the first screen page is the front cover: the outside's last panel (a poster's or card's only one)
    front = load_template(DATA / "templates" / f"{template}.yaml").pages[0].panels[-1]
    assert screen_media[2] == pytest.approx(front.rect.width, abs=0.01)
    assert screen_media[2] < media[2]


def test_pdfx1a_on_request(made) -> None:  # type: ignore[no-untyped-def]
    path = made("leaflet-a5-bifold", "en", "parents", "--pdfx", "x1a")
    with pikepdf.open(path) as pdf:
        assert pdf.pdf_version == "1.4"
        assert str(pdf.docinfo.GTS_PDFXVersion) == "PDF/X-1:2003"
        assert str(pdf.docinfo.GTS_PDFXConformance) == "PDF/X-1a:2003"
        for page in pdf.pages:
            assert "/Group" not in page.obj  # no transparency group
            resources = page.obj.Resources
            for state in resources.get("/ExtGState", {}).values():
                assert float(state.get("/ca", 1)) == 1 and float(state.get("/CA", 1)) == 1


def test_a_print_shops_own_profile_becomes_the_output_intent(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    profile = tmp_path / "shop.icc"
    shutil.copy(DATA / "profiles" / "FOGRA39L-coated.icc", profile)
    output = tmp_path / "leaflet.pdf"
    done = cli("poster", "--template", "card-a6", "--profile", str(profile), "--output", str(output))
    assert done.code == 0, done.err
    with pikepdf.open(output) as pdf:
        (intent,) = pdf.Root.OutputIntents
        assert str(intent.OutputConditionIdentifier) == "Custom"
        assert intent.DestOutputProfile.read_bytes() == profile.read_bytes()
    not_cmyk = tmp_path / "screen.icc"
    not_cmyk.write_bytes(b"\0" * 200)
    done = cli(
        "poster", "--template", "card-a6", "--profile", str(not_cmyk), "--output", str(tmp_path / "x.pdf")
    )
    assert done.code == 1 and "not a CMYK ICC profile" in done.err


def org_file(folder: Path, name: str, colour: str | None = None, logo: Path | None = None) -> Path:
    lines = [
        "organisation:",
        f"  name: {name}",
        "  safeguarding_lead: Ms A. Example",
        "  contact:",
        "    - 020 7946 0000",
        "    - safeguarding@riverside.example.org",
    ]
    if colour:
        lines.append(f"  colour: {colour}")
    if logo:
        lines.append(f"  logo: {logo.name}")
    path = folder / "org.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("lang", "name"),
    [("hi", "सरस्वती विद्या मंदिर"), ("zh-Hans", "河畔社区小学"), ("en", "Riverside Primary School")],
)
def test_school_name_in_any_script_on_a_leaflet(tmp_path: Path, cli, lang: str, name: str) -> None:  # type: ignore[no-untyped-def]
    output = tmp_path / "leaflet.pdf"
    org = org_file(tmp_path, name)
    done = cli(
        "poster",
        "--template",
        "leaflet-a4-trifold",
        "--lang",
        lang,
        "--org",
        str(org),
        "--output",
        str(output),
    )
    assert done.code == 0, done.err
    text = "".join(c for c, _ in text_boxes(output, 0))
    assert name.replace(" ", "") in text.replace(" ", "").replace("\r\n", "")
    assert "020 7946 0000" in text
    assert x_of(output, 0, "020 7946") > 197  # on the front cover


def test_school_name_in_arabic_is_set_in_an_arabic_font(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    output = tmp_path / "leaflet.pdf"
    org = org_file(tmp_path, "مدرسة النور الابتدائية")
    done = cli(
        "poster",
        "--template",
        "leaflet-a4-trifold",
        "--lang",
        "ar",
        "--org",
        str(org),
        "--output",
        str(output),
    )
    assert done.code == 0, done.err
    with pikepdf.open(output) as pdf:
        fonts = {str(f.BaseFont) for f in pdf.pages[0].obj.Resources.Font.values()}
    assert any("NotoNaskhArabic" in f for f in fonts)
    assert x_of(output, 0, "7946") < 100  # front cover on the left: the leaflet opens the other way
    # the phone number keeps its order inside the right-to-left block (digits left to right, groups too)
    boxes = [(c, x) for c, x in text_boxes(output, 0) if c.isdigit() and x < 100]
    groups = "".join(c for c, _ in sorted(boxes, key=lambda b: b[1]))
    assert "02079460000" in groups


def test_brand_colour_replaces_navy_and_is_checked_for_contrast(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    output = tmp_path / "leaflet.pdf"
    brand = org_file(tmp_path, "Riverside", "[0, 90, 80, 45]")
    done = cli("poster", "--template", "card-dl", "--org", str(brand), "--output", str(output))
    assert done.code == 0, done.err
    with pikepdf.open(output) as pdf:
        content = pdf.pages[0].obj.Contents.read_bytes()
    assert b"0 .9 .8 .45 k" in content
    pale = org_file(tmp_path, "Riverside", "[10, 5, 0, 0]")
    done = cli("poster", "--template", "card-dl", "--org", str(pale), "--output", str(tmp_path / "pale.pdf"))
    assert done.code == 1
    assert "org.yaml" in done.err and "organisation.colour" in done.err and "contrast" in done.err
    assert not (tmp_path / "pale.pdf").exists()


def test_logo_on_a_leaflet_needs_300_ppi(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    logo = make_logo(tmp_path / "logo.png", 300, 100)  # fine on a poster's corner, soft on a leaflet
    org = org_file(tmp_path, "Riverside", logo=logo)
    done = cli(
        "poster", "--template", "leaflet-a4-trifold", "--org", str(org), "--output", str(tmp_path / "l.pdf")
    )
    assert done.code == 0
    assert "warning:" in done.err and "300 or more looks sharp on a leaflet" in done.err
    tiny = make_logo(tmp_path / "tiny.png", 90, 30)
    done = cli(
        "poster", "--template", "leaflet-a4-trifold", "--logo", str(tiny), "--output", str(tmp_path / "t.pdf")
    )
    assert done.code == 1 and "too blurred to print" in done.err


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("organisation:\n  nmae: X\n", "did you mean 'name'"),
        ("organisation:\n  name: X\n  logo: missing.png\n", "logo file not found"),
        ("organisation:\n  name: X\n  colour: [0, 0, 0]\n", "org.yaml"),
        ("organisation:\n  name: X\n  contact: [a, b, c, d, e]\n", "room for 4"),
    ],
)
def test_bad_org_files_get_one_clear_line(tmp_path: Path, cli, text: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    org = tmp_path / "org.yaml"
    org.write_text(text)
    done = cli("poster", "--template", "card-a6", "--org", str(org), "--output", str(tmp_path / "x.pdf"))
    assert done.code == 1
    assert expected in done.err and "Traceback" not in done.err
    assert len(done.err.strip().splitlines()) == 1


def test_every_list_item_is_printed_or_the_template_is_refused(
    tmp_path: Path, cli, data: Path, plant
) -> None:  # type: ignore[no-untyped-def]
    plant(
        data / "templates" / "leaflet-a4-trifold.yaml",
        "        content: tips\n",
        "        content: tips\n        items: 1-5\n",
    )
    done = cli(
        "--data", str(data), "poster", "--template", "leaflet-a4-trifold", "--output", str(tmp_path / "x.pdf")
    )
    assert done.code == 1
    assert "prints tips for parents but not item 6, 7, 8, 9, 10" in done.err


def test_the_emergency_number_is_never_left_off(made) -> None:  # type: ignore[no-untyped-def]
    path = made("card-a6", "en", "parents")
    text = "".join(c for c, _ in text_boxes(path, 1))
    assert "999" in text


def test_templates_check_reports_fit_in_every_language(tmp_path: Path, cli, data: Path, plant) -> None:  # type: ignore[no-untyped-def]
    template = data / "templates" / "card-a6.yaml"
    done = cli("--data", str(data), "templates", "check", str(template))
    assert done.code == 0, done.err
    assert "fits (60 layouts)" in done.out
    plant(
        template,
        "      headline: {kind: text, columns: 1-6, rows: 5-13,",
        "      headline: {kind: text, columns: 1-6, rows: 5-6,",
    )
    done = cli("--data", str(data), "templates", "check", str(template))
    assert done.code == 1
    assert "headline" in done.err and "has errors" in done.out


def test_templates_check_reads_back_the_text_it_lays_out(
    cli, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """A page can look right while copy and search lose a slot's text: the fault planted here is a writer
    that leaves Urdu's 'ے' out of the fonts' ToUnicode maps, so Urdu text stops extracting."""
    from awareprint.render import embedding

    def without_urdu_yeh(mapping: dict[int, str]) -> bytes:
        return real({code: text for code, text in mapping.items() if "\u06d2" not in text})

    real = embedding._to_unicode_cmap
    monkeypatch.setattr(embedding, "_to_unicode_cmap", without_urdu_yeh)
    embedding._code_tables.cache_clear()  # tables this process made before the fault was planted
    done = cli("--data", str(data), "templates", "check", str(data / "templates" / "card-a6.yaml"))
    assert done.code == 1 and "has errors" in done.out
    lost = [line for line in done.err.splitlines() if "copy and search do not give back" in line]
    assert lost and all(", ur, " in line for line in lost)
    assert "slot 'headline'" in done.err
