"""The data passed between compose → text layout → render: geometry, styles, placed boxes, laid-out items.

Coordinates are points in trim space with the origin at the top-left corner of the trimmed page and y
growing downwards (as a designer measures); only the renderer flips to PDF's bottom-up space.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from awareprint.units import Cmyk, Pt

if TYPE_CHECKING:
    from .office import Sheet


# Where a piece of content sits in the document's logical structure (tagged PDF), from the top down: each
# step a structure role (H1, P, L, LI, Lbl, LBody, Figure, Link) and a key naming that element, so pieces
# with the same key at a step belong to one element. Empty: decided by the text layout (a paragraph).
StructPath = tuple[tuple[str, str], ...]


class Rect(msgspec.Struct, frozen=True):
    x: Pt
    y: Pt
    width: Pt
    height: Pt

    @property
    def right(self) -> Pt:
        return Pt(self.x + self.width)

    @property
    def bottom(self) -> Pt:
        return Pt(self.y + self.height)

    def contains(self, other: Rect, tolerance: float = 0.01) -> bool:
        return (
            other.x >= self.x - tolerance
            and other.y >= self.y - tolerance
            and other.right <= self.right + tolerance
            and other.bottom <= self.bottom + tolerance
        )


class PageGeometry(msgspec.Struct, frozen=True):
    trim_width: Pt
    trim_height: Pt
    bleed: Pt
    slug: Pt  # beyond the bleed, holds the crop marks

    @property
    def offset(self) -> Pt:
        """Distance from the media edge to the trim edge."""
        return Pt(self.bleed + self.slug)

    @property
    def media_size(self) -> tuple[Pt, Pt]:
        return Pt(self.trim_width + 2 * self.offset), Pt(self.trim_height + 2 * self.offset)


class TextStyle(msgspec.Struct, frozen=True):
    """A role in the type scale: the layout picks a size between min and max so the text fits."""

    font: str  # a weight in the font manifest: "regular" or "bold"
    min_size: Pt
    max_size: Pt
    leading: float  # line height as a multiple of the size
    colour: Cmyk


class Marker(msgspec.Struct, frozen=True):
    """A number or bullet hanging in front of a paragraph's first line, in a filled disc."""

    text: str
    text_colour: Cmyk
    disc_colour: Cmyk


class Paragraph(msgspec.Struct, frozen=True):
    text: str
    font: str | None = None  # overrides the frame style's weight
    scale: float = 1.0  # size relative to the frame's fitted size
    colour: Cmyk | None = None
    space_before: float = 0.0  # in multiples of the frame's fitted size
    marker: Marker | None = None
    # bidi base direction if not the frame's: phone numbers are "ltr" anywhere; "auto" takes it from the
    # first strong character (an organisation's own lines: '020 7946 0000' stays in order in Arabic)
    direction: str | None = None
    # phone numbers and web or e-mail addresses: never hyphenated (a hyphen would make a wrong address), but
    # a line may break after a dot, slash or @ inside them, as print does with long addresses
    address: bool = False
    # the user's file the text was written in (an organisation's), so a character no font has is reported
    # there; None: the project's own strings
    written_in: Path | None = None
    tag: StructPath = ()
    # each web address, e-mail address or phone number in the text, as (its text, the link it opens)
    links: tuple[tuple[str, str], ...] = ()


class TextFrame(msgspec.Struct, frozen=True):
    """Text to be fitted into `rect`. Frames sharing a `fit_group` get one common size."""

    name: str
    rect: Rect
    paragraphs: tuple[Paragraph, ...]
    style: TextStyle
    align: str  # "start", "center", "end" (start is right in right-to-left text)
    valign: str  # "top", "middle", "bottom"
    direction: str  # "ltr" or "rtl"
    language: str
    fit_group: str | None = None
    # what the text is, for editions that give it structure (HTML, tagged PDF): the content it prints
    # ("headline", "tips", "contacts", "organisation", ...); a figure's parts are "key_figures.number" and
    # "key_figures.caption", in the order of the figures
    role: str = ""


class Fill(msgspec.Struct, frozen=True):
    rect: Rect
    colour: Cmyk
    outline: Cmyk | None = None  # drawn as an outline in this colour instead (the office edition's light ink)


