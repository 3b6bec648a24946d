"""templates/*.yaml → Template: page geometry, a grid of named slots, colours and a type scale.

A template may `extends:` another and override any part of it; `type_scale` multiplies every type size,
so the A2 and A4 posters are the A3 design at another scale, written as data only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TypeVar, cast

import msgspec
from msgspec.structs import replace

from awareprint.compose.document import PageGeometry, Rect, TextStyle
from awareprint.diagnostics import AwareprintError, Diagnostic, user_error
from awareprint.load.folders import Folder
from awareprint.render.colour import contrast_ratio
from awareprint.resources import DATA
from awareprint.units import MIN_BLEED_MM, POINTS_PER_UNIT, Cmyk, Pt, parse_length

from .materials import AUDIENCES
from .organisation import MAX_CONTACT_LINES
from .remembered import note, remembered
from .schema import Mapping, Node, as_list, as_text, closest_key, load_yaml, parse_node

TEXT_CONTENT = (
    "kicker",
    "headline",
    "subheadline",
    "key_finding",
    "figures_heading",
    "more_figures_heading",
    "tips_heading",
    "call_to_action",
    "contacts_heading",
    "qr_caption",
    "source_line",
    "source_full",
    "contacts_checked",
    "warning_signs_heading",
    "warning_signs_note",
    "disclosure_heading",
    "found_images_heading",
    "categories_heading",
    "categories_intro",
)
TEMPLATE_KINDS = ("poster", "leaflet", "card", "social")  # social: an image for social media, in px
CONTACTS_SHOWN = ("all", "main")  # main: the main reporting contact (the QR code's) and the emergency number
LIST_CONTENT = ("tips", "warning_signs", "disclosure", "found_images", "categories")
SIDES = ("top", "right", "bottom", "left")
FONT_WEIGHTS = ("regular", "bold")
MIN_TEXT_CONTRAST = 4.5  # WCAG AA for body text
MIN_LARGE_TEXT_CONTRAST = 3.0  # WCAG AA for text of 18pt and more
LARGE_TEXT = Pt(18)
PAPER = Cmyk(0, 0, 0, 0)
MM = POINTS_PER_UNIT["mm"]
# What a template may ask for: a page a printer and a PDF reader take, type a reader can read, a grid of cells
MIN_TRIM = Pt(50 * MM)  # a side of the finished page: smaller than a business card's is a mistake
MIN_PANEL = Pt(25 * MM)  # a panel of a folded sheet
MAX_MEDIA = Pt(14_400)  # a side of the sheet with bleed and slug: the largest page PDF readers open (5.08 m)
MIN_BLEED, MAX_BLEED = Pt(MIN_BLEED_MM * MM), Pt(25 * MM)
MIN_SLUG, MAX_SLUG = Pt(6), Pt(50 * MM)  # the slug holds the crop marks
MAX_TYPE_SIZE = Pt(400)
# the smallest type (after type_scale) that reads at each kind: below 6pt small print is lost in the paper's
# grain; a social image is shown on a phone at about a third of its width (1080 px on a 360 px screen), so
# its 28 px text is still 9 px there
MIN_SOCIAL_TEXT_PX = 28
MIN_LEGIBLE_SIZE = {
    "poster": Pt(6),
    "leaflet": Pt(6),
    "card": Pt(6),
    "social": Pt(MIN_SOCIAL_TEXT_PX * POINTS_PER_UNIT["px"]),
}
_STAND_IN_STYLE = TextStyle("regular", Pt(6), Pt(6), 1.2, Cmyk(0, 0, 0, 1))  # for one that cannot be read
TYPE_SCALE = (0.2, 5.0)
LEADING = (0.8, 3.0)  # line height as a multiple of the size
ITEM_SPACING = (0.0, 5.0)  # between list items, as a multiple of the size
LOGO_SHARE = (0.1, 0.9)  # of an organisation block's height: the top row with the logo and name
MAX_GRID = 200  # columns, rows, items per row
_SPAN = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+))?\s*$")
_SIZE_RANGE = re.compile(r"^\s*(\S+?)\s*-\s*(\S+)\s*$")
_TRIM = re.compile(r"^\s*(\S+)\s*x\s*(\S+)\s*$")
_TEMPLATE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")  # a name, never a path
T = TypeVar("T")


class FillSlot(msgspec.Struct, frozen=True):
    """A flat colour: a band, a background, a panel of a leaflet in the brand colour."""

    name: str
    rect: Rect
    colour: Cmyk


class TextSlot(msgspec.Struct, frozen=True):
    name: str
    rect: Rect
    content: str
    style: TextStyle
    align: str
    valign: str


class FiguresSlot(msgspec.Struct, frozen=True):
    name: str
    rect: Rect
    content: str  # "key_figures" or "more_figures"
    columns: int
    arrangement: str  # "stacked": number above caption; "inline": number beside caption
    number_style: TextStyle
    caption_style: TextStyle
    column_gap: Pt


class ListSlot(msgspec.Struct, frozen=True):
    name: str
    rect: Rect
    content: str  # one of LIST_CONTENT
    first: int  # index of the first item shown: a long list can continue in another slot
    last: int | None  # index after the last item shown; None: to the end
    columns: int
    style: TextStyle
    marker: str  # "number" or "none"
    marker_colour: Cmyk
    marker_text_colour: Cmyk
    column_gap: Pt
    item_spacing: float


class ContactsSlot(msgspec.Struct, frozen=True):
    name: str
    rect: Rect
    columns: int
    max_items: int  # the region file lists contacts by priority; the rest are left off with a note
    style: TextStyle
    name_colour: Cmyk
    number_colour: Cmyk
    column_gap: Pt
    show: str = "all"  # "main": the region's main reporting contact (the QR code's) and the emergency number


class QrSlot(msgspec.Struct, frozen=True):
    name: str
    rect: Rect
    colour: Cmyk


class LogoSlot(msgspec.Struct, frozen=True):
    """Where an organisation's logo goes, on a plate of `plate` colour; empty when there is no logo."""

    name: str
    rect: Rect
    plate: Cmyk


