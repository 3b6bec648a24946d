"""Regenerate docs/poster-a3-en-gb-parents.png from a real run: `python docs/make_picture.py`."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pypdfium2 as pdfium

from awareprint.pipeline import PosterRequest, make_poster

HERE = Path(__file__).resolve().parent
SCALE = 0.8  # pixels per point: about 57 dpi, enough to read the poster on screen


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        pdf_path = Path(folder) / "poster.pdf"
        make_poster(PosterRequest("en", "gb", "parents", "poster-a3", pdf_path))
        document = pdfium.PdfDocument(str(pdf_path))
        page = document[0]
        left, bottom, right, top = page.get_trimbox()
        width, height = page.get_size()
        crop = (left, bottom, width - right, height - top)  # show the page as trimmed
        image = page.render(scale=SCALE, crop=crop).to_pil().convert("RGB")
        document.close()
    target = HERE / "poster-a3-en-gb-parents.png"
    image.quantize(colors=64).save(target, optimize=True)
    print(f"wrote {target} ({target.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
