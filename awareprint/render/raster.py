"""The social edition: a laid-out page, rendered as a screen PDF, becomes pixels at the design's own size.

A social design is measured in px (1/96 in), so rendering its PDF at 96 pixels per inch gives exactly the
image size it names (1080 x 1080, 1200 x 630): the text is shaped, broken and fitted by the same layout
stage as the print files, and drawn by the same renderer.
"""

from __future__ import annotations

import io

import msgspec

from awareprint.compose.document import Document
from awareprint.render.html import Page

PIXELS_PER_POINT = 96 / 72
JPEG_QUALITY = 90


class Images(msgspec.Struct, frozen=True):
    png: bytes
    jpeg: bytes
    size: tuple[int, int]


def rasterise(pdf: bytes) -> Images:
    """The PDF's first page in sRGB pixels, as a PNG and a JPEG of the same image."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        image = document[0].render(scale=PIXELS_PER_POINT).to_pil().convert("RGB")
    finally:
        document.close()
    png, jpeg = io.BytesIO(), io.BytesIO()
    image.save(png, "PNG", optimize=True)
    image.save(jpeg, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return Images(png.getvalue(), jpeg.getvalue(), image.size)


def alt_text(document: Document) -> str:
    """What the image says, for readers who cannot see it, in its language: one line per part, in reading
    order (headline, figures, source, contact), taken from the composed page like the HTML edition."""
    page = Page(document)
    lines = [t.plain for t in page.text("headline")]
    lines += [f"{f.number.plain} {f.caption.plain}" for f in page.figures("key_figures")]
    lines += [t.plain for t in page.text("source_line")]
    lines += [" ".join(t.plain for t in contact) for contact in page.items("contacts")]
    return "\n".join(lines) + "\n"