class OrganisationSlot(msgspec.Struct, frozen=True):
    """The organisation's name, lead and contact lines (--org), and its logo if `logo_share` is set.

    Empty without an organisation (or, with `logo_share`, a logo). With `logo_share`, a top row of that
    share of its height holds the logo at the reading start with the name beside it; the lead and lines
    go below. A `plate` is a colour field behind it all, so the block reads as one card on a band.
    """

    name: str
    rect: Rect
    style: TextStyle
    name_colour: Cmyk
    align: str
    valign: str
    plate: Cmyk | None = None
    logo_share: float | None = None  # of the height inside the plate: the top row with logo and name
    max_lines: int = 4  # contact lines it has room for; more are left off with a note


Slot = FillSlot | TextSlot | FiguresSlot | ListSlot | ContactsSlot | QrSlot | LogoSlot | OrganisationSlot


class GridLines(msgspec.Struct, frozen=True):
    """A panel's grid as drawn by `templates preview --grid`: each column's and row's edges, in trim space."""

    columns: tuple[tuple[Pt, Pt], ...]  # (left, right) of each column
    rows: tuple[tuple[Pt, Pt], ...]  # (top, bottom) of each row


class Panel(msgspec.Struct, frozen=True):
    """One section of a folded sheet, between folds or a fold and the trim edge; a poster has one."""

    name: str
    rect: Rect  # in trim space, full height
    safe_area: Rect  # inside the margins: where text may go
    grid: GridLines | None = None  # the cells its slots are placed on


class TemplatePage(msgspec.Struct, frozen=True):
    name: str  # "outside", "inside"; "front", "back" for cards
    panels: tuple[Panel, ...]  # left to right as printed
    slots: tuple[Slot, ...]
    audience_of: dict[str, str]  # slot name -> the one audience it is printed for; others are for all
    # slot name -> its area when an organisation (or a logo) is printed: room made for the organisation
    organisation_rects: dict[str, Rect] = msgspec.field(default_factory=dict)

    def slots_for(self, audience: str, organisation: bool = False) -> tuple[Slot, ...]:
        """The page's slots for one audience, moved where the design makes room for an organisation."""
        rects = self.organisation_rects if organisation else {}
        return tuple(
            replace(s, rect=rects[s.name]) if s.name in rects else s
            for s in self.slots
            if self.audience_of.get(s.name, audience) == audience
        )

    @property
    def folds(self) -> tuple[Pt, ...]:
        """x of each fold in trim space: the borders between panels."""
        return tuple(panel.rect.x for panel in self.panels[1:])


class Template(msgspec.Struct, frozen=True):
    name: str
    description: str
    kind: str  # poster, leaflet, card
    geometry: PageGeometry
    pages: tuple[TemplatePage, ...]
    brand_colour: str | None  # the colour an organisation's own colour replaces
    file: Path
    # a folded sheet's panels as (page, panel) in the order a reader meets them: the screen edition's
    # pages; empty: each page's panels in its reading direction
    reading_order: tuple[tuple[str, str], ...] = ()

    @property
    def slots(self) -> tuple[Slot, ...]:
        return tuple(slot for page in self.pages for slot in page.slots)


def list_templates(folder: Folder) -> list[Path]:
    """The templates one may choose (a name starting with _ is a shared base); none at all is an error."""
    found = sorted(p for p in folder.glob("*.yaml") if not p.name.startswith("_"))
    if not found:
        where = folder if isinstance(folder, Path) else folder.builtin
        raise user_error("no templates found", file=where, hint="reinstall awareprint (pip install .)")
    return found


class Brand(msgspec.Struct, frozen=True):
    """An organisation's colour, with where it was written, so a contrast problem names that file."""

    colour: Cmyk
    file: Path
    line: int | None


@remembered(maxsize=32)
def load_template(path: Path, brand: Brand | None = None) -> Template:
    node, _ = _resolve_extends(path, chain=())
    return _build(node, path, brand)


def template_kind(path: Path) -> str:
    """The kind a template says it is (poster, leaflet, card, social), without building it."""
    node, _ = _resolve_extends(path, chain=())
    meta = Mapping(node, *TOP_KEYS).sub("template", *META_KEYS)
    return meta.choice("kind", TEMPLATE_KINDS)


@remembered(maxsize=32)
def extends_chain(path: Path) -> tuple[Path, ...]:
    """The template's file and every file it extends: what a change to the design touches."""
    return _resolve_extends(path, chain=())[1]


def _resolve_extends(path: Path, chain: tuple[Path, ...]) -> tuple[Node, tuple[Path, ...]]:
    """The merged template, and the files it was merged from (itself first)."""
    node = load_yaml(path)
    if not isinstance(node.value, dict) or "extends" not in node.value:
        return node, (path,)
    base_node = node.value["extends"]
    base_name = as_text(base_node)
    if not _TEMPLATE_NAME.fullmatch(base_name):
        raise base_node.error(
            f"'{base_name}' is not a template name",
            hint="name a template in the same folder or a built-in one, e.g. poster-a3",
        )
    base_path = _base_template(path, base_name)
    if base_path.resolve() in chain or base_path.resolve() == path.resolve():
        raise base_node.error("templates extend each other in a circle", hint="remove one 'extends'")
    if not base_path.exists():
        built_in = ", ".join(p.stem for p in list_templates(DATA / "templates"))
        raise base_node.error(
            f"no template '{base_name}' to extend",
            hint=f"put {base_name}.yaml beside {path.name}, or name a built-in one: {built_in}",
        )
    base, files = _resolve_extends(base_path, (*chain, path.resolve()))
    own = {k: v for k, v in node.value.items() if k != "extends"}
    return _merge(base, Node(own, node.file, node.line, node.key)), (path, *files)


