"""Tagged PDF for the screen edition (PDF/UA-1, ISO 14289-1): reportlab cannot tag, so this module does.

While the renderer draws, `Tagger` wraps each piece of content in marked content: a line of text or a
figure gets `/P <</MCID n>> BDC ... EMC` and its place in the structure (a StructPath); panels, discs and
other decoration become `/Artifact BMC ... EMC`. After reportlab has written the file, `add_structure`
builds the structure tree from those records with pikepdf: the elements in the order they were drawn
(which is the template's reading order), each marked-content piece and link annotation under its element,
the ParentTree that maps them back, /Alt on figures, /Lang on an element in a script other than the
document's, and what the standard asks of the document: MarkInfo, Tabs /S on every page, the title shown,
and the pdfuaid:part = 1 claim in XMP.
"""

from __future__ import annotations

import io
from collections import Counter
from functools import cache

import msgspec
import pikepdf
from fontTools import unicodedata as script_data

from awareprint.compose.document import GlyphRun, LaidOutItem, Link, Picture, QrCode, StructPath
from awareprint.compose.structure import QR_TAG

ARTIFACT = "/Artifact BMC"
HEADINGS = ("H1", "H2")
END = "EMC"
_NEUTRAL_SCRIPTS = {"Zyyy", "Zinh", "Zzzz"}  # digits, punctuation, marks: no language of their own


class Tagger(msgspec.Struct):
    """What the renderer marked, page by page: each MCID's structure path, each link's element."""

    language: str
    marked: list[list[StructPath]] = msgspec.field(default_factory=list)  # page -> MCID -> path
    # page -> annotation -> element
    links: list[list[tuple[StructPath, str]]] = msgspec.field(default_factory=list)
    alt: dict[StructPath, str] = msgspec.field(default_factory=dict)
    text: dict[StructPath, list[str]] = msgspec.field(default_factory=dict)

    def new_page(self) -> None:
        self.marked.append([])
        self.links.append([])

    def begin(self, path: StructPath, text: str = "", alt: str | None = None) -> tuple[str, str]:
        """The operators that open and close a marked-content piece of the element at `path`."""
        page = self.marked[-1]
        page.append(path)
        self.text.setdefault(path, []).append(text)
        if alt is not None:
            self.alt[path] = alt
        # No ActualText for right-to-left lines: pdfium reorders an ActualText as if it were visual text
        # (Arabic then copies letter-reversed), and poppler does not read it inside a structure element;
        # the glyphs are already written in the order that gives the logical text back.
        return f"/{path[-1][0]} <</MCID {len(page) - 1}>> BDC", END

    def link(self, path: StructPath, description: str) -> None:
        """A link annotation, in the order the page's annotations are written."""
        self.links[-1].append((path, description))

    def marks(self, item: LaidOutItem, text: str = "") -> tuple[str, str] | None:
        """The operators around the marked content `item` is drawn in (None: a link, which is no content);
        `text`: a line's text (its first run is the item)."""
        page = len(self.marked)
        match item:
            case GlyphRun():
                return self.begin(item.tag or (("P", f"text/{page}/{len(self.marked[-1])}"),), text)
            case QrCode():
                return self.begin((*QR_TAG, ("Figure", "qr")), alt=item.alt)
            case Picture() if item.alt is not None:
                return self.begin((("Figure", f"logo/{page}"),), alt=item.alt)
            case Link():
                self.link(
                    item.tag or (("Link", f"link/{page}/{len(self.links[-1])}"),),
                    item.description or item.url,
                )
                return None
        return ARTIFACT, END  # panels, discs, a decorative logo


def add_structure(pdf: bytes, tagger: Tagger, title: str) -> bytes:
    """The structure tree and the document-level PDF/UA entries, added to reportlab's file."""
    document = pikepdf.open(io.BytesIO(pdf))
    with document:
        tree = _Tree(document, tagger)
        for number, page in enumerate(document.pages):
            tree.page(number, page)
        root = document.Root
        root.StructTreeRoot = tree.root
        root.MarkInfo = pikepdf.Dictionary(Marked=True)
        root.Lang = pikepdf.String(tagger.language)
        preferences = root.get("/ViewerPreferences", pikepdf.Dictionary())
        preferences.DisplayDocTitle = True
        root.ViewerPreferences = preferences
        if len(document.pages) > 1:  # a leaflet or card: its headings as bookmarks
            with document.open_outline() as outline:
                outline.root.extend(_bookmarks(tree.headings))
            root.PageMode = pikepdf.Name.UseOutlines
        with document.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            meta["dc:title"] = title
            meta["dc:language"] = [tagger.language]
            meta["pdfuaid:part"] = "1"
        out = io.BytesIO()
        document.save(out, deterministic_id=True)
    return out.getvalue()


