"""The logical structure of a page (what a screen reader announces): headings, paragraphs, lists, links.

Each slot's content has a role: the headline is the page's one H1, the headings of its sections are H2,
list items are LI (with the number as Lbl and the text as LBody), everything else is a paragraph. Phone
numbers, e-mail and web addresses in the text become links (tel:, mailto:, https:).
"""

from __future__ import annotations

import re

from .document import Box, Fill, GlyphRun, LaidOutItem, StructPath, TextFrame

_H1 = {"headline"}
_H2_ALSO = {"call_to_action"}  # a heading in all but name: "If you are worried about a child, report it."
_EMAIL = re.compile(r"^[^\s@]+@[^\s@]+\.[^\s@]+$")
_WEB = re.compile(r"^(https?://)?[\w-]+(\.[\w-]+)+(/\S*)?$")
_PHONE = re.compile(r"^\+?[\d\s().-]{3,}$")
_MIN_PHONE_DIGITS = 3  # 999, 112, 911: an emergency number is a phone number too
QR_TAG: StructPath = (("Link", "qr"),)  # the QR code's link; the code itself is a Figure inside it


def text_tag(content: str) -> StructPath:
    """A text slot's role, from what it prints."""
    if content in _H1:
        return (("H1", content),)
    if content.endswith("_heading") or content in _H2_ALSO:
        return (("H2", content),)
    return (("P", content),)


def list_item_tag(content: str, number: int) -> StructPath:
    """One item of a list: the list is one L element even when the design splits it over columns."""
    item = f"{content}[{number}]"
    return (("L", content), ("LI", item), ("LBody", item))


def label_tag(item: StructPath) -> StructPath:
    """The marker (number) of a list item: its Lbl, beside the LBody."""
    return (*item[:-1], ("Lbl", item[-1][1]))


def figure_tag(slot: str, index: int) -> StructPath:
    """A key figure: its number and caption read as one paragraph, "96 % showed a child alone ..."."""
    return (("P", f"{slot}[{index}]"),)


def links_in(text: str, separator: str) -> tuple[tuple[str, str], ...]:
    """Each part of `text` (split at `separator`) that is an address or a phone number, with its link."""
    found = []
    for part in (piece.strip() for piece in text.split(separator)):
        target = link_target(part)
        if target:
            found.append((part, target))
    return tuple(found)


def link_target(text: str) -> str | None:
    if _EMAIL.match(text):
        return f"mailto:{text}"
    if _WEB.match(text) and not text.replace(".", "").isdigit():
        return text if text.startswith("http") else f"https://{text}"
    digits = re.sub(r"\D", "", text)
    if _PHONE.match(text) and len(digits) >= _MIN_PHONE_DIGITS:
        return f"tel:{'+' if text.startswith('+') else ''}{digits}"
    return None


def in_reading_order(boxes: tuple[Box, ...], text: list[LaidOutItem]) -> list[LaidOutItem]:
    """The page's items in drawing order: panels first, then the text with each figure or link (the QR
    code, the logo) just before the text of the frame that follows it in the design, so the structure
    tree, which follows the drawing order, reads them where they are."""
    panels: list[LaidOutItem] = [box for box in boxes if isinstance(box, Fill)]
    placed = list(text)
    pending: list[LaidOutItem] = []
    for box in [*boxes, None]:
        if box is None or isinstance(box, TextFrame):
            if pending:
                where = _first_of(placed, _frame_key(box)) if box is not None else len(placed)
                placed[where:where] = pending
                pending = []
        elif not isinstance(box, Fill):
            pending.append(box)
    return panels + placed


def _frame_key(frame: TextFrame) -> tuple[str, str]:
    paragraph = frame.paragraphs[0]
    return paragraph.tag[0] if paragraph.tag else ("P", f"{frame.name}/0")


def _first_of(items: list[LaidOutItem], key: tuple[str, str]) -> int:
    for index, item in enumerate(items):
        if isinstance(item, GlyphRun) and item.tag[:1] == (key,):
            return index
    return len(items)
