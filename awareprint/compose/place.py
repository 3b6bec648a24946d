"""Template + Content → Document: every slot becomes placed boxes. Nothing is measured here.

Right-to-left languages mirror the order of cells in a row (figures, list columns, contacts); the text
layout stage mirrors alignment and markers inside each frame.
"""

from __future__ import annotations

import math
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec
from msgspec.structs import replace

from awareprint.diagnostics import Diagnostic, Severity
from awareprint.load.content import CONTACT_SEPARATOR, Contact, Content, Statistic, contacts_checked
from awareprint.load.templates import (
    PAPER,
    ContactsSlot,
    FiguresSlot,
    FillSlot,
    ListSlot,
    LogoSlot,
    OrganisationSlot,
    QrSlot,
    Slot,
    Template,
    TextSlot,
)
from awareprint.render.colour import DEFAULT_PROFILE_PATH
from awareprint.render.qr import qr_modules
from awareprint.units import Pt

from .document import (
    Box,
    Document,
    DocumentPage,
    Fill,
    Link,
    Marker,
    Metadata,
    Paragraph,
    Picture,
    QrCode,
    Rect,
    TextFrame,
    TextStyle,
)
from .structure import QR_TAG, figure_tag, links_in, list_item_tag, text_tag

if TYPE_CHECKING:
    from awareprint.render.images import Logo

FIGURE_NUMBER_SHARE = 0.42  # of a stacked figure cell's height, for the number
INLINE_NUMBER_SHARE = 0.36  # of an inline figure cell's width, for the number
CONTACT_DETAIL_SCALE = 1.2  # phone numbers and addresses, relative to the contact text
LOGO_PADDING = 0.12  # of the slot's smaller side, between the plate's edge and the logo
ORGANISATION_NAME_SCALE = 1.1  # the name beside the logo, relative to the lead and lines
PLATE_PADDING = 0.6  # around the organisation's card, in ems of its largest text
LOGO_SHARE_BESIDE_NAME = 0.35  # of the card's width at most, so the name beside the logo has room
CONTACT_SPACING = 0.7  # space above each contact after the first, in ems of the contact text


def compose(
    template: Template,
    content: Content,
    author: str,
    logo: Logo | None = None,
    profile: Path = DEFAULT_PROFILE_PATH,
    screen: bool = False,
) -> tuple[Document, list[Diagnostic]]:
    """`profile` is the print condition the logo is converted into (or, `screen`, shown as printed in sRGB);
    the screen edition also adds clickable links."""
    pages: list[DocumentPage] = []
    diagnostics: list[Diagnostic] = []
    rtl = content.direction == "rtl"
    width = template.geometry.trim_width
    listed: dict[str, set[int]] = {}  # list content -> indices of the items some slot prints
    co_branded = content.organisation_name is not None or logo is not None
    shown: set[str] = set()  # what of the organisation some slot printed: "name", "logo"
    checked = contacts_checked(content, _printed_contacts(template, content, co_branded))
    for page in template.pages:
        boxes: list[Box] = []
        for slot in page.slots_for(content.audience, co_branded):
            if isinstance(slot, ListSlot):
                count = len(getattr(content, slot.content))
                listed.setdefault(slot.content, set()).update(range(count)[slot.first : slot.last])
            if rtl:  # a right-to-left leaflet opens the other way: panels, folds and slots all mirror
                slot = replace(slot, rect=_mirrored(slot.rect, width))
            if isinstance(slot, LogoSlot):
                if logo is not None:
                    placed, found = _logo(slot, logo, profile, screen, rtl, template.kind, content.logo_alt)
                    boxes += placed
                    diagnostics += found
                    shown.add("logo")
                continue
            if isinstance(slot, OrganisationSlot):
                block = _organisation(slot, content, logo, profile, screen, template, page.name)
                boxes += block.boxes
                diagnostics += block.diagnostics
                shown |= block.shown
                continue
            boxes += _boxes(slot, content, screen, checked)
            diagnostics += _left_off(slot, content, template)
        folds = tuple(sorted(Pt(width - x) if rtl else x for x in page.folds))
        pages.append(DocumentPage(tuple(boxes), folds))
    diagnostics += _unprinted_items(listed, content, template)
    diagnostics += _organisation_unshown(shown, content, logo is not None, template)
    if logo is not None and "logo" in shown:
        diagnostics += logo.notes
    metadata = Metadata(
        title=content.title,
        subject=content.subject,
        keywords=content.keywords,
        language=content.language,
        author=author,
        date=content.date,
        direction=content.direction,
    )
    return Document(template.geometry, tuple(pages), metadata), diagnostics


