"""The HTML edition: the composed Document as one self-contained, semantic web page.

A sibling of the PDF renderer, fed by the same Document: every text comes from its frames, found by the
role compose gave each (`TextFrame.role`), so the page says exactly what the PDF prints. Where things go
(headings, lists, sections) is the Jinja2 template `html/page.html`, data a designer may change. Nothing
is measured: a browser lays the text out. The page makes no request at all: styles are inline, the logo is
a data: URI, fonts are the reader's own (a system stack), and a Content-Security-Policy says so.
"""

from __future__ import annotations

import base64
from functools import cache
from pathlib import Path

import msgspec

from awareprint.compose.document import Document, Paragraph, Picture, QrCode, TextFrame
from awareprint.render.colour import as_printed_rgb
from awareprint.units import Cmyk

TEMPLATES = Path(__file__).parent / "html"


class Piece(msgspec.Struct, frozen=True):
    """A run of a paragraph's text, a link when `url` is set."""

    text: str
    url: str | None = None


class Text(msgspec.Struct, frozen=True):
    """One paragraph as the page shows it: its pieces, and its own direction where not the page's."""

    pieces: tuple[Piece, ...]
    direction: str | None
    strong: bool
    marker: str | None  # the printed number of a numbered item

    @property
    def plain(self) -> str:
        return "".join(piece.text for piece in self.pieces)


class FigureText(msgspec.Struct, frozen=True):
    number: Text
    caption: Text


class Image(msgspec.Struct, frozen=True):
    src: str  # a data: URI
    alt: str


class Page:
    """What the template asks for, by role: `text("headline")`, `items("tips")`, `figures("key_figures")`."""

    def __init__(self, document: Document) -> None:
        self.metadata = document.metadata
        self.frames: dict[str, list[TextFrame]] = {}
        self.images: list[Image] = []
        self.links: list[str] = []
        for page in document.pages:
            for box in page.boxes:
                if isinstance(box, TextFrame):
                    self.frames.setdefault(box.role, []).append(box)
                elif isinstance(box, Picture):
                    self.images.append(Image(_data_uri(box.jpeg), box.alt or ""))  # "": decoration
                elif isinstance(box, QrCode) and box.data not in self.links:
                    self.links.append(box.data)

    def has(self, role: str) -> bool:
        return role in self.frames

    def text(self, role: str) -> tuple[Text, ...]:
        """Every paragraph of the role's frames, each once (a leaflet repeats its source line)."""
        seen: dict[str, Text] = {}
        for frame in self.frames.get(role, ()):
            for paragraph in frame.paragraphs:
                text = _text(paragraph)
                seen.setdefault(text.plain, text)
        return tuple(seen.values())

    def items(self, role: str) -> tuple[tuple[Text, ...], ...]:
        """A list's items (a contact is a few paragraphs: name, number, caption), in reading order, each once.
        An item starts with a new frame or a paragraph with space before it."""
        items: list[list[Text]] = []
        for frame in self.frames.get(role, ()):
            for index, paragraph in enumerate(frame.paragraphs):
                if index == 0 or paragraph.space_before or paragraph.marker:
                    items.append([])
                items[-1].append(_text(paragraph))
        unique = {tuple(t.plain for t in item): tuple(item) for item in items}
        return tuple(unique.values())

    def numbered(self, role: str) -> bool:
        return any(p.marker for frame in self.frames.get(role, ()) for p in frame.paragraphs)

    def figures(self, role: str) -> tuple[FigureText, ...]:
        numbers = self.text_per_frame(f"{role}.number")
        captions = self.text_per_frame(f"{role}.caption")
        pairs = {(n.plain, c.plain): FigureText(n, c) for n, c in zip(numbers, captions, strict=True)}
        return tuple(pairs.values())

    def text_per_frame(self, role: str) -> list[Text]:
        return [_text(frame.paragraphs[0]) for frame in self.frames.get(role, ())]


def render_html(document: Document, profile: Path) -> bytes:
    """`profile`: the print condition whose look the colours follow (as the screen PDF does)."""
    page = Page(document)
    colours = _css_colours(page.frames, profile)
    html: str = (
        _environment().get_template("page.html").render(page=page, meta=document.metadata, colours=colours)
    )
    return html.encode("utf-8")


@cache
def _environment():  # type: ignore[no-untyped-def]
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def _text(paragraph: Paragraph) -> Text:
    pieces: list[Piece] = []
    rest = paragraph.text
    for text, url in paragraph.links:
        before, found, after = rest.partition(text)
        if not found:
            continue
        if before:
            pieces.append(Piece(before))
        pieces.append(Piece(text, url))
        rest = after
    if rest:
        pieces.append(Piece(rest))
    return Text(
        tuple(pieces),
        paragraph.direction,
        paragraph.font == "bold",
        paragraph.marker.text if paragraph.marker else None,
    )


def _data_uri(jpeg: bytes) -> str:
    return "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii")


# the roles whose printed colour the page takes: headings (the design's or the organisation's colour),
# figures, body text. Taken from the design, so the page looks like the poster.
_COLOUR_ROLES = {
    "accent": ("figures_heading", "tips_heading", "contacts_heading"),
    "figure": ("key_figures.number",),
    "ink": ("key_figures.caption", "tips"),
}


def _css_colours(frames: dict[str, list[TextFrame]], profile: Path) -> dict[str, str]:
    chosen: dict[str, Cmyk] = {}
    for name, roles in _COLOUR_ROLES.items():
        for role in roles:
            if role in frames:
                chosen[name] = frames[role][0].style.colour
                break
        else:
            chosen[name] = Cmyk(0, 0, 0, 1)
    rgb = as_printed_rgb(list(chosen.values()), profile)
    return {name: _hex(rgb[colour]) for name, colour in chosen.items()}


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(v * 255):02x}" for v in rgb)