def _base_template(path: Path, name: str) -> Path:
    """The template `extends:` names: in the file's own folder, else the built-in one, so a template kept
    anywhere (a data folder, a designer's desktop) can start from poster-a3, and an overlay's poster-a3
    can extend the built-in poster-a3."""
    beside = path.parent / f"{name}.yaml"
    if beside.is_file() and beside.resolve() != path.resolve():
        return beside
    if beside.resolve() != path.resolve():
        note(beside, None)  # one put there later is the base instead
    return DATA / "templates" / f"{name}.yaml"


def _merge(base: Node, override: Node) -> Node:
    """Mappings merge key by key; anything else in the override replaces the base value."""
    if not (isinstance(base.value, dict) and isinstance(override.value, dict)):
        return override
    merged = dict(base.value)
    for key, value in override.value.items():
        merged[key] = _merge(merged[key], value) if key in merged else value
    return Node(merged, override.file, override.line, override.key)


class _Faults:
    """A template's mistakes, gathered as they are found, so a designer sees all of them in one run.

    A part that fails is reported and stands in with a neutral value, so the parts after it are still
    checked; checks that a stand-in could mislead (contrast, the source line) are left for the next run.
    """

    def __init__(self) -> None:
        self.found: list[Diagnostic] = []

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Run a part; its error is recorded and the check goes on after the block."""
        try:
            yield
        except AwareprintError as error:
            self.found.extend(error.diagnostics)

    def attempt(self, build: Callable[[], T], fallback: T) -> T:
        """`build()`, or `fallback` with its error recorded."""
        with self.guard():
            return build()
        return fallback

    def mapping(self, node: Node, required: set[str], optional: set[str] = frozenset()) -> Mapping:  # type: ignore[assignment]
        """A strict Mapping of the keys it knows; each unknown key is a fault, not the end of the check."""
        if isinstance(node.value, dict):
            known = required | optional
            for name, child in node.value.items():
                if name not in known:
                    with self.guard():
                        Mapping(Node({name: child}, node.file, node.line, node.key), set(), known)
            fields = {name: child for name, child in node.value.items() if name in known}
            node = Node(fields, node.file, node.line, node.key)
        return Mapping(node, required, optional)


def _build(node: Node, path: Path, brand: Brand | None) -> Template:
    faults = _Faults()
    template = faults.attempt(lambda: _build_parts(node, path, brand, faults), None)
    if faults.found or template is None:
        first, *more = dict.fromkeys(faults.found)  # one fault met through two routes is one
        raise AwareprintError(first, tuple(more))
    return template


def _build_parts(node: Node, path: Path, brand: Brand | None, faults: _Faults) -> Template:
    root = faults.mapping(node, *TOP_KEYS)
    meta = faults.mapping(root.get("template"), *META_KEYS)
    faults.attempt(lambda: _check_name(meta, path), None)
    kind = faults.attempt(lambda: meta.choice("kind", TEMPLATE_KINDS), "poster")
    page = faults.mapping(root.get("page"), *PAGE_KEYS)
    bleed, slug = faults.attempt(lambda: _bleed_and_slug(page, kind), (MIN_BLEED, MIN_SLUG))
    width, height = faults.attempt(lambda: _trim(page, bleed, slug), (Pt(210 * MM), Pt(297 * MM)))
    margins_spec = faults.mapping(page.get("margins"), set(SIDES))
    margins = tuple(
        faults.attempt(
            partial(
                _length_within,
                margins_spec,
                side,
                Pt(0),
                Pt(min(width, height) / 2),
                "a margin lies inside the page",
            ),
            Pt(0),
        )
        for side in SIDES
    )
    geometry = PageGeometry(width, height, bleed, slug)

    before = len(faults.found)
    colours = _colours(root.get("colours"), faults)
    brand_colour = root.optional_text("brand_colour")
    if brand_colour is not None:
        faults.attempt(lambda: _colour(root.get("brand_colour"), colours), PAPER)
        if brand is not None:
            colours[brand_colour] = brand.colour
    scale = faults.attempt(lambda: root.number("type_scale", 1.0, *TYPE_SCALE), 1.0)
    styles = _styles(root.get("styles"), colours, scale, kind, faults)
    colours_read = len(faults.found) == before
    grid = _grid_spec(faults.mapping(root.get("grid"), *GRID_KEYS), faults)

    if root.has("slots") == root.has("pages"):
        raise root.node.error(
            "a template has either 'slots' (one page) or 'pages' (each with its slots)", hint="keep one"
        )
    pages: list[TemplatePage] = []
    specs = _page_specs(root, faults)
    every_slot_read = True  # else a check across slots could miss the one that was not read
    for page_name, panels_node, slots_node in specs:
        before = len(faults.found)
        with faults.guard():
            panels = _panels(panels_node, page_name, geometry, margins, margins_spec)
            if not isinstance(slots_node.value, dict) or not slots_node.value:
                raise slots_node.error("expected a mapping of slot names to slots")
        if len(faults.found) > before:
            every_slot_read = False  # its slots name panels that could not be read
            continue
        grids = {panel.name: grid.within(panel.safe_area, faults) for panel in panels}
        panels = tuple(replace(panel, grid=grids[panel.name].lines()) for panel in panels)
        slots: list[Slot] = []
        audience_of: dict[str, str] = {}
        panel_of: dict[str, str] = {}
        organisation_rects: dict[str, Rect] = {}
        for name, spec in slots_node.value.items():
            with faults.guard():
                spec, audience = _audience_of(spec)
                spec, panel = _panel_of(spec, panels)
                spec, moved = _with_organisation(spec)
                slot = _slot(name, spec, panel, grids, geometry, colours, styles, faults)
                if moved is not None:
                    organisation_rects[name] = grids[panel.name].area(moved)
                slots.append(slot)
                panel_of[name] = panel.name
                if audience:
                    audience_of[name] = audience
        page_spec = TemplatePage(page_name, panels, tuple(slots), audience_of, organisation_rects)
        pages.append(page_spec)
        if len(slots) < len(slots_node.value):
            every_slot_read = False  # it may be the source line, or the fill behind text
            continue
        if colours_read and len(faults.found) == before:  # a stand-in colour would mislead
            brand_cmyk = colours.get(brand_colour) if brand_colour else None
            for organisation in (False, True):  # the colours meet other backgrounds where slots move
                placed = tuple(s for a in AUDIENCES for s in page_spec.slots_for(a, organisation))
                with faults.guard():
                    _check_contrast(placed, path, brand, brand_cmyk)
        with faults.guard():
            _require_source_line(page_spec, panel_of, slots_node)
    if kind == "leaflet" and every_slot_read and len(pages) == len(root.get("pages").value):
        _require_full_reference(tuple(pages), root.get("pages"))
    reading_order: tuple[tuple[str, str], ...] = ()
    if root.has("reading_order") and len(pages) == len(specs):
        reading_order = faults.attempt(lambda: _reading_order(root.get("reading_order"), pages), ())
    return Template(
        name=meta.text("name"),
        description=meta.text("description"),
        kind=kind,
        geometry=geometry,
        pages=tuple(pages),
        brand_colour=brand_colour,
        file=path,
        reading_order=reading_order,
    )


def _reading_order(node: Node, pages: list[TemplatePage]) -> tuple[tuple[str, str], ...]:
    """`reading_order: [outside.front, inside.left, ...]`: every panel of a folded page, each once."""
    folded = {f"{page.name}.{panel.name}": (page.name, panel.name) for page in pages for panel in page.panels}
    if all(len(page.panels) == 1 for page in pages):
        raise node.error("reading_order orders the panels of a folded sheet, and this one has none")
    order: dict[str, tuple[str, str]] = {}
    for item in as_list(node):
        name = as_text(item)
        if name not in folded:
            close = closest_key(name, set(folded))
            hint = f"did you mean '{close}'?" if close else "name a panel as page.panel: " + ", ".join(folded)
            raise item.error(f"'{name}' is not a panel of this template", hint=hint)
        if name in order:
            raise item.error(f"panel '{name}' is named twice", hint="name each panel once")
        order[name] = folded[name]
    missing = [name for name in folded if name not in order]
    if missing:
        raise node.error(
            f"reading_order leaves out {', '.join(missing)}: the screen edition would lose that text",
            hint="name every panel of the folded sheet once, in the order a reader meets them",
        )
    return tuple(order.values())


def _check_name(meta: Mapping, path: Path) -> None:
    if meta.text("name") != path.stem:
        raise meta.get("name").error(
            f"template name '{meta.text('name')}' does not match the file name '{path.name}'",
            hint=f"set name: {path.stem}",
        )


def _bleed_and_slug(page: Mapping, kind: str) -> tuple[Pt, Pt]:
    """Print needs both; a social image is shown as it is, so it has neither."""
    if kind == "social":
        for key in ("bleed", "slug"):
            if page.has(key):
                message = f"a social image is shown whole, with no {key}"
                raise page.get(key).error(message, hint=f"remove '{key}:'")
        return Pt(0), Pt(0)
    for key in ("bleed", "slug"):
        if not page.has(key):
            raise page.node.error(f"missing key '{key}'", hint=f"add '{key}:' here (a {kind} is printed)")
    bleed = _length_within(page, "bleed", MIN_BLEED, MAX_BLEED, "a print shop trims within the bleed")
    slug = _length_within(page, "slug", MIN_SLUG, MAX_SLUG, "the slug holds the crop marks")
    return bleed, slug


def _trim(page: Mapping, bleed: Pt, slug: Pt) -> tuple[Pt, Pt]:
    """The finished size, refused outside what prints: with bleed and slug, PDF readers must open it."""
    width, height = parse_node(page.get("trim"), _parse_trim)
    media = max(width, height) + 2 * (bleed + slug)
    if min(width, height) < MIN_TRIM or media > MAX_MEDIA:
        raise page.get("trim").error(
            f"a page of {width / MM:.0f}mm x {height / MM:.0f}mm is outside what prints: each side from "
            f"{MIN_TRIM / MM:.0f}mm, and at most {MAX_MEDIA / MM:.0f}mm with bleed and slug",
            hint="write the finished size, e.g. 297mm x 420mm",
        )
    return width, height


def _colours(node: Node, faults: _Faults) -> dict[str, Cmyk]:
    """The named colours; one that cannot be read is reported and stands in as paper."""
    if not isinstance(node.value, dict):
        faults.found.append(
            node.error(f"expected a mapping of colour names to [C, M, Y, K], got {node.kind}").diagnostic
        )
        return {"paper": PAPER}
    spec = Mapping(node, set(node.value))
    colours = {name: faults.attempt(partial(spec.cmyk, name), PAPER) for name in node.value}
    colours.setdefault("paper", PAPER)
    return colours


def _require_source_line(page: TemplatePage, panel_of: dict[str, str], slots_node: Node) -> None:
    """Whoever reads a figure can see where it comes from: a panel (a folded sheet's page, or the whole
    page) that shows figures prints the source line too, for every audience the figures are printed for."""
    for figures in (s for s in page.slots if isinstance(s, FiguresSlot)):
        panel = panel_of[figures.name]
        for audience in AUDIENCES:
            shown = {s.name for s in page.slots_for(audience)}
            if figures.name not in shown:
                continue
            if any(
                isinstance(s, TextSlot) and s.content == "source_line" and panel_of[s.name] == panel
                for s in page.slots_for(audience)
            ):
                continue
            node = cast(dict[str, Node], slots_node.value)[figures.name]  # a mapping: checked on loading
            where = f"page '{page.name}'"
            if len(page.panels) > 1:
                where = f"panel '{panel}' of {where}"
            raise user_error(
                f"slot '{figures.name}' shows the study's figures on {where}, but no source_line is printed "
                f"there for {audience}",
                code="figures-without-source",
                file=node.file,
                line=node.line,
                key=node.key,
                hint=f"add a text slot with content: source_line (style: fine) on {where}",
            )


def _require_full_reference(pages: tuple[TemplatePage, ...], pages_node: Node) -> None:
    """A leaflet is kept and read at leisure: it carries the study's full reference, not only the short."""
    for audience in AUDIENCES:
        printed = (s for page in pages for s in page.slots_for(audience))
        if not any(isinstance(s, TextSlot) and s.content == "source_full" for s in printed):
            raise user_error(
                f"a leaflet prints the study's full reference, but none is printed for {audience}",
                code="leaflet-without-reference",
                file=pages_node.file,
                line=pages_node.line,
                key=pages_node.key,
                hint="add a text slot with content: source_full (style: fine), for example on the back cover",
            )