def _unprinted_items(listed: dict[str, set[int]], content: Content, template: Template) -> list[Diagnostic]:
    """A list split over slots (`items: 1-5`, `items: 6-10`) must print every item: advice is never cut."""
    found = []
    for name, indices in listed.items():
        unprinted = [str(i + 1) for i in range(len(getattr(content, name))) if i not in indices]
        if unprinted:
            found.append(
                Diagnostic(
                    Severity.ERROR,
                    "list-items-unprinted",
                    f"template '{template.name}' prints {name} for {content.audience} but not item"
                    f" {', '.join(unprinted)}",
                    file=template.file,
                    key=f"slots.{name}",
                    hint="extend a slot's 'items' range, or add a slot for the rest",
                )
            )
    return found


def _left_off(slot: Slot, content: Content, template: Template) -> list[Diagnostic]:
    if isinstance(slot, ContactsSlot) and len(content.contacts) > slot.max_items:
        shown = _shown_contacts(slot, content)
        left_off = ", ".join(c.title for c in content.contacts if c not in shown)
        return [
            Diagnostic(
                Severity.INFO,
                "contacts-left-off",
                f"template '{template.name}' has room for {slot.max_items} contacts; left off: {left_off}",
                file=template.file,
                key=f"slots.{slot.name}.max_items",
            )
        ]
    return []


def _boxes(slot: Slot, content: Content, screen: bool, checked: str) -> list[Box]:
    """`checked` is the "Contacts checked" line of the whole document (it depends on what it prints)."""
    rtl = content.direction == "rtl"
    match slot:
        case FillSlot():
            return [Fill(slot.rect, slot.colour)]
        case TextSlot():
            text = checked if slot.content == "contacts_checked" else getattr(content, slot.content)
            paragraph = Paragraph(text, tag=text_tag(slot.content))
            return [
                TextFrame(
                    slot.name,
                    slot.rect,
                    (paragraph,),
                    slot.style,
                    slot.align,
                    slot.valign,
                    content.direction,
                    content.language,
                    role=slot.content,
                )
            ]
        case FiguresSlot():
            figures = content.key_figures if slot.content == "key_figures" else content.more_figures
            return _figures(slot, figures, content, rtl)
        case ListSlot():
            return _list(slot, content)
        case ContactsSlot():
            return _contacts(slot, content)
        case QrSlot():
            side = Pt(min(slot.rect.width, slot.rect.height))
            square = Rect(Pt(slot.rect.x + (slot.rect.width - side) / 2), slot.rect.y, side, side)
            alt = f"{content.qr_caption}: {content.qr_url}"  # what it shows and where it leads
            link = [Link(square, content.qr_url, alt, QR_TAG)] if screen else []
            return [
                Fill(square, PAPER),
                QrCode(square, content.qr_url, qr_modules(content.qr_url), slot.colour, alt),
                *link,
            ]
    raise AssertionError(f"unhandled slot {slot!r}")


def _logo(
    slot: LogoSlot, logo: Logo, profile: Path, screen: bool, rtl: bool, kind: str, alt: str | None
) -> tuple[list[Box], list[Diagnostic]]:
    """The logo on its plate, as large as the slot allows, at the reading start of the slot."""
    from awareprint.render.images import logo_jpeg, resolution_diagnostic  # Pillow: only with a logo

    pad = min(slot.rect.width, slot.rect.height) * LOGO_PADDING
    room_w, room_h = slot.rect.width - 2 * pad, slot.rect.height - 2 * pad
    width = min(room_w, room_h * logo.aspect)
    height = width / logo.aspect
    plate_w = width + 2 * pad
    plate_x = slot.rect.x if rtl else slot.rect.right - plate_w  # the plate sits in the outer corner
    plate = Rect(Pt(plate_x), slot.rect.y, Pt(plate_w), Pt(height + 2 * pad))
    picture = Rect(Pt(plate_x + pad), Pt(slot.rect.y + pad), Pt(width), Pt(height))
    found = resolution_diagnostic(logo, width, kind)
    jpeg = logo_jpeg(logo, slot.plate, profile, screen)
    return [Fill(plate, slot.plate), Picture(picture, jpeg, alt)], [found] if found else []