class QrCode(msgspec.Struct, frozen=True):
    """A QR symbol, already encoded: `modules[row][column]` is True for a dark module (no quiet zone)."""

    rect: Rect
    data: str
    modules: tuple[tuple[bool, ...], ...]
    colour: Cmyk
    alt: str = ""  # where it leads, for a screen reader


class Picture(msgspec.Struct, frozen=True):
    rect: Rect
    jpeg: bytes  # CMYK JPEG for print, sRGB for screen: ready to embed as it is
    alt: str | None = None  # what it shows, for a screen reader; None: decoration


class Metadata(msgspec.Struct, frozen=True):
    title: str
    subject: str
    keywords: tuple[str, ...]
    language: str
    author: str
    date: dt.date  # the content's date, written as the PDF's creation date: reproducible and meaningful
    direction: str = "ltr"  # the language's: "rtl" asks viewers and text extractors to read right to left


class Link(msgspec.Struct, frozen=True):
    """A clickable area in the screen edition (print ignores it)."""

    rect: Rect
    url: str
    description: str = ""  # what a screen reader says for it
    tag: StructPath = ()  # the Link element's place in the structure


Box = TextFrame | Fill | QrCode | Picture | Link


class DocumentPage(msgspec.Struct, frozen=True):
    boxes: tuple[Box, ...]
    folds: tuple[Pt, ...] = ()  # x of each fold in trim space, marked in the slug


class Document(msgspec.Struct, frozen=True):
    geometry: PageGeometry
    pages: tuple[DocumentPage, ...]
    metadata: Metadata


# --- text layout output -----------------------------------------------------------------------


class PlacedGlyph(msgspec.Struct, frozen=True):
    """One glyph: id in its font, pen offset from the run origin in points, and the text it stands for.

    `text` is the cluster's source text on the first glyph of a cluster and "" on the others, so the
    concatenation of a run's glyph texts in logical order is the run's text.
    """

    glyph_id: int
    x: float
    y: float
    advance: float
    text: str


class GlyphRun(msgspec.Struct, frozen=True):
    """Glyphs of one font, size and direction on one line, in visual order (left to right).

    A line's runs are consecutive items, left to right: the first says how many there are
    (`line_runs`), and each its place in the line's reading order (`reading`), so a renderer can give
    text extractors the line's text in reading order.
    """

    font_file: str  # path of the font file, the key the renderer embeds by
    size: Pt
    x: Pt  # baseline origin of the run in trim space
    y: Pt
    glyphs: tuple[PlacedGlyph, ...]
    text: str  # logical text of the run
    colour: Cmyk
    rtl: bool = False
    reading: int = 0  # index of the run in its line's reading (logical) order
    line_runs: int = 1  # how many runs the line has
    tag: StructPath = ()


class Disc(msgspec.Struct, frozen=True):
    cx: Pt
    cy: Pt
    radius: Pt
    colour: Cmyk
    outline: Cmyk | None = None  # as for Fill


LaidOutItem = GlyphRun | Disc | Fill | QrCode | Picture | Link


class FittedFrame(msgspec.Struct, frozen=True):
    """Where a frame's text ended up: the size chosen and the box the ink occupies."""

    name: str
    size: Pt
    used_height: Pt
    rect: Rect


class LaidOutPage(msgspec.Struct, frozen=True):
    items: tuple[LaidOutItem, ...]
    folds: tuple[Pt, ...] = ()
    # each text slot's name and paragraphs: what copy and search must give back (templates check)
    slots: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # width and height when not the document's trim: one panel of a folded sheet (the screen edition)
    size: tuple[Pt, Pt] | None = None


class ScreenColours(msgspec.Struct, frozen=True):
    """The screen edition: the sRGB of each CMYK colour used, as it prints (through the output profile)."""

    rgb: dict[Cmyk, tuple[float, float, float]]


class LaidOutDocument(msgspec.Struct, frozen=True):
    geometry: PageGeometry
    pages: tuple[LaidOutPage, ...]
    metadata: Metadata
    screen: ScreenColours | None = None  # None: the print edition (CMYK, bleed, marks)
    sheet: Sheet | None = None  # the office edition: the design placed on an office printer's sheet