def _page_specs(root: Mapping, faults: _Faults) -> list[tuple[str, Node | None, Node]]:
    """(page name, its panels node or None for one panel, its slots node), in printing order."""
    if root.has("slots"):
        return [("page", None, root.get("slots"))]
    pages_node = root.get("pages")
    if not isinstance(pages_node.value, dict) or not pages_node.value:
        raise pages_node.error("expected a mapping of page names (outside, inside...) to pages")
    specs = []
    for name in pages_node.value:
        spec = faults.attempt(partial(faults.mapping, pages_node.value[name], *FOLDED_PAGE_KEYS), None)
        if spec is not None:
            specs.append((name, spec.get("panels") if spec.has("panels") else None, spec.get("slots")))
    return specs


def _panels(
    node: Node | None, page: str, geometry: PageGeometry, margins: tuple[Pt, ...], margins_spec: Mapping
) -> tuple[Panel, ...]:
    """The page cut into panels left to right; their widths must add up to the trim width."""
    top, right, bottom, left = margins
    widths: list[tuple[str, Pt]] = [(page, geometry.trim_width)]
    if node is not None:
        spec = Mapping(node, set(node.value) if isinstance(node.value, dict) else set())
        widths = [(name, _length_within(spec, name, MIN_PANEL, MAX_MEDIA, "a panel")) for name in spec.fields]
        total = sum(w for _, w in widths)
        if not widths or abs(total - geometry.trim_width) > 0.5:
            raise node.error(
                f"the panels add up to {total / MM:.1f}mm"
                f" but the page is {geometry.trim_width / MM:.1f}mm wide",
                hint="make the panel widths add up to the trim width",
            )
    panels, x = [], 0.0
    for name, panel_width in widths:
        rect = Rect(Pt(x), Pt(0), panel_width, geometry.trim_height)
        safe = Rect(
            Pt(x + left), top, Pt(panel_width - left - right), Pt(geometry.trim_height - top - bottom)
        )
        if safe.width <= 0 or safe.height <= 0:
            raise margins_spec.node.error(f"the margins leave no room in panel '{name}'")
        panels.append(Panel(name, rect, safe))
        x += panel_width
    return tuple(panels)