def _mirrored(rect: Rect, page_width: float) -> Rect:
    """The slot's place in a right-to-left design: mirrored about the page's vertical axis."""
    return replace(rect, x=Pt(page_width - rect.right))


def _cells(rect: Rect, count: int, per_row: int, gap: float, rtl: bool) -> list[Rect]:
    """Split a slot into `count` cells, `per_row` to a row, filled in reading order."""
    rows = max(1, math.ceil(count / per_row))
    width = (rect.width - gap * (per_row - 1)) / per_row
    height = rect.height / rows
    cells = []
    for index in range(count):
        row, column = divmod(index, per_row)
        if rtl:
            column = per_row - 1 - column
        cells.append(
            Rect(Pt(rect.x + column * (width + gap)), Pt(rect.y + row * height), Pt(width), Pt(height))
        )
    return cells


def _figures(slot: FiguresSlot, figures: tuple[Statistic, ...], content: Content, rtl: bool) -> list[Box]:
    boxes: list[Box] = []
    numbers: list[Box] = []
    number_group, caption_group = f"{slot.name}.number", f"{slot.name}.caption"
    for index, (figure, cell) in enumerate(
        zip(figures, _cells(slot.rect, len(figures), slot.columns, slot.column_gap, rtl), strict=True)
    ):
        if slot.arrangement == "stacked":
            number_height = Pt(cell.height * FIGURE_NUMBER_SHARE)
            number_rect = Rect(cell.x, cell.y, cell.width, number_height)
            caption_rect = Rect(
                cell.x, Pt(cell.y + number_height), cell.width, Pt(cell.height - number_height)
            )
            number_valign = "bottom"
        else:
            number_width = Pt(cell.width * INLINE_NUMBER_SHARE)
            gap = slot.column_gap / 3
            number_x = cell.right - number_width if rtl else cell.x
            caption_x = cell.x if rtl else cell.x + number_width + gap
            number_rect = Rect(Pt(number_x), cell.y, number_width, cell.height)
            caption_rect = Rect(Pt(caption_x), cell.y, Pt(cell.width - number_width - gap), cell.height)
            number_valign = "top"
        common = {"align": "start", "direction": content.direction, "language": content.language}
        number_frame = TextFrame(
            f"{slot.name}[{index}].number",
            number_rect,
            (Paragraph(figure.number, tag=figure_tag(slot.name, index)),),
            slot.number_style,
            valign=number_valign,
            fit_group=number_group,
            role=f"{slot.content}.number",
            **common,
        )
        caption_frame = TextFrame(
            f"{slot.name}[{index}].caption",
            caption_rect,
            (Paragraph(figure.caption, tag=figure_tag(slot.name, index)),),
            slot.caption_style,
            valign="top",
            fit_group=caption_group,
            role=f"{slot.content}.caption",
            **common,
        )
        (numbers if rtl else boxes).append(number_frame)
        boxes.append(caption_frame)
    # In a right-to-left poster the numbers are drawn before all the captions, not each before its own.
    # Text extractors (pdfium, poppler) join text at about the same height into one line and order its
    # pieces by x; a large number drawn between captions, at the right of the caption it belongs to, is
    # joined to a line of the next caption or bridges two lines of its own and shuffles them. Drawn
    # first, the numbers make lines of their own.
    return numbers + boxes


class _Block(msgspec.Struct, frozen=True):
    boxes: list[Box]
    diagnostics: list[Diagnostic]
    shown: set[str]  # "name", "logo"


