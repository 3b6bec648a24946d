"""An organisation's logo: CMYK through the output profile, transparency flattened, size checked."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
from PIL import Image, ImageDraw


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