def _audience_of(node: Node) -> tuple[Node, str | None]:
    """The slot without its `audience:` key, and that audience (None: the slot is for every audience)."""
    if not isinstance(node.value, dict) or "audience" not in node.value:
        return node, None
    fields = dict(node.value)
    audience_node = fields.pop("audience")
    audience = as_text(audience_node)
    if audience not in AUDIENCES:
        raise audience_node.error(f"unknown audience '{audience}'", hint="one of " + ", ".join(AUDIENCES))
    return Node(fields, node.file, node.line, node.key), audience


def _with_organisation(node: Node) -> tuple[Node, Mapping | None]:
    """The slot without its `with_organisation:` key, and its area with that key's `columns`/`rows`.

    A design makes room for an organisation's block by moving or shrinking other slots only when one
    is printed; without one the page is exactly as designed.
    """
    if not isinstance(node.value, dict) or "with_organisation" not in node.value:
        return node, None
    fields = dict(node.value)
    moved = fields.pop("with_organisation")
    override = Mapping(moved, set(), {"columns", "rows"})
    area = {key: override.get(key) if override.has(key) else fields.get(key) for key in ("columns", "rows")}
    present = {key: value for key, value in area.items() if value is not None}
    return Node(fields, node.file, node.line, node.key), Mapping(
        Node(present, moved.file, moved.line, moved.key), {"columns", "rows"}
    )


def _panel_of(node: Node, panels: tuple[Panel, ...]) -> tuple[Node, Panel]:
    """The slot without its `panel:` key, and the panel it names (the only one, if there is one)."""
    if not isinstance(node.value, dict):
        return node, panels[0]
    fields = dict(node.value)
    panel_node = fields.pop("panel", None)
    names = [panel.name for panel in panels]
    if panel_node is None:
        if len(panels) > 1:
            raise node.error("a slot on a folded page needs 'panel'", hint="one of " + ", ".join(names))
        return node, panels[0]
    name = as_text(panel_node)
    if name not in names:
        raise panel_node.error(f"no panel named '{name}' on this page", hint="one of " + ", ".join(names))
    return Node(fields, node.file, node.line, node.key), panels[names.index(name)]


