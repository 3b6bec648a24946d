"""The office edition: the design scaled onto the sheet an office printer holds, inside its safe margin.

An office printer cannot print to the edge of the sheet and cannot trim, so the page is the sheet itself
(A4 or US Letter), the trimmed design is centred on it no larger than the sheet less a 5 mm margin on each
side, and panels that would run into the bleed stop at that margin. The file then prints the same at
"Actual size" and at "Fit to page". `--ink light` saves an inkjet's cartridges: panels become outlines
on white paper, and text that was light on a dark panel turns dark.
"""

from __future__ import annotations

import msgspec
from msgspec.structs import replace

from awareprint.units import POINTS_PER_UNIT, Cmyk, Pt

from .document import Disc, Fill, GlyphRun, LaidOutItem, LaidOutPage, PageGeometry, Rect

SAFE_MARGIN_MM = 5.0  # what office and inkjet printers leave unprinted at the sheet's edge, with room
SAFE_MARGIN = Pt(SAFE_MARGIN_MM * POINTS_PER_UNIT["mm"])
SHEETS = {  # portrait width and height in points
    "A4": (Pt(210 * POINTS_PER_UNIT["mm"]), Pt(297 * POINTS_PER_UNIT["mm"])),
    "Letter": (Pt(8.5 * 72), Pt(11 * 72)),
}
# CLDR supplemental data (paperSize): the territories whose offices load US Letter; everyone else A4
LETTER_TERRITORIES = frozenset(
    ["BZ", "CA", "CL", "CO", "CR", "GT", "MX", "NI", "PA", "PH", "PR", "SV", "US", "VE"]
)
_US_TRIMS = ((612.0, 792.0), (792.0, 1224.0))  # Letter and Tabloid: a US design goes on Letter anywhere
INKS = ("normal", "light")
DARK_TEXT = Cmyk(0, 0, 0, 1)  # light text that stood on a panel, on white paper
LIGHT_OUTLINE = Cmyk(0, 0, 0, 0.45)  # the outline of a panel too pale to see as a line
OUTLINE_WIDTH = Pt(0.75)
_LIGHT_INK = 0.5  # total ink below which a colour counts as light: it needs a dark panel behind it


class Sheet(msgspec.Struct, frozen=True):
    """Where the trimmed design goes on the office sheet: its size, and the design's scale and origin
    (from the sheet's bottom-left corner, in points). `flip` is the duplex edge for a two-sided design."""

    name: str
    width: Pt
    height: Pt
    scale: float
    x: Pt
    y: Pt
    flip: str | None  # "short" or "long" edge; None: one side only

    @property
    def duplex_preference(self) -> str:
        """The PDF viewer preference that presets a print dialog's two-sided setting."""
        return {None: "Simplex", "short": "DuplexFlipShortEdge", "long": "DuplexFlipLongEdge"}[self.flip]


def office_sheet(geometry: PageGeometry, country: str | None, sides: int) -> Sheet:
    """A US-sized design goes on Letter; any other on the paper of the region's country (CLDR)."""
    trim = sorted((geometry.trim_width, geometry.trim_height))
    us_design = any(abs(trim[0] - w) < 1 and abs(trim[1] - h) < 1 for w, h in _US_TRIMS)
    name = "Letter" if us_design or country in LETTER_TERRITORIES else "A4"
    short, long = SHEETS[name]
    landscape = geometry.trim_width > geometry.trim_height
    width, height = (long, short) if landscape else (short, long)
    room_w, room_h = width - 2 * SAFE_MARGIN, height - 2 * SAFE_MARGIN
    scale = min(1.0, room_w / geometry.trim_width, room_h / geometry.trim_height)
    x = (width - geometry.trim_width * scale) / 2
    y = (height - geometry.trim_height * scale) / 2
    # a landscape sheet turned over its short edge keeps both sides upright; a portrait one, its long edge
    flip = None if sides < 2 else ("short" if landscape else "long")
    return Sheet(name, Pt(width), Pt(height), scale, Pt(x), Pt(y), flip)


def office_pages(
    pages: tuple[LaidOutPage, ...], geometry: PageGeometry, light: bool
) -> tuple[LaidOutPage, ...]:
    """Panels that ran into the bleed stop at the trim (the sheet's margin); in light ink, panels and marker
    discs become outlines and text too light to read on white paper becomes black."""
    trim = Rect(Pt(0), Pt(0), geometry.trim_width, geometry.trim_height)
    out = []
    for page in pages:
        items = [
            replace(item, rect=_within(item.rect, trim)) if isinstance(item, Fill) else item
            for item in page.items
        ]
        out.append(replace(page, items=tuple(_light(item) if light else item for item in items)))
    return tuple(out)


def _within(rect: Rect, trim: Rect) -> Rect:
    x, y = max(rect.x, trim.x), max(rect.y, trim.y)
    return Rect(Pt(x), Pt(y), Pt(min(rect.right, trim.right) - x), Pt(min(rect.bottom, trim.bottom) - y))


def _light(item: LaidOutItem) -> LaidOutItem:
    match item:
        case Fill() if item.colour.total_ink > 0:
            return replace(item, outline=_outline_colour(item.colour))
        case Disc():
            return replace(item, outline=_outline_colour(item.colour))
        case GlyphRun() if item.colour.total_ink < _LIGHT_INK:
            return replace(item, colour=DARK_TEXT)
    return item


def _outline_colour(colour: Cmyk) -> Cmyk:
    return LIGHT_OUTLINE if colour.total_ink < _LIGHT_INK else colour
