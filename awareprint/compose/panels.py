"""The screen edition of a folded leaflet: each panel its own page, in the order a reader meets them.

Print and office keep the printer's imposed spreads (outside and inside sheets, the back cover beside the
front); on a screen that reads as a jumble. The laid-out spreads are cut along the panels' edges: each
item goes to the panel its centre lies in, moved to that panel's origin, and a panel fill is cut to its
panel, so nothing is laid out again and nothing reflows. A right-to-left leaflet was mirrored whole, so
its panels are found mirrored too; their order is the same logical one.
"""

from __future__ import annotations

from msgspec.structs import replace

from awareprint.load.templates import Panel, Template
from awareprint.units import Pt

from .document import Disc, Fill, GlyphRun, LaidOutItem, LaidOutPage, Link, Picture, QrCode, Rect


def panel_pages(pages: tuple[LaidOutPage, ...], template: Template, rtl: bool) -> tuple[LaidOutPage, ...]:
    """One page per panel in the template's reading order; a design of unfolded pages stays as it is."""
    if all(len(page.panels) == 1 for page in template.pages):
        return pages
    width = template.geometry.trim_width
    spreads = {
        page.name: (laid_out, page.panels) for page, laid_out in zip(template.pages, pages, strict=True)
    }
    order = template.reading_order or tuple(
        (page.name, panel.name)
        for page in template.pages
        for panel in (reversed(page.panels) if rtl else page.panels)
    )
    out = []
    for page_name, panel_name in order:
        spread, panels = spreads[page_name]
        panel = next(panel for panel in panels if panel.name == panel_name)
        out.append(_cut(spread, _placed(panel, width, rtl), template.geometry.trim_height))
    return tuple(out)


def _placed(panel: Panel, page_width: Pt, rtl: bool) -> Rect:
    """Where the panel lies on the laid-out spread: mirrored in a right-to-left leaflet, like its slots."""
    rect = panel.rect
    return replace(rect, x=Pt(page_width - rect.right)) if rtl else rect


def _cut(spread: LaidOutPage, panel: Rect, height: Pt) -> LaidOutPage:
    items: list[LaidOutItem] = []
    for item in spread.items:
        if isinstance(item, Fill):
            clipped = _clip(item.rect, panel)
            if clipped is not None:
                items.append(replace(item, rect=_moved(clipped, panel.x)))
        elif panel.x <= _centre_x(item) < panel.right:
            items.append(_shifted(item, panel.x))
    return LaidOutPage(tuple(items), size=(panel.width, height))


def _centre_x(item: LaidOutItem) -> float:
    match item:
        case GlyphRun():
            end = max((glyph.x + glyph.advance for glyph in item.glyphs), default=0.0)
            return item.x + end / 2
        case Disc():
            return item.cx
        case QrCode() | Picture() | Link() | Fill():
            return item.rect.x + item.rect.width / 2


def _shifted(item: LaidOutItem, dx: float) -> LaidOutItem:
    match item:
        case GlyphRun():
            return replace(item, x=Pt(item.x - dx))
        case Disc():
            return replace(item, cx=Pt(item.cx - dx))
        case QrCode() | Picture() | Link() | Fill():
            return replace(item, rect=_moved(item.rect, dx))


def _moved(rect: Rect, dx: float) -> Rect:
    return replace(rect, x=Pt(rect.x - dx))


def _clip(rect: Rect, panel: Rect) -> Rect | None:
    """The part of a fill on the panel (a cover's bleed reaches into its neighbour); None: none."""
    left, right = max(rect.x, panel.x), min(rect.right, panel.right)
    if right <= left:
        return None
    return replace(rect, x=Pt(left), width=Pt(right - left))
