"""The social edition: images at the sizes social media use, with text a phone can read, and alt text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PIL import Image

from awareprint.compose.document import GlyphRun, TextFrame
from awareprint.diagnostics import AwareprintError
from awareprint.load.content import build_content, load_region, load_source
from awareprint.load.materials import load_language
from awareprint.load.templates import MIN_SOCIAL_TEXT_PX, load_template
from awareprint.pipeline import PosterRequest, lay_out, make_poster
from awareprint.resources import DATA
from awareprint.text.fonts import load_manifest

PROJECT = Path(__file__).resolve().parent.parent
SIZES = {"social-square": (1080, 1080), "social-portrait": (1080, 1350), "social-link": (1200, 630)}
PX = 0.75  # points per pixel


@pytest.fixture(scope="session")
def images(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    """Every social design in English, Arabic, Hindi and Chinese (the PNG; JPEG and alt text beside it)."""
    folder = tmp_path_factory.mktemp("social")
    made = {}
    for template in SIZES:
        for language in ("en", "ar", "hi", "zh-Hans"):
            output = folder / f"{template}-{language}.png"
            make_poster(PosterRequest(language, "gb", "parents", template, output, edition="social"))
            made[template, language] = output
    return made


def test_each_image_has_its_size_in_png_and_jpeg(images: dict[tuple[str, str], Path]) -> None:
    for (template, _), png in images.items():
        with Image.open(png) as image:
            assert (image.format, image.size, image.mode) == ("PNG", SIZES[template], "RGB")
        with Image.open(png.with_suffix(".jpg")) as image:
            assert (image.format, image.size) == ("JPEG", SIZES[template])


def test_the_alt_text_says_what_the_image_says_in_its_language(images: dict[tuple[str, str], Path]) -> None:
    source = load_source(DATA / "materials" / "source.yaml")
    region = load_region(DATA / "regions" / "gb.yaml")
    for (template, language), png in images.items():
        materials = load_language(DATA / "materials", language, source.figure_ids)
        content, _ = build_content(source, materials, region, "parents", dt.date.today())
        alt = png.with_suffix(".txt").read_text(encoding="utf-8")
        assert alt.startswith(content.headline + "\n"), template
        for figure in content.key_figures:
            assert f"{figure.number} {figure.caption}" in alt
        assert content.source_line in alt and content.qr_contact.caption in alt


@pytest.mark.parametrize("template", SIZES)
@pytest.mark.parametrize("language", ["en", "ar", "hi", "zh-Hans", "ta", "de"])
def test_everything_is_printed_large_enough_to_read_on_a_phone(template: str, language: str) -> None:
    """Headline, the four key figures, the emergency number and the main reporting contact, and the source
    line are laid out, every glyph at least the minimum size in pixels, and all of it inside the image."""
    source = load_source(DATA / "materials" / "source.yaml")
    materials = load_language(DATA / "materials", language, source.figure_ids)
    region = load_region(DATA / "regions" / "gb.yaml")
    content, _ = build_content(source, materials, region, "parents", dt.date.today())
    design = load_template(DATA / "templates" / f"{template}.yaml")
    document, laid_out, found = lay_out(
        design, content, load_manifest(DATA / "fonts" / "manifest.yaml"), screen=True
    )
    assert not [d for d in found if d.severity.name == "ERROR"]
    roles = [box.role for box in document.pages[0].boxes if isinstance(box, TextFrame)]
    assert sorted(roles) == sorted(
        ["headline", "source_line", "contacts", "contacts"]
        + ["key_figures.number", "key_figures.caption"] * 4
    )
    runs = [item for item in laid_out.pages[0].items if isinstance(item, GlyphRun)]
    text = "".join(run.text for run in runs)
    for figure in content.key_figures:
        assert figure.number.replace(" ", "") in text.replace(" ", "")
    assert content.qr_contact.address in text
    emergency = next(c for c in content.contacts if c.emergency)
    assert emergency.phone and emergency.phone in text  # every image, like every page, has it
    assert min(run.size for run in runs) / PX >= MIN_SOCIAL_TEXT_PX
    width, height = SIZES[template]
    assert all(0 <= run.x / PX <= width and 0 <= run.y / PX <= height for run in runs)


def test_text_is_drawn_where_the_layout_put_it(images: dict[tuple[str, str], Path]) -> None:
    """Measured on the pixels: the headline's band holds light text on the dark band, and the image has
    as many dark text rows as lines were laid out (no blank image, no clipped block)."""
    with Image.open(images["social-square", "en"]) as image:
        grey = image.convert("L")
        header = grey.crop((64, 60, 1016, 220))
        assert header.getextrema() == (header.getextrema()[0], 255)  # white text on navy
        body = grey.crop((64, 300, 1016, 720))
        pixels = body.load()
        dark_rows = sum(1 for y in range(body.height) if min(pixels[x, y] for x in range(body.width)) < 80)
        assert dark_rows > 150  # four figures and their captions


def test_a_template_with_text_too_small_for_a_phone_is_refused(data: Path, plant) -> None:  # type: ignore[no-untyped-def]
    styles = data / "templates" / "_social.yaml"
    plant(styles, "size: 28px-30px", "size: 20px-30px")
    with pytest.raises(
        AwareprintError, match=r"styles.fine.size.*may shrink to 20px, too small to read on a phone"
    ):
        load_template(data / "templates" / "social-square.yaml")


def test_a_social_template_has_no_bleed(data: Path, plant) -> None:  # type: ignore[no-untyped-def]
    path = data / "templates" / "social-square.yaml"
    plant(path, "  trim: 1080px x 1080px\n", "  trim: 1080px x 1080px\n  bleed: 3mm\n")
    with pytest.raises(AwareprintError, match="a social image is shown whole, with no bleed"):
        load_template(path)


def test_editions_and_designs_must_match(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("poster", "--edition", "social", "--output", f"{tmp_path}/")
    assert result.code == 1 and "the social edition needs a social template" in result.err
    result = cli("poster", "--template", "social-square", "--output", f"{tmp_path}/")
    assert result.code == 1 and "is a social image: make it with --edition social" in result.err
    result = cli("poster", "--template", "social-link", "--edition", "social", "--output", f"{tmp_path}/")
    assert result.code == 0, result.err
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f"social-link-en-gb-parents.{ext}" for ext in ("jpg", "png", "txt")
    ]
