"""An organisation's logo: CMYK through the output profile, transparency flattened, size checked."""

from __future__ import annotations

import io
import os
import struct
import tempfile
import zlib
from pathlib import Path

import pikepdf
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from awareprint.diagnostics import AwareprintError
from awareprint.render.colour import DEFAULT_PROFILE_PATH, as_printed_rgb
from awareprint.render.images import logo_jpeg, open_logo
from awareprint.resources import DATA
from awareprint.units import Cmyk


def make_logo(path: Path, width: int = 900, height: int = 300) -> Path:
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))  # transparent background
    ImageDraw.Draw(image).ellipse((10, 10, height - 10, height - 10), fill=(0, 120, 200, 255))
    image.save(path)
    return path


def test_logo_is_cmyk_jpeg_flattened_onto_its_plate(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    output = tmp_path / "poster.pdf"
    result = cli("poster", "--logo", str(make_logo(tmp_path / "logo.png")), "--output", str(output))
    assert result.code == 0, result.err
    with pikepdf.open(output) as pdf:
        (image,) = pdf.pages[0].get_images().values()
        assert image.ColorSpace == pikepdf.Name.DeviceCMYK
        assert list(image.Filter) == [pikepdf.Name.DCTDecode]
        jpeg = Image.open(io.BytesIO(image.read_raw_bytes()))
        assert jpeg.mode == "CMYK"
        assert max(jpeg.getpixel((jpeg.width - 5, 5))) < 8  # was transparent: now the plate, no ink
        assert str(pdf.docinfo.GTS_PDFXVersion) == "PDF/X-4"


def test_logo_output_is_reproducible(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    logo = make_logo(tmp_path / "logo.png")
    first, second = tmp_path / "1.pdf", tmp_path / "2.pdf"
    assert cli("poster", "--logo", str(logo), "--output", str(first)).code == 0
    assert cli("poster", "--logo", str(logo), "--output", str(second)).code == 0
    assert first.read_bytes() == second.read_bytes()


def test_low_resolution_logo_warns(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli(
        "poster",
        "--logo",
        str(make_logo(tmp_path / "small.png", 150, 50)),
        "--output",
        str(tmp_path / "p.pdf"),
    )
    assert result.code == 0
    assert "warning:" in result.err and "ppi" in result.err


def test_tiny_logo_is_refused(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    output = tmp_path / "p.pdf"
    result = cli("poster", "--logo", str(make_logo(tmp_path / "tiny.png", 60, 20)), "--output", str(output))
    assert result.code == 1
    assert "too blurred to print" in result.err and "pixels wide" in result.err
    assert not output.exists()


def test_huge_or_broken_images_get_one_line(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    huge = tmp_path / "huge.png"
    Image.new("1", (9000, 6000)).save(huge)
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 40)
    for path, expected in (
        (huge, "more than a logo needs"),
        (broken, "not a readable image"),
        (tmp_path / "absent.png", "logo file not found"),
    ):
        result = cli("poster", "--logo", str(path), "--output", str(tmp_path / "p.pdf"))
        assert result.code == 1, path
        assert len(result.err.strip().splitlines()) == 1
        assert expected in result.err


FOGRA39 = (DATA / "profiles" / "FOGRA39L-coated.icc").read_bytes()


def placed_logo(pdf_path: Path) -> Image.Image:
    """The logo as the PDF carries it (a poster's only raster image), decoded."""
    with pikepdf.open(pdf_path) as pdf:
        (image,) = pdf.pages[0].get_images().values()
        assert list(image.Filter) == [pikepdf.Name.DCTDecode]
        decoded = Image.open(io.BytesIO(image.read_raw_bytes()))
        decoded.load()
        return decoded


def poster_with(cli, tmp_path: Path, logo: Path, *options: str) -> Image.Image:  # type: ignore[no-untyped-def]
    output = tmp_path / f"{logo.stem}.pdf"
    result = cli("poster", "--logo", str(logo), "--output", str(output), *options)
    assert result.code == 0, result.err
    return placed_logo(output)


def cmyk_logo(path: Path, profile: bytes | None) -> Path:
    """A print shop's logo: cyan disc, red bar, black-only rule, as an Adobe CMYK JPEG."""
    image = Image.new("CMYK", (900, 300), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, 290, 290), fill=(255, 0, 0, 0))
    draw.rectangle((400, 50, 850, 200), fill=(0, 255, 255, 0))
    draw.rectangle((400, 230, 850, 290), fill=(0, 0, 0, 255))
    image.save(path, "JPEG", quality=95, **({"icc_profile": profile} if profile else {}))
    assert b"Adobe" in path.read_bytes()[:200]  # APP14: the inverted CMYK print software writes
    return path


def close(pixel: tuple[int, ...], expected: tuple[int, ...], tolerance: int = 24) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, expected, strict=True))


def test_cmyk_logo_tagged_with_the_output_profile_keeps_its_numbers(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    # the red-team case: a CMYK JPEG with its own CMYK profile stopped with PyCMSError
    placed = poster_with(cli, tmp_path, cmyk_logo(tmp_path / "shop.jpg", FOGRA39))
    assert placed.mode == "CMYK" and placed.size == (900, 300)
    assert close(placed.getpixel((150, 150)), (255, 0, 0, 0))
    assert close(placed.getpixel((600, 120)), (0, 255, 255, 0))
    assert close(placed.getpixel((600, 260)), (0, 0, 0, 255))  # black only stays black only


def test_cmyk_logo_from_another_condition_is_converted_into_the_output_one(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    other = bytearray(FOGRA39)
    other[24:26] = (2019).to_bytes(2, "big")  # another file: a different profile as far as anyone can tell
    placed = poster_with(cli, tmp_path, cmyk_logo(tmp_path / "shop.jpg", bytes(other)))
    c, m, y, _ = placed.getpixel((600, 120))
    assert m > 200 and y > 200 and c < 40  # still the red
    assert sum(placed.getpixel((600, 260))[:3]) > 60  # converted through the profiles: black is four inks


def test_untagged_cmyk_logo_is_read_as_the_print_condition(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    placed = poster_with(cli, tmp_path, cmyk_logo(tmp_path / "plain.jpg", None))
    assert close(placed.getpixel((150, 150)), (255, 0, 0, 0))
    screen = poster_with(cli, tmp_path, cmyk_logo(tmp_path / "plain2.jpg", None), "--edition", "screen")
    assert screen.mode == "RGB"
    r, g, b = screen.getpixel((150, 150))  # cyan as printed on coated paper
    assert r < 60 and g > 130 and b > 200


def test_profile_that_does_not_fit_the_pixels_is_ignored_with_a_note(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    # the red-team case: an RGB file tagged with a CMYK profile stopped with PyCMSError
    tagged, broken = tmp_path / "tagged.png", tmp_path / "broken.png"
    rgb = Image.new("RGB", (900, 300), (255, 255, 255))
    ImageDraw.Draw(rgb).ellipse((10, 10, 290, 290), fill=(0, 120, 200))
    rgb.save(tagged, icc_profile=FOGRA39)
    rgb.save(broken, icc_profile=b"not a profile" * 20)
    for logo, problem in ((tagged, "is for CMYK images, but the logo is RGB"), (broken, "cannot be read")):
        output = tmp_path / f"{logo.stem}.pdf"
        result = cli("poster", "--logo", str(logo), "--output", str(output))
        assert result.code == 0, result.err
        assert f"note: {logo}: the logo's embedded colour profile {problem}: ignored" in result.err
        assert "read as sRGB" in result.err
        c, m, y, k = placed_logo(output).getpixel((150, 150))
        assert c > 150 and m > 30 and y < 40 and k < 60  # the blue, read as sRGB


def test_16_bit_greyscale_is_scaled_not_clipped_to_white(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    logo = tmp_path / "grey16.png"
    grey = Image.new("I;16", (900, 300), 65535)
    ImageDraw.Draw(grey).ellipse((10, 10, 290, 290), fill=1000)  # near black
    ImageDraw.Draw(grey).rectangle((400, 50, 850, 250), fill=32768)  # middle grey
    grey.save(logo)
    assert Image.open(logo).mode == "I;16"
    placed = poster_with(cli, tmp_path, logo)
    assert sum(placed.getpixel((150, 150))) > 600  # dark: lots of ink (was a white box)
    assert 100 < sum(placed.getpixel((600, 150))) < 500  # a middle grey
    assert max(placed.getpixel((880, 20))) < 8  # white: no ink


def test_exif_orientation_is_applied(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    logo = tmp_path / "phone.jpg"
    stored = Image.new("RGB", (300, 900), (255, 255, 255))
    ImageDraw.Draw(stored).rectangle((0, 0, 299, 100), fill=(200, 0, 0))  # red across the stored top
    exif = Image.Exif()
    exif[0x0112] = 6  # shown turned 90 degrees clockwise: landscape, the red on the right
    stored.save(logo, exif=exif)
    placed = poster_with(cli, tmp_path, logo)
    assert placed.size == (900, 300)
    assert placed.getpixel((880, 150))[1] > 150  # magenta on the right
    assert max(placed.getpixel((20, 150))) < 8


def test_palette_and_grey_alpha_logos_keep_their_transparency(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    palette = tmp_path / "palette.png"
    image = Image.new("P", (900, 300), 0)
    image.putpalette([255, 0, 255, 0, 90, 160] + [0] * 762)
    ImageDraw.Draw(image).ellipse((10, 10, 290, 290), fill=1)
    image.save(palette, transparency=0)  # magenta, but transparent
    grey_alpha = tmp_path / "la.png"
    la = Image.new("LA", (900, 300), (0, 0))
    ImageDraw.Draw(la).ellipse((10, 10, 290, 290), fill=(30, 255))
    la.save(grey_alpha)
    for logo in (palette, grey_alpha):
        placed = poster_with(cli, tmp_path, logo)
        assert max(placed.getpixel((880, 20))) < 8, logo  # transparent: the plate, no ink
        assert sum(placed.getpixel((150, 150))) > 300, logo


@pytest.mark.parametrize("kind", ["GIF", "WEBP"])
def test_other_common_formats_are_read_whatever_their_name(tmp_path: Path, cli, kind: str) -> None:  # type: ignore[no-untyped-def]
    logo = tmp_path / "logo.png"  # named .png, but not a PNG
    image = Image.new("RGB", (900, 300), (255, 255, 255))
    ImageDraw.Draw(image).ellipse((10, 10, 290, 290), fill=(0, 90, 160))
    image.save(logo, kind, **({"lossless": True} if kind == "WEBP" else {}))
    placed = poster_with(cli, tmp_path, logo)
    c, _, _, _ = placed.getpixel((150, 150))
    assert c > 150 and max(placed.getpixel((880, 20))) < 8


def test_animated_logo_prints_its_first_frame_with_a_note(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    logo = tmp_path / "animated.gif"
    frames = [Image.new("RGB", (900, 300), colour) for colour in ((0, 90, 160), (200, 0, 0))]
    frames[0].save(logo, save_all=True, append_images=frames[1:])
    output = tmp_path / "p.pdf"
    result = cli("poster", "--logo", str(logo), "--output", str(output))
    assert result.code == 0, result.err
    assert "note:" in result.err and "the first prints" in result.err
    assert placed_logo(output).getpixel((150, 150))[0] > 150  # cyan: the first frame


def png_header(width: int, height: int) -> bytes:
    """A PNG that only claims its size: enough for a size check, which must come before decoding."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


def one_line_refusal(cli, tmp_path: Path, logo: Path, expected: str) -> None:  # type: ignore[no-untyped-def]
    output = tmp_path / "refused.pdf"
    result = cli("poster", "--logo", str(logo), "--output", str(output))
    assert result.code == 1, (logo, result.err)
    assert len(result.err.strip().splitlines()) == 1, result.err
    assert result.err.startswith("error: ") and expected in result.err, result.err
    assert "Traceback" not in result.err and not output.exists()


def test_each_side_is_limited_as_well_as_the_pixel_count(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    # the red-team case: 1 x 39,000,000 passed the 40,000,000 pixel cap and crashed in the JPEG encoder
    for width, height in ((1, 39_000_000), (25_000, 10), (7000, 7000)):
        logo = tmp_path / f"{width}x{height}.png"
        logo.write_bytes(png_header(width, height))
        one_line_refusal(
            cli, tmp_path, logo, f"the image is {width:,} x {height:,} pixels, more than a logo needs"
        )
    bomb = tmp_path / "bomb.png"  # over Pillow's own bomb limit: refused before Pillow warns or raises
    bomb.write_bytes(png_header(40_000, 40_000))
    one_line_refusal(cli, tmp_path, bomb, "the image is")


def test_damaged_and_foreign_files_get_one_line(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    whole = io.BytesIO()
    Image.new("RGB", (900, 300), (0, 90, 160)).save(whole, "PNG")
    truncated = tmp_path / "truncated.png"
    truncated.write_bytes(whole.getvalue()[: len(whole.getvalue()) // 2])
    one_line_refusal(cli, tmp_path, truncated, "not a readable image")
    bmp = tmp_path / "bitmap.png"
    Image.new("RGB", (900, 300)).save(bmp, "BMP")
    one_line_refusal(
        cli, tmp_path, bmp, "the file is in BMP format; a logo is a PNG, JPEG, WebP or GIF image"
    )
    pdf = tmp_path / "vector.png"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    one_line_refusal(
        cli, tmp_path, pdf, "the file is in PDF format; a logo is a PNG, JPEG, WebP or GIF image"
    )
    tiff = tmp_path / "print.tif"
    Image.new("CMYK", (900, 300)).save(tiff, "TIFF", compression="tiff_lzw")
    one_line_refusal(cli, tmp_path, tiff, "the file is in TIFF format")
    svg = tmp_path / "logo.svg"
    svg.write_text('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>', encoding="utf-8")
    one_line_refusal(cli, tmp_path, svg, "the file is in SVG format")
    for not_a_file in (Path("/dev/zero"), tmp_path):
        one_line_refusal(cli, tmp_path, not_a_file, "not a file")
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    one_line_refusal(cli, tmp_path, fifo, "not a file")  # and no waiting for a writer


def test_a_huge_icc_chunk_gets_one_line(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    logo = tmp_path / "iccp.png"
    image = Image.new("RGB", (900, 300), (0, 90, 160))
    image.save(logo, icc_profile=b"\0" * 50_000_000)  # compresses to 50 KB; Pillow stops inflating at 1 MB
    one_line_refusal(cli, tmp_path, logo, "not a readable image")


def test_transparency_becomes_the_plate_colour_exactly(tmp_path: Path, data: Path, cli, plant) -> None:  # type: ignore[no-untyped-def]
    # flattened in the target space: the plate's own CMYK numbers (print) or its printed sRGB (screen), so
    # no seam shows where the logo's box meets the plate
    plant(data / "templates" / "card-a6.yaml", "rows: 1-4, plate: paper}", "rows: 1-4, plate: navy}")
    navy = Cmyk(1, 0.78, 0.25, 0.38)
    logo = make_logo(tmp_path / "logo.png")
    for edition, expected in (
        ("print", (255, 199, 64, 97)),
        ("screen", tuple(round(v * 255) for v in as_printed_rgb([navy], DEFAULT_PROFILE_PATH)[navy])),
    ):
        output = tmp_path / f"{edition}.pdf"
        options = (
            "--template",
            "card-a6",
            "--logo",
            str(logo),
            "--edition",
            edition,
            "--output",
            str(output),
        )
        result = cli("--data", str(data), "poster", *options)
        assert result.code == 0, result.err
        assert close(placed_logo(output).getpixel((880, 20)), expected, tolerance=3), edition


def _seed_logos() -> list[bytes]:
    """Small logos in every accepted format and mode a mutation should start from."""
    rgb = Image.new("RGB", (120, 40), (255, 255, 255))
    ImageDraw.Draw(rgb).ellipse((2, 2, 38, 38), fill=(0, 90, 160))
    exif = Image.Exif()
    exif[0x0112] = 8
    variants: list[tuple[Image.Image, str, dict[str, object]]] = [
        (rgb, "PNG", {}),
        (rgb, "JPEG", {"exif": exif}),
        (rgb.convert("CMYK"), "JPEG", {"icc_profile": FOGRA39}),
        (rgb.convert("P"), "GIF", {"save_all": True, "append_images": [rgb.rotate(90).convert("P")]}),
        (rgb, "WEBP", {}),
        (rgb.convert("LA"), "PNG", {"icc_profile": FOGRA39[:2000]}),
        (rgb.convert("I;16"), "PNG", {}),
    ]
    seeds = []
    for image, kind, options in variants:
        out = io.BytesIO()
        image.save(out, kind, **options)
        seeds.append(out.getvalue())
    return seeds


SEED_LOGOS = _seed_logos()


@given(
    seed=st.sampled_from(SEED_LOGOS),
    edits=st.lists(
        st.tuples(st.floats(0, 1, exclude_max=True), st.binary(max_size=8)), min_size=1, max_size=6
    ),
)
def test_a_damaged_logo_is_read_or_refused_in_one_line(seed: bytes, edits: list[tuple[float, bytes]]) -> None:
    data = bytearray(seed)
    for place, replacement in edits:
        at = int(place * len(data))
        data[at : at + len(replacement) or at + 1] = replacement
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "logo.png"
        path.write_bytes(bytes(data))
        try:
            logo = open_logo(path)
        except AwareprintError:
            return  # refused: the CLI prints it as its one line, exit 1
        for screen in (False, True):
            placed = Image.open(io.BytesIO(logo_jpeg(logo, Cmyk(0, 0, 0, 0), DEFAULT_PROFILE_PATH, screen)))
            assert placed.size == (logo.width, logo.height)