def _parse_trim(text: str) -> tuple[Pt, Pt]:
    match = _TRIM.match(text)
    if not match:
        raise ValueError(f"'{text}' is not a page size; write width x height, e.g. 297mm x 420mm")
    return parse_length(match.group(1)), parse_length(match.group(2))


def _styles(
    node: Node, colours: dict[str, Cmyk], scale: float, kind: str, faults: _Faults
) -> dict[str, TextStyle]:
    """The type roles, each size at least the smallest that reads at the template's kind (after scale).

    A style that cannot be read is reported and stands in as the smallest legible size, so the slots
    that use it are still checked without a second error about a style that is not there.
    """
    if not isinstance(node.value, dict):
        faults.found.append(node.error(f"expected a mapping of style names, got {node.kind}").diagnostic)
        return {}
    return {
        name: faults.attempt(
            partial(_style_of, faults, spec_node, colours, scale, kind),
            _STAND_IN_STYLE,
        )
        for name, spec_node in node.value.items()
    }


def _style_of(faults: _Faults, node: Node, colours: dict[str, Cmyk], scale: float, kind: str) -> TextStyle:
    return _style(faults.mapping(node, *STYLE_KEYS), colours, scale, kind)


def _style(spec: Mapping, colours: dict[str, Cmyk], scale: float, kind: str) -> TextStyle:
    low, high = parse_node(spec.get("size"), _parse_size_range)
    minimum = MIN_LEGIBLE_SIZE[kind]
    if kind == "social" and low * scale < minimum - 0.01:
        raise spec.get("size").error(
            f"'{spec.get('size').value}' may shrink to {low * scale / POINTS_PER_UNIT['px']:.0f}px, "
            "too small to read on a phone",
            code="type-too-small",
            hint=f"a social image's text is at least {MIN_SOCIAL_TEXT_PX}px: raise the size's minimum",
        )
    if low * scale < minimum or high * scale > MAX_TYPE_SIZE:
        scaled = f" (x type_scale {scale:g}: {low * scale:.3g}pt-{high * scale:.3g}pt)"
        raise spec.get("size").error(
            f"'{spec.get('size').value}'{scaled if scale != 1 else ''} is outside the sizes a {kind} prints "
            f"legibly, {minimum:g}pt to {MAX_TYPE_SIZE:g}pt",
            code="type-too-small" if low * scale < minimum else "input",
            hint="raise or lower the sizes, or the type_scale" if scale != 1 else f"e.g. {minimum:g}pt-9pt",
        )
    return TextStyle(
        font=spec.choice("font", FONT_WEIGHTS),
        min_size=Pt(low * scale),
        max_size=Pt(high * scale),
        leading=spec.number("leading", None, *LEADING),
        colour=_colour(spec.get("colour"), colours),
    )


def _length_within(spec: Mapping, key: str, low: Pt, high: Pt, why: str) -> Pt:
    """A length of the page, refused (naming its key) outside [low, high]."""
    value = spec.length(key)
    if not low <= value <= high:
        raise spec.get(key).error(
            f"'{spec.get(key).value}' is outside {_mm(low)} to {_mm(high)}: {why}",
            hint=f"write a length from {_mm(low)} to {_mm(high)}",
        )
    return value


def _mm(length: float) -> str:
    """In millimetres where that is a round number (3mm, 148.5mm), else in points (6pt)."""
    mm = length / MM
    return f"{round(mm, 1):g}mm" if abs(mm - round(mm, 1)) < 1e-6 else f"{length:g}pt"


def _parse_size_range(text: str) -> tuple[Pt, Pt]:
    match = _SIZE_RANGE.match(text)
    low, high = (match.group(1), match.group(2)) if match else (text, text)
    low_pt, high_pt = parse_length(low), parse_length(high)
    if low_pt <= 0 or high_pt < low_pt:
        raise ValueError(f"'{text}' is not a size range; write min-max, e.g. 14pt-20pt")
    return low_pt, high_pt


def _colour(node: Node, colours: dict[str, Cmyk]) -> Cmyk:
    name = as_text(node)
    if name not in colours:
        raise node.error(
            f"no colour named '{name}'",
            hint="define it under 'colours' or use one of: " + ", ".join(sorted(colours)),
        )
    return colours[name]


class _GridSpec(msgspec.Struct, frozen=True):
    """The grid as written: each panel's safe area is cut into it (`within`)."""

    columns: int
    rows: int
    gap: Pt
    gap_node: Node

    def within(self, safe: Rect, faults: _Faults) -> _Grid:
        def checked() -> _Grid:
            if self.gap > safe.width or safe.width - self.gap * (self.columns - 1) <= 0:
                raise self.gap_node.error("the column gap leaves no room for the columns")
            return _Grid(self.columns, self.rows, self.gap, safe)

        return faults.attempt(checked, _Grid(self.columns, self.rows, Pt(0), safe))


def _grid_spec(grid: Mapping, faults: _Faults) -> _GridSpec:
    """Columns, rows and gap; one that cannot be read stands in as the largest grid, so spans still read."""
    columns = faults.attempt(lambda: grid.integer("columns", minimum=1, maximum=MAX_GRID), MAX_GRID)
    rows = faults.attempt(lambda: grid.integer("rows", minimum=1, maximum=MAX_GRID), MAX_GRID)
    gap = faults.attempt(
        lambda: _length_within(grid, "column_gap", Pt(0), MAX_MEDIA, "the gap lies between columns"), Pt(0)
    )
    return _GridSpec(columns, rows, gap, grid.get("column_gap"))