def _organisation(
    slot: OrganisationSlot,
    content: Content,
    logo: Logo | None,
    profile: Path,
    screen: bool,
    template: Template,
    page: str,
) -> _Block:
    """The organisation's card: a plate, the logo with the name beside it, then the lead and lines."""
    if content.organisation_name is None:
        if logo is None or slot.logo_share is None:
            return _Block([], [], set())
        # a logo alone (--logo): on a plate of its own in the outer corner of the card's top row
        row = replace(slot.rect, height=Pt(slot.rect.height * slot.logo_share))
        corner = LogoSlot(slot.name, row, slot.plate or PAPER)
        rtl = content.direction == "rtl"
        placed, found = _logo(corner, logo, profile, screen, rtl, template.kind, content.logo_alt)
        return _Block(placed, found, {"logo"})
    boxes: list[Box] = []
    inner = slot.rect
    if slot.plate is not None:
        boxes.append(Fill(slot.rect, slot.plate))
        inner = _inset(slot.rect, slot.style.max_size * PLATE_PADDING)
    lines = content.organisation_lines[: slot.max_lines]
    found = _lines_left_off(lines, content, template, slot, page)
    frame = partial(
        TextFrame,
        style=slot.style,
        direction=content.direction,
        language=content.language,
        align=slot.align,
        role="organisation",
    )
    written_in = content.organisation_file
    name = Paragraph(content.organisation_name, font="bold", colour=slot.name_colour, written_in=written_in)
    body = (
        *([Paragraph(content.organisation_lead, written_in=written_in)] if content.organisation_lead else []),
        *(
            Paragraph(line, direction="auto", written_in=written_in, links=links_in(line, CONTACT_SEPARATOR))
            for line in lines
        ),
    )
    if slot.logo_share is None:
        boxes.append(frame(name=slot.name, rect=inner, paragraphs=(name, *body), valign=slot.valign))
        return _Block(boxes, found, {"name"})
    gap = Pt(slot.style.max_size / 2)
    top = Rect(inner.x, inner.y, inner.width, Pt(inner.height * slot.logo_share))
    body_rect = Rect(inner.x, Pt(top.bottom + gap), inner.width, Pt(inner.bottom - top.bottom - gap))
    shown = {"name"}
    if logo is not None:  # at the reading start of the top row, the name beside it
        from awareprint.render.images import logo_jpeg, resolution_diagnostic  # Pillow: only with a logo

        width = Pt(min(top.height * logo.aspect, inner.width * LOGO_SHARE_BESIDE_NAME))
        height = Pt(width / logo.aspect)
        rtl = content.direction == "rtl"
        x = inner.right - width if rtl else inner.x
        picture = Rect(Pt(x), Pt(top.y + (top.height - height) / 2), width, height)
        jpeg = logo_jpeg(logo, slot.plate or PAPER, profile, screen)
        boxes.append(Picture(picture, jpeg, content.logo_alt))
        resolution = resolution_diagnostic(logo, width, template.kind)
        found += [resolution] if resolution else []
        shown.add("logo")
        top = Rect(Pt(top.x if rtl else top.x + width + gap), top.y, Pt(top.width - width - gap), top.height)
    name = replace(name, scale=ORGANISATION_NAME_SCALE)
    boxes.append(frame(name=f"{slot.name}.name", rect=top, paragraphs=(name,), valign="middle"))
    if body:
        boxes.append(frame(name=f"{slot.name}.lines", rect=body_rect, paragraphs=body, valign="top"))
    return _Block(boxes, found, shown)


def _inset(rect: Rect, by: float) -> Rect:
    return Rect(Pt(rect.x + by), Pt(rect.y + by), Pt(rect.width - 2 * by), Pt(rect.height - 2 * by))


def _lines_left_off(
    lines: tuple[str, ...], content: Content, template: Template, slot: OrganisationSlot, page: str
) -> list[Diagnostic]:
    left_off = content.organisation_lines[len(lines) :]
    if not left_off:
        return []
    where = f" on its {page}" if len(template.pages) > 1 else ""
    return [
        Diagnostic(
            Severity.INFO,
            "organisation-left-off",
            f"template '{template.name}' has room for {slot.max_lines} of the organisation's"
            f" {len(content.organisation_lines)} contact lines{where}; left off there: "
            + ", ".join(f"'{line}'" for line in left_off),
            file=content.organisation_file,
            key="organisation.contact",
            hint="put the most important lines first, or choose a template with more room",
        )
    ]


def _organisation_unshown(
    shown: set[str], content: Content, logo: bool, template: Template
) -> list[Diagnostic]:
    """What the organisation gave that this template has no slot for, each named: never dropped silently."""
    missing = []
    if content.organisation_name is not None and "name" not in shown:
        missing.append(("organisation.name", "its name, lead and contact lines"))
    if logo and "logo" not in shown:
        missing.append(("organisation.logo", "its logo"))
    return [
        Diagnostic(
            Severity.INFO,
            "organisation-left-off",
            f"template '{template.name}' has no slot for the organisation's {what}; left off",
            file=content.organisation_file,
            key=key,
            hint="choose a template with an organisation block, or add one to this template",
        )
        for key, what in missing
    ]