def _bookmarks(headings: list[tuple[str, int]]) -> list[pikepdf.OutlineItem]:
    """One bookmark a page, named by its first heading (a leaflet's panel: "What you can do"), with the
    page's other headings under it."""
    pages: dict[int, pikepdf.OutlineItem] = {}
    for title, page in headings:
        if page in pages:
            pages[page].children.append(pikepdf.OutlineItem(title, page))
        else:
            pages[page] = pikepdf.OutlineItem(title, page)
    return list(pages.values())


class _Tree:
    def __init__(self, document: pikepdf.Pdf, tagger: Tagger) -> None:
        self.pdf = document
        self.tagger = tagger
        self.root = document.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot))
        self.top = self._element("Document", self.root, None)
        self.root.K = pikepdf.Array([self.top])
        self.elements: dict[StructPath, pikepdf.Dictionary] = {}
        self.parents: list[tuple[int, pikepdf.Object]] = []  # the ParentTree's entries
        self.headings: list[tuple[str, int]] = []  # each heading's text and page index, for bookmarks
        self.next_key = len(document.pages)

    def page(self, number: int, page: pikepdf.Page) -> None:
        page.obj.StructParents = number
        page.obj.Tabs = pikepdf.Name.S  # annotations in structure order
        owners = pikepdf.Array()
        for mcid, path in enumerate(self.tagger.marked[number]):
            element = self._at(path, page)
            element.K.append(pikepdf.Dictionary(Type=pikepdf.Name.MCR, Pg=page.obj, MCID=mcid))
            owners.append(element)
        self.parents.append((number, self.pdf.make_indirect(owners)))
        annotations = list(page.obj.get("/Annots", []))
        for annotation, (path, description) in zip(annotations, self.tagger.links[number], strict=True):
            element = self._at(path, page)
            annotation.StructParent = self.next_key
            annotation.Contents = pikepdf.String(description)
            element.K.append(pikepdf.Dictionary(Type=pikepdf.Name.OBJR, Obj=annotation, Pg=page.obj))
            self.parents.append((self.next_key, element))
            self.next_key += 1
        self.root.ParentTree = pikepdf.Dictionary(
            Nums=pikepdf.Array([item for key, value in self.parents for item in (key, value)])
        )
        self.root.ParentTreeNextKey = self.next_key

    def _at(self, path: StructPath, page: pikepdf.Page) -> pikepdf.Dictionary:
        """The element at `path`, made (with the ones above it) the first time it is seen."""
        parent = self.top
        for depth in range(1, len(path) + 1):
            prefix = path[:depth]
            element = self.elements.get(prefix)
            if element is None:
                element = self._element(prefix[-1][0], parent, page)
                self._describe(element, prefix, page.index)
                parent.K.append(element)
                self.elements[prefix] = element
            parent = element
        return parent

    def _element(self, role: str, parent: pikepdf.Object, page: pikepdf.Page | None) -> pikepdf.Dictionary:
        element = pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name("/" + role), P=parent)
        element.K = pikepdf.Array()
        if page is not None:
            element.Pg = page.obj
        return self.pdf.make_indirect(element)

    def _describe(self, element: pikepdf.Dictionary, path: StructPath, page: int) -> None:
        if path in self.tagger.alt:
            element.Alt = pikepdf.String(self.tagger.alt[path])
        text = " ".join(self.tagger.text.get(path, []))  # a heading's lines, each its own piece
        if path[-1][0] in HEADINGS:
            self.headings.append((" ".join(text.split()), page))
        language = span_language(text, self.tagger.language)
        if language:
            element.Lang = pikepdf.String(language)


def span_language(text: str, document_language: str) -> str | None:
    """The language of text written mostly in another script than the document's (an Arabic school name
    on an English poster): the script's most likely language (CLDR likely subtags), or None."""
    scripts = Counter(script_data.script(char) for char in text if char.isalpha())
    for name in _NEUTRAL_SCRIPTS:
        scripts.pop(name, None)
    if not scripts:
        return None
    script, count = scripts.most_common(1)[0]
    if count * 2 <= sum(scripts.values()) or script == _script_of(document_language):
        return None
    return _likely_language(script)


@cache
def _script_of(language: str) -> str | None:
    from babel.core import get_global

    likely = get_global("likely_subtags").get(language.replace("-", "_").split("_")[0])
    parts = likely.split("_") if likely else []
    return parts[1] if len(parts) > 1 and len(parts[1]) == 4 else None


@cache
def _likely_language(script: str) -> str | None:
    from babel.core import get_global

    likely = get_global("likely_subtags").get(f"und_{script}")
    return likely.split("_")[0] if likely else None