class _Grid:
    """Columns and rows inside the margins; slots name spans such as `columns: 1-6`."""

    def __init__(self, columns: int, rows: int, gap: Pt, safe: Rect) -> None:
        self.columns, self.rows, self.gap, self.safe = columns, rows, gap, safe
        self.column_width = (safe.width - gap * (columns - 1)) / columns
        self.row_height = safe.height / rows

    def lines(self) -> GridLines:
        lefts = [self.safe.x + i * (self.column_width + self.gap) for i in range(self.columns)]
        tops = [self.safe.y + i * self.row_height for i in range(self.rows)]
        return GridLines(
            tuple((Pt(x), Pt(x + self.column_width)) for x in lefts),
            tuple((Pt(y), Pt(y + self.row_height)) for y in tops),
        )

    def area(self, spec: Mapping) -> Rect:
        first_col, last_col = self.span(spec.get("columns"), self.columns)
        first_row, last_row = self.span(spec.get("rows"), self.rows)
        x = self.safe.x + (first_col - 1) * (self.column_width + self.gap)
        width = (last_col - first_col + 1) * self.column_width + (last_col - first_col) * self.gap
        y = self.safe.y + (first_row - 1) * self.row_height
        height = (last_row - first_row + 1) * self.row_height
        return Rect(Pt(x), Pt(y), Pt(width), Pt(height))

    @staticmethod
    def span(node: Node, count: int | None) -> tuple[int, int]:
        """`3-5` → (3, 5), counted from 1; `count` is the grid's size (None: no upper limit)."""
        match = _SPAN.match(as_text(node))
        if not match:
            raise node.error(f"'{node.value}' is not a span; write first-last, e.g. 1-6")
        first = int(match.group(1))
        last = int(match.group(2) or first)
        if not 1 <= first <= last or (count is not None and last > count):
            raise node.error(f"span {first}-{last} is outside the grid of {count}")
        return first, last


TOP_KEYS = (
    {"template", "page", "grid", "colours", "styles"},
    {"type_scale", "slots", "pages", "brand_colour", "reading_order"},
)
META_KEYS = ({"name", "description", "kind"}, set[str]())
PAGE_KEYS = ({"trim", "margins"}, {"bleed", "slug"})  # bleed and slug: required in print, refused in social
GRID_KEYS = ({"columns", "rows", "column_gap"}, set[str]())
FOLDED_PAGE_KEYS = ({"slots"}, {"panels"})
STYLE_KEYS = ({"font", "size", "leading", "colour"}, set[str]())
_COMMON = {"kind", "columns", "rows"}
# every slot may also name its `panel` (on a folded page), an `audience` and `with_organisation` (its
# columns and rows when an organisation is printed); these are read before the keys below
SLOT_KEYS: dict[str, tuple[set[str], set[str]]] = {  # kind -> (required keys, optional keys)
    "fill": (_COMMON | {"colour"}, {"bleed"}),
    "text": (_COMMON | {"content", "style"}, {"align", "valign"}),
    "figures": (_COMMON | {"content", "number_style", "caption_style", "per_row"}, {"arrangement"}),
    "list": (
        _COMMON | {"content", "style", "per_row"},
        {"marker", "marker_colour", "marker_text_colour", "item_spacing", "items"},
    ),
    "contacts": (_COMMON | {"style", "per_row", "max_items", "name_colour", "number_colour"}, {"show"}),
    "qr": (_COMMON | {"colour"}, set()),
    "logo": (_COMMON | {"plate"}, set()),
    "organisation": (
        _COMMON | {"style", "name_colour"},
        {"align", "valign", "plate", "logo_share", "max_lines"},
    ),
}