def _list(slot: ListSlot, content: Content) -> list[Box]:
    texts: tuple[str, ...] = getattr(content, slot.content)
    items: list[tuple[Paragraph, ...]] = []
    for number, text in enumerate(texts[slot.first : slot.last], start=slot.first + 1):
        marker = (
            Marker(str(number), slot.marker_text_colour, slot.marker_colour)
            if slot.marker == "number"
            else None
        )
        items.append((Paragraph(text, marker=marker, tag=list_item_tag(slot.content, number)),))
    # slots continuing one list share one type size
    group = f"list:{slot.content}"
    return _flow(
        slot.name,
        slot.rect,
        slot.columns,
        slot.column_gap,
        slot.style,
        slot.item_spacing,
        items,
        content,
        slot.content,
        group,
    )


def _printed_contacts(template: Template, content: Content, co_branded: bool) -> tuple[Contact, ...]:
    """Every contact the document prints: those its contact slots show, and the QR code's."""
    printed: list[Contact] = []
    for page in template.pages:
        for slot in page.slots_for(content.audience, co_branded):
            if isinstance(slot, ContactsSlot):
                printed += _shown_contacts(slot, content)
            elif isinstance(slot, QrSlot):
                printed.append(content.qr_contact)
    return tuple(printed)


def _shown_contacts(slot: ContactsSlot, content: Content) -> tuple[Contact, ...]:
    """The first `max_items` contacts in the region's order, except that the emergency number always stays:
    it takes the place of the last one that would otherwise be shown. A slot showing only the main
    contact (a social image) shows the region's main reporting contact and, as every page does, the
    emergency number."""
    if slot.show == "main":
        urgent = [c for c in content.contacts if c.emergency and c != content.qr_contact]
        return (*urgent[:1], content.qr_contact)
    shown = content.contacts[: slot.max_items]
    urgent = [c for c in content.contacts[slot.max_items :] if c.emergency]
    if urgent and not any(c.emergency for c in shown):
        shown = (*shown[: slot.max_items - 1], urgent[0])
    return shown


def _contacts(slot: ContactsSlot, content: Content) -> list[Box]:
    items = []
    for contact in _shown_contacts(slot, content):
        details = CONTACT_SEPARATOR.join(d for d in (contact.phone, contact.address, contact.email) if d)
        number = Paragraph(
            details,
            font="bold",
            scale=CONTACT_DETAIL_SCALE,
            colour=slot.number_colour,
            direction="ltr",
            address=True,
            links=_contact_links(contact, details),
        )
        own = contact.written_in
        name = (
            [Paragraph(contact.name, font="bold", colour=slot.name_colour, written_in=own)]
            if contact.name
            else []
        )
        caption = [Paragraph(contact.caption, written_in=own)] if contact.caption else []
        items.append((*name, number, *caption))
    return _flow(
        slot.name,
        slot.rect,
        slot.columns,
        slot.column_gap,
        slot.style,
        CONTACT_SPACING,
        items,
        content,
        "contacts",
    )


def _contact_links(contact: Contact, details: str) -> tuple[tuple[str, str], ...]:
    """The links in a contact's line; its short web address opens the full one it stands for."""
    return tuple(
        (text, contact.url if text == contact.address and contact.url else target)
        for text, target in links_in(details, CONTACT_SEPARATOR)
    )


def _flow(
    name: str,
    rect: Rect,
    per_row: int,
    gap: float,
    style: TextStyle,
    spacing: float,
    items: list[tuple[Paragraph, ...]],
    content: Content,
    role: str,
    group: str | None = None,
) -> list[Box]:
    """Items (each a few paragraphs) flowed down `per_row` columns that share one type size."""
    per_column = max(1, math.ceil(len(items) / per_row))
    columns = [items[i : i + per_column] for i in range(0, len(items), per_column)]
    cells = _cells(rect, len(columns), per_row, gap, content.direction == "rtl")
    boxes: list[Box] = []
    for index, (column, cell) in enumerate(zip(columns, cells, strict=True)):
        paragraphs: list[Paragraph] = []
        for position, item in enumerate(column):
            first, *rest = item
            paragraphs += [replace(first, space_before=spacing if position else 0.0), *rest]
        boxes.append(
            TextFrame(
                f"{name}[{index}]",
                cell,
                tuple(paragraphs),
                style,
                "start",
                "top",
                content.direction,
                content.language,
                fit_group=group or name,
                role=role,
            )
        )
    return boxes