def _slot(
    name: str,
    node: Node,
    panel: Panel,
    grids: dict[str, _Grid],
    geometry: PageGeometry,
    colours: dict[str, Cmyk],
    styles: dict[str, TextStyle],
    faults: _Faults,
) -> Slot:
    if not isinstance(node.value, dict) or "kind" not in node.value:
        raise node.error("a slot needs a 'kind'", hint="one of " + ", ".join(SLOT_KEYS))
    kind = as_text(node.value["kind"])
    if kind not in SLOT_KEYS:
        raise node.value["kind"].error(f"unknown slot kind '{kind}'", hint="one of " + ", ".join(SLOT_KEYS))
    spec = faults.mapping(node, *SLOT_KEYS[kind])

    def named_style(spec: Mapping, key: str) -> TextStyle:
        style_name = spec.text(key)
        if style_name not in styles:
            raise spec.get(key).error(f"no style named '{style_name}'", hint="define it under 'styles'")
        return styles[style_name]

    # a style, colour or span that cannot be read is reported and stands in, so the slot still counts
    # for the checks across slots (the source line beside the figures)
    def style(spec: Mapping, key: str) -> TextStyle:
        return faults.attempt(lambda: named_style(spec, key), _STAND_IN_STYLE)

    def colour(spec: Mapping, key: str) -> Cmyk:
        return faults.attempt(lambda: _colour(spec.get(key), colours), PAPER)

    grid = grids[panel.name]
    area = faults.attempt(lambda: grid.area(spec), grid.safe)
    if kind == "fill":
        rect = area
        sides = set(spec.texts("bleed")) if spec.has("bleed") else set()
        for side_node in as_list(spec.get("bleed")) if spec.has("bleed") else []:
            if as_text(side_node) not in SIDES:
                raise side_node.error(f"'{side_node.value}' is not a side", hint="top, right, bottom or left")
        return FillSlot(name, _bleed_out(rect, sides, geometry, panel), colour(spec, "colour"))
    if kind == "text":
        return TextSlot(
            name,
            area,
            spec.choice("content", TEXT_CONTENT),
            style(spec, "style"),
            spec.choice("align", ("start", "center", "end"), "start"),
            spec.choice("valign", ("top", "middle", "bottom"), "top"),
        )
    if kind == "figures":
        return FiguresSlot(
            name,
            area,
            spec.choice("content", ("key_figures", "more_figures")),
            spec.integer("per_row", minimum=1, maximum=MAX_GRID),
            spec.choice("arrangement", ("stacked", "inline"), "stacked"),
            style(spec, "number_style"),
            style(spec, "caption_style"),
            grid.gap,
        )
    if kind == "list":
        marker = spec.choice("marker", ("number", "none"), "number")
        first, last = _Grid.span(spec.get("items"), None) if spec.has("items") else (1, None)
        return ListSlot(
            name,
            area,
            spec.choice("content", LIST_CONTENT),
            first - 1,
            last,
            spec.integer("per_row", minimum=1, maximum=MAX_GRID),
            style(spec, "style"),
            marker,
            colour(spec, "marker_colour") if spec.has("marker_colour") else PAPER,
            colour(spec, "marker_text_colour") if spec.has("marker_text_colour") else PAPER,
            grid.gap,
            spec.number("item_spacing", 0.6, *ITEM_SPACING),
        )
    if kind == "contacts":
        return ContactsSlot(
            name,
            area,
            spec.integer("per_row", minimum=1, maximum=MAX_GRID),
            spec.integer("max_items", minimum=1, maximum=MAX_GRID),
            style(spec, "style"),
            colour(spec, "name_colour"),
            colour(spec, "number_colour"),
            grid.gap,
            spec.choice("show", CONTACTS_SHOWN, "all"),
        )
    if kind == "logo":
        return LogoSlot(name, area, colour(spec, "plate"))
    if kind == "organisation":
        return OrganisationSlot(
            name,
            area,
            style(spec, "style"),
            colour(spec, "name_colour"),
            spec.choice("align", ("start", "center", "end"), "start"),
            spec.choice("valign", ("top", "middle", "bottom"), "top"),
            colour(spec, "plate") if spec.has("plate") else None,
            spec.number("logo_share", None, *LOGO_SHARE) if spec.has("logo_share") else None,
            spec.integer("max_lines", MAX_CONTACT_LINES, minimum=0, maximum=MAX_CONTACT_LINES),
        )
    return QrSlot(name, area, colour(spec, "colour"))


def _bleed_out(rect: Rect, sides: set[str], geometry: PageGeometry, panel: Panel) -> Rect:
    """Stretch a fill past the margins on the named sides: to the trim edge plus bleed, or to a fold."""
    b = geometry.bleed
    at_left_edge = panel.rect.x < 0.01
    at_right_edge = panel.rect.right > geometry.trim_width - 0.01
    left = (-b if at_left_edge else panel.rect.x) if "left" in sides else rect.x
    top = -b if "top" in sides else rect.y
    right = (
        (geometry.trim_width + b if at_right_edge else panel.rect.right) if "right" in sides else rect.right
    )
    bottom = geometry.trim_height + b if "bottom" in sides else rect.bottom
    return Rect(Pt(left), Pt(top), Pt(right - left), Pt(bottom - top))


def _check_contrast(
    slots: tuple[Slot, ...], path: Path, brand: Brand | None, brand_colour: Cmyk | None
) -> None:
    """Every text colour against the fill it sits on (or paper) must reach WCAG AA contrast.

    Where the organisation's colour is one of the two, the error names the organisation's file.
    """
    fills = [s for s in slots if isinstance(s, FillSlot)]
    for slot in slots:
        pairs: list[tuple[str, Cmyk, Pt]] = []
        if isinstance(slot, TextSlot | ListSlot | ContactsSlot | OrganisationSlot):
            pairs.append(("style", slot.style.colour, slot.style.min_size))
        if isinstance(slot, FiguresSlot):
            pairs += [
                ("number_style", slot.number_style.colour, slot.number_style.min_size),
                ("caption_style", slot.caption_style.colour, slot.caption_style.min_size),
            ]
        if isinstance(slot, ContactsSlot):
            pairs += [
                ("name_colour", slot.name_colour, slot.style.min_size),
                ("number_colour", slot.number_colour, slot.style.min_size),
            ]
        if isinstance(slot, OrganisationSlot):
            pairs.append(("name_colour", slot.name_colour, slot.style.min_size))
        if not pairs:
            continue
        background = PAPER
        for fill in fills:
            if fill.rect.contains(slot.rect):
                background = fill.colour
        if isinstance(slot, OrganisationSlot) and slot.plate is not None:
            background = slot.plate
        for key, colour, size in pairs:
            ratio = contrast_ratio(colour, background)
            needed = MIN_LARGE_TEXT_CONTRAST if size >= LARGE_TEXT else MIN_TEXT_CONTRAST
            if ratio >= needed:
                continue
            if brand is not None and brand_colour in (colour, background):
                where = "behind" if background == brand_colour else "as the colour of"
                raise user_error(
                    f"the organisation's colour has contrast {ratio:.1f}:1 {where} the text in"
                    f" '{slot.name}' of template '{path.stem}', below {needed}:1",
                    file=brand.file,
                    line=brand.line,
                    key="organisation.colour",
                    hint="choose a darker colour (white text sits on it), or leave the colour out",
                )
            raise user_error(
                f"text colour on its background has contrast {ratio:.1f}:1, below {needed}:1",
                file=path,
                key=f"slots.{slot.name}.{key}",
                hint="choose a darker text colour or a lighter fill",
            )
