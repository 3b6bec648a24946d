"""With embedding.py (the fonts it embeds), the only module that talks to reportlab: it draws a laid-out
document and makes no decisions.

Text is drawn glyph by glyph id from our own shaping, through Type0/CIDFontType2 fonts (Identity-H) that
this module embeds and subsets itself: reportlab's own TrueType path maps characters, not glyphs, and
cannot show ligatures, conjuncts or contextual forms faithfully. A ToUnicode map built from the glyphs'
source text keeps the PDF searchable and extractable.
"""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import functools
import io
import itertools
import os
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import TYPE_CHECKING, NamedTuple

import uharfbuzz as hb
from msgspec.structs import replace
from reportlab import rl_config
from reportlab.lib.colors import CMYKColor, CMYKColorSep, Color
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from awareprint import __version__
from awareprint.compose.document import (
    Disc,
    Fill,
    GlyphRun,
    LaidOutDocument,
    Link,
    PageGeometry,
    Picture,
    PlacedGlyph,
    QrCode,
)
from awareprint.compose.office import OUTLINE_WIDTH
from awareprint.render.qr import QUIET_ZONE
from awareprint.text.fonts import harfbuzz_font
from awareprint.units import Cmyk, Pt

from . import reading
from .embedding import FontSet, advances

if TYPE_CHECKING:
    from .pdfx import Finishing
    from .tagged import Tagger

CROP_MARK_WIDTH = 0.25  # points
CROP_MARK_GAP = Pt(1.0)  # beyond the bleed, so marks never reach into the printed area
FOLD_MARK_DASH = (2, 1.5)  # points on, off: dashed, so a fold mark never reads as a crop mark
REGISTRATION = CMYKColorSep(1, 1, 1, 1, spotName="All")
_PLACEHOLDER_FONT = "awareprint-initial"


def render_pdf(document: LaidOutDocument, primary_font_file: str, pdfx: Finishing | None = None) -> bytes:
    """Print edition: media = trim + bleed + slug, TrimBox and BleedBox, crop and fold marks, CMYK only,
    and PDF/X as `pdfx` says. Screen edition (`document.screen`): media = trim, sRGB, clickable links, no
    marks. Office edition (`document.sheet` too): media = the office sheet, the design scaled into its safe
    margin."""
    rl_config.useA85 = 0  # ASCII85 only inflates binary streams
    _register_placeholder_font(primary_font_file)
    geometry = document.geometry
    screen = document.screen
    offset = 0.0 if screen else geometry.offset
    buffer = io.BytesIO()
    with _source_date(document.metadata.date):
        canvas = _canvas(buffer, document)
    meta = document.metadata
    canvas.setTitle(meta.title)
    canvas.setAuthor(meta.author)
    canvas.setSubject(meta.subject)
    canvas.setKeywords(list(meta.keywords))
    canvas.setCreator(f"awareprint {__version__}")
    canvas.setProducer(f"awareprint {__version__} (reportlab)")
    canvas.setViewerPreference("DisplayDocTitle", "true")
    rtl = meta.direction == "rtl"
    if rtl:
        canvas.setViewerPreference("Direction", "/R2L")
    sheet = document.sheet
    if sheet is not None:  # preset the print dialog: actual size, and the duplex edge of a two-sided design
        canvas.setViewerPreference("PrintScaling", "None")
        canvas.setViewerPreference("Duplex", sheet.duplex_preference)
    fonts = FontSet(canvas)
    colour = (lambda c: _rgb(screen.rgb[c])) if screen else _cmyk
    tagger = None
    if (
        screen and sheet is None
    ):  # the screen edition is tagged (pikepdf only then: `templates check` renders)
        from .tagged import Tagger

        tagger = Tagger(meta.language)
    for page in document.pages:
        if tagger:
            tagger.new_page()
        height = geometry.trim_height
        if page.size is not None:  # one panel of a leaflet, a page of its own (the screen edition)
            canvas.setPageSize(page.size)
            height = page.size[1]
        canvas.saveState()
        if sheet is not None:
            canvas.translate(sheet.x, sheet.y)
            canvas.scale(sheet.scale, sheet.scale)
        else:
            canvas.translate(offset, offset)
        painter = _Painter(canvas, height, fonts, colour, rtl)
        line: list[GlyphRun] = []
        for item in page.items:
            match item:
                case Fill():
                    _marked(canvas, tagger, item, partial(painter.fill, item))
                case Disc():
                    _marked(canvas, tagger, item, partial(painter.disc, item))
                case QrCode():
                    _marked(canvas, tagger, item, partial(painter.qr, item))
                case Picture():
                    _marked(canvas, tagger, item, partial(painter.picture, item))
                case GlyphRun():
                    line.append(item)
                    if len(line) == line[0].line_runs:
                        text = "".join(run.text for run in sorted(line, key=lambda run: run.reading))
                        _artifact(canvas, tagger, partial(painter.keep_apart, line))
                        _marked(canvas, tagger, item, partial(painter.line, line), text)
                        line = []
                case Link():
                    _marked(canvas, tagger, item, partial(painter.link, item))
        assert not line, "a line's runs are consecutive items"
        _artifact(canvas, tagger, painter.silent_glyphs)
        canvas.restoreState()
        if not screen:  # (nor the office sheet, which is sRGB too)
            _crop_marks(canvas, geometry)
            _fold_marks(canvas, geometry, page.folds)
        canvas.showPage()
    if pdfx:
        return save_pdfx(canvas, buffer, pdfx)
    canvas.save()
    if tagger:
        from .tagged import add_structure

        return add_structure(buffer.getvalue(), tagger, meta.title)
    return buffer.getvalue()


def _marked(
    canvas: Canvas, tagger: Tagger | None, item: object, paint: Callable[[], None], text: str = ""
) -> None:
    """Paint `item`, in the screen edition inside the marked content that ties it to the structure tree."""
    marks = tagger.marks(item, text) if tagger else None  # type: ignore[arg-type]
    if marks:
        canvas.addLiteral(marks[0])
    paint()
    if marks:
        canvas.addLiteral(marks[1])


def _artifact(canvas: Canvas, tagger: Tagger | None, paint: Callable[[], None]) -> None:
    """Paint what stands for no text (it only steers extractors) as an artifact in the screen edition,
    outside the marked content a screen reader reads."""
    if tagger:
        canvas.addLiteral("/Artifact BMC")
    paint()
    if tagger:
        canvas.addLiteral("EMC")


def save_pdfx(canvas: Canvas, buffer: io.BytesIO, pdfx: Finishing) -> bytes:
    """Save `canvas` (writing into `buffer`) as PDF/X: the output intent, the PDF/X keys in Info and XMP,
    the standard's PDF version, and an /ID made from the finished bytes."""
    from .pdfx import PENDING_ID, identified

    doc = canvas._doc
    info = _PdfxInfo(doc.info, pdfx.info)
    doc.info = info
    catalog = doc.Catalog
    # reportlab's catalog writes only the keys it lists; it lists Metadata, not OutputIntents
    catalog.__NoDefault__ = [*pdfdoc.PDFCatalog.__NoDefault__, "OutputIntents"]
    profile = pdfdoc.PDFStream(
        pdfdoc.PDFDictionary({"Filter": pdfdoc.PDFName("FlateDecode"), "N": 4}), pdfx.profile, filters=[]
    )
    intent = {"Type": pdfdoc.PDFName("OutputIntent"), "S": pdfdoc.PDFName("GTS_PDFX")}
    intent |= {key: pdfdoc.PDFString(value) for key, value in pdfx.intent}
    intent["DestOutputProfile"] = doc.Reference(profile)
    catalog.OutputIntents = pdfdoc.PDFArray([pdfdoc.PDFDictionary(intent)])
    text = {
        "Title": info.title,
        "Author": info.author,
        "Subject": info.subject,
        "Keywords": info.keywords,
        "Creator": info.creator,
        "Producer": info.producer,
    }
    xmp = pdfx.xmp(text, doc._timeStamp.datetime.isoformat())
    metadata = pdfdoc.PDFDictionary({"Type": pdfdoc.PDFName("Metadata"), "Subtype": pdfdoc.PDFName("XML")})
    catalog.Metadata = pdfdoc.PDFStream(metadata, xmp, filters=[])
    doc._pdfVersion = pdfx.standard.pdf_version
    hex_id = b"<" + PENDING_ID + b">"
    doc._ID = b"[" + hex_id + hex_id + b"]"  # reportlab's own is a digest of the Info text only
    canvas.save()
    return identified(buffer.getvalue())


class _PdfxInfo(pdfdoc.PDFInfo):  # type: ignore[misc]
    """reportlab's Info dictionary with the PDF/X entries after its own (its format() has no room for
    more keys)."""

    def __init__(self, base: pdfdoc.PDFInfo, entries: tuple[tuple[str, str], ...]) -> None:
        super().__init__()
        self.__dict__.update(base.__dict__)  # what the canvas already set: title, author ...
        self.entries = entries

    def format(self, document: pdfdoc.PDFDocument) -> bytes:
        own = pdfdoc.PDFDictionary()  # the entries and their order as reportlab's PDFInfo.format writes them
        own["Title"] = pdfdoc.PDFString(self.title)
        own["Author"] = pdfdoc.PDFString(self.author)
        own["ModDate"] = own["CreationDate"] = pdfdoc.PDFDate(document._timeStamp, self._dateFormatter)
        own["Producer"] = pdfdoc.PDFString(self.producer)
        own["Creator"] = pdfdoc.PDFString(self.creator)
        own["Subject"] = pdfdoc.PDFString(self.subject)
        own["Keywords"] = pdfdoc.PDFString(self.keywords)
        own["Trapped"] = pdfdoc.PDFName(self.trapped)
        for key, value in self.entries:
            own[key] = pdfdoc.PDFString(value)
        return bytes(own.format(document))


def _canvas(buffer: io.BytesIO, document: LaidOutDocument) -> Canvas:
    geometry = document.geometry
    if document.sheet:
        size = (document.sheet.width, document.sheet.height)
        boxes: dict[str, tuple[float, float, float, float]] = {}
        colour_space = "rgb"
    elif document.screen:
        size = (geometry.trim_width, geometry.trim_height)
        boxes = {}
        colour_space = "rgb"
    else:
        offset, bleed = geometry.offset, geometry.bleed
        trim = (offset, offset, offset + geometry.trim_width, offset + geometry.trim_height)
        size = geometry.media_size
        boxes = {
            "trimBox": trim,
            "bleedBox": (trim[0] - bleed, trim[1] - bleed, trim[2] + bleed, trim[3] + bleed),
        }
        colour_space = "sep_cmyk"
    return Canvas(
        buffer,
        pagesize=size,
        invariant=1,
        enforceColorSpace=colour_space,
        initialFontName=_PLACEHOLDER_FONT,
        lang=document.metadata.language,
        pageCompression=1,
        **boxes,
    )


@contextlib.contextmanager
def _source_date(date: dt.date) -> Iterator[None]:
    """reportlab dates an invariant document from SOURCE_DATE_EPOCH (the reproducible-builds convention)."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(calendar.timegm(date.timetuple()))
    try:
        yield
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


def _register_placeholder_font(path: str) -> None:
    """reportlab writes an unembedded Helvetica into every page unless its initial font is a TrueType
    font; registering ours (never drawn with, never embedded) keeps the file free of it."""
    # A subset holding only the space: reportlab parses a whole font file in Python (about 14 ms for Noto
    # Sans). reportlab files a face under its PostScript name and hands that face to any later font with
    # the same name, so the subset's face is renamed: the real font registered later stays itself.
    if _PLACEHOLDER_FONT not in pdfmetrics.getRegisteredFontNames():
        plan = hb.SubsetInput()
        plan.unicode_set.add(ord(" "))
        plan.flags = hb.SubsetFlags.NO_HINTING | hb.SubsetFlags.NO_LAYOUT_CLOSURE
        subset = hb.subset(harfbuzz_font(path).face, plan)
        if subset is None:
            raise ValueError(f"HarfBuzz could not subset {path}")
        font = TTFont(_PLACEHOLDER_FONT, io.BytesIO(bytes(subset.blob.data)))
        font.face.name = _PLACEHOLDER_FONT.encode("ascii")
        pdfmetrics.registerFont(font)


def _cmyk(colour: Cmyk) -> Color:
    return CMYKColor(colour.c, colour.m, colour.y, colour.k)


def _rgb(rgb: tuple[float, float, float]) -> Color:
    return Color(*rgb)


_Written = tuple[PlacedGlyph, float, str]  # a glyph, the x of its run's origin, the text it stands for


class _Painter:
    def __init__(
        self, canvas: Canvas, trim_height: float, fonts: FontSet, colour: Callable[[Cmyk], Color], rtl: bool
    ) -> None:
        self.canvas = canvas
        self.height = trim_height
        self.fonts = fonts
        self.colour = colour
        self.rtl = rtl  # the document reads right to left (its viewer preferences say so)
        self.previous: tuple[GlyphRun, float, float] | None = None  # last line: first run, left, right
        self.silent: list[tuple[GlyphRun, tuple[_Written, ...]]] = []  # drawn after the page's lines
        self.fills: dict[Cmyk, tuple[str, Color]] = {}  # a fill colour's operator, as reportlab writes it

    def fill(self, fill: Fill) -> None:
        rect = fill.rect
        if fill.outline is None:
            self.canvas.setFillColor(self.colour(fill.colour))
            self.canvas.rect(rect.x, self.height - rect.bottom, rect.width, rect.height, stroke=0, fill=1)
            return
        self._outline(fill.outline)  # inside the rectangle: the line stays within the sheet's margin
        inset = OUTLINE_WIDTH  # (a stroke's bounds reach past its half width at the corners)
        self.canvas.rect(
            rect.x + inset,
            self.height - rect.bottom + inset,
            rect.width - 2 * inset,
            rect.height - 2 * inset,
            stroke=1,
            fill=0,
        )

    def _outline(self, colour: Cmyk) -> None:
        self.canvas.setStrokeColor(self.colour(colour))
        self.canvas.setLineWidth(OUTLINE_WIDTH)

    def picture(self, picture: Picture) -> None:
        rect = picture.rect
        image = ImageReader(io.BytesIO(picture.jpeg))  # a JPEG is embedded as it is (DCTDecode)
        self.canvas.drawImage(image, rect.x, self.height - rect.bottom, rect.width, rect.height)

    def link(self, link: Link) -> None:
        rect = link.rect
        area = (rect.x, self.height - rect.bottom, rect.right, self.height - rect.y)
        self.canvas.linkURL(link.url, area, relative=1, thickness=0)

    def disc(self, disc: Disc) -> None:
        if disc.outline is not None:
            self._outline(disc.outline)
            self.canvas.circle(
                disc.cx, self.height - disc.cy, disc.radius - OUTLINE_WIDTH / 2, stroke=1, fill=0
            )
            return
        self.canvas.setFillColor(self.colour(disc.colour))
        self.canvas.circle(disc.cx, self.height - disc.cy, disc.radius, stroke=0, fill=1)

    def qr(self, code: QrCode) -> None:
        """Each horizontal run of dark modules is one rectangle: vector, and no hairline gaps."""
        count = len(code.modules)
        module = code.rect.width / (count + 2 * QUIET_ZONE)
        left = code.rect.x + QUIET_ZONE * module
        top = code.rect.y + QUIET_ZONE * module
        self.canvas.setFillColor(self.colour(code.colour))
        path = self.canvas.beginPath()
        for row, dark in enumerate(code.modules):
            for is_dark, run in itertools.groupby(enumerate(dark), key=lambda cell: cell[1]):
                if is_dark:
                    columns = [column for column, _ in run]
                    y = self.height - (top + (row + 1) * module)
                    path.rect(left + columns[0] * module, y, len(columns) * module, module)
        self.canvas.drawPath(path, stroke=0, fill=1, fillMode=0)

    def line(self, runs: list[GlyphRun]) -> None:
        """A line's runs, drawn where the layout put them.

        Text extractors rebuild a line's text from its text objects ordered by x, and from the glyphs of
        each in stream order. Left-to-right text drawn left to right reads back as written. A line with
        right-to-left text, or any line of a right-to-left document (which pdfium then reads right to
        left), is written in the order that makes pdfium read its logical text back (see reading.py):
        adjacent runs of one font, size and colour share a text object, which writes its glyphs in that
        order, each standing for its own characters. Only the stream order changes, never a glyph's place.
        """
        fonts = {run.font_file: self.fonts.get(run.font_file).resource for run in runs}  # in drawing order
        objects, silent = _line_objects(tuple(runs), self.rtl, self.height, tuple(fonts.items()))
        for drawn in objects:
            self._draw(drawn)
        self.silent += silent

    def silent_glyphs(self) -> None:
        """Glyphs that stand for no text (raised marks of Nastaliq, for one), drawn after all of the
        page's lines as text objects that say so: an empty ActualText, which poppler and the
        specification honour; pdfium reads their NO_TEXT and drops it. pdfium sorts text objects drawn
        one after another near one baseline by x, so drawn next to their line they would fall between
        its runs and break it (an Urdu line read as three); at the end of the page they touch no line."""
        for run, glyphs in self.silent:
            if glyphs:
                self._text_object(run, glyphs, "")
        self.silent = []

    def keep_apart(self, runs: list[GlyphRun]) -> None:
        """pdfium reads text objects drawn one after another as one line when one's baseline lies within
        the other's height: the last line of a column and the first of the column beside it (a contact
        and the QR caption) became one line, mixing both. Between two lines drawn one after another side
        by side (not overlapping across) on close baselines goes an invisible glyph three sizes above or
        below them, standing for no text, which makes pdfium end the line; it changes nothing on the page or
        in poppler. Lines of one paragraph lie one above the other and stay as they are: pdfium joins a
        word hyphenated across them only if no line break comes between."""
        left = runs[0].x
        right = runs[-1].x + sum(glyph.advance for glyph in runs[-1].glyphs)
        previous, self.previous = self.previous, (runs[0], left, right)
        if previous is None or not previous[0].glyphs:
            return
        first, previous_left, previous_right = previous
        run = runs[0]
        side_by_side = right <= previous_left or left >= previous_right
        if not side_by_side or abs(run.y - first.y) > 2 * max(run.size, first.size):
            return
        # three sizes toward the middle of the page: far enough from both, and inside the safe area
        step = 3 * max(run.size, first.size)
        far = Pt(run.y + step if run.y < self.height / 2 else run.y - step)
        glyph = replace(first.glyphs[0], x=0.0, y=0.0)
        self._text_object(replace(first, y=far), [(glyph, first.x, NO_TEXT)], "", invisible=True)

    def _text_object(
        self, run: GlyphRun, glyphs: Sequence[_Written], actual: str | None, invisible: bool = False
    ) -> None:
        resource = self.fonts.get(run.font_file).resource
        self._draw(_text_object(run, tuple(glyphs), actual, invisible, self.height, resource))

    def _draw(self, drawn: _Drawn) -> None:
        """A text object worked out by `_text_object`, its glyphs' codes filled in, in its colour."""
        font = self.fonts.get(drawn.font_file)
        self._fill(drawn.colour)
        self.canvas.addLiteral(drawn.operators % font.codes_for(drawn.glyphs))

    def _fill(self, colour: Cmyk) -> None:
        """The fill colour as reportlab's setFillColor writes it, worked out once per colour: reportlab checks
        the colour space on every call, which cost more than the text object it colours."""
        written = self.fills.get(colour)
        if written is None:
            before = len(self.canvas._code)
            self.canvas.setFillColor(self.colour(colour))
            # one operator and no side effect (a separation registers itself, an alpha adds a state): kept
            plain = not isinstance(self.canvas._fillColorObj, CMYKColorSep)
            if plain and len(self.canvas._code) == before + 1:
                self.fills[colour] = (self.canvas._code[-1], self.canvas._fillColorObj)
            return
        self.canvas._code.append(written[0])
        self.canvas._fillColorObj = written[1]


class _Drawn(NamedTuple):
    """A text object's operators with a `%04X` slot for each glyph's code, and the glyph id and text that
    get each code: the codes are the document's (see embedding.GlyphFont), filled in when it is drawn."""

    font_file: str
    colour: Cmyk
    operators: str
    glyphs: tuple[tuple[int, str], ...]


@functools.lru_cache(maxsize=4096)
def _line_objects(
    runs: tuple[GlyphRun, ...], rtl: bool, height: float, fonts: tuple[tuple[str, str], ...]
) -> tuple[tuple[_Drawn, ...], tuple[tuple[GlyphRun, tuple[_Written, ...]], ...]]:
    """A line's text objects in the order `_Painter.line` describes, and the glyphs drawn after the page's
    lines; given the page height and the font resources, the same every time. Remembered: a batch and the
    web app draw the same lines again for every organisation and every edition."""
    resource = dict(fonts)
    ordered = _extractor_ordered(runs, rtl)
    if ordered is None:
        objects = tuple(
            _text_object(
                run,
                tuple((g, run.x, g.text) for g in run.glyphs),
                _ltr_actual(run),
                False,
                height,
                resource[run.font_file],
            )
            for run in runs
        )
        return objects, ()
    objects = tuple(
        _text_object(run, glyphs, None, False, height, resource[run.font_file]) for run, glyphs, _ in ordered
    )
    return objects, tuple((run, silent) for run, _, silent in ordered)


def _text_object(
    run: GlyphRun,
    glyphs: tuple[_Written, ...],
    actual: str | None,
    invisible: bool,
    height: float,
    resource: str,
) -> _Drawn:
    """One text object in the run's font, size and colour: each glyph at its place (offset from the given
    run origin x), standing for the given text, in the given order; `actual`, if given, is the object's
    text for extractors (ActualText) instead of its glyphs'; `invisible` ones paint nothing."""
    advance = advances(run.font_file)
    size = run.size
    origin = run.x
    parts = [f"BT /{resource} {_num(size)} Tf 1 0 0 1 {_num(origin)} {_num(height - run.y)} Tm"]
    if invisible:
        parts.append("3 Tr")  # text state outlives ET: set back below
    rise = 0.0
    cursor = 0.0  # where the next glyph lands without adjustment, from the object origin
    pending: list[str] = []
    for glyph, x, _ in glyphs:
        glyph_rise = -glyph.y
        if abs(glyph_rise - rise) > 1e-6:
            if pending:
                parts.append("[" + " ".join(pending) + "] TJ")
                pending = []
            parts.append(f"{_num(glyph_rise)} Ts")
            rise = glyph_rise
        place = x - origin + glyph.x
        shift = place - cursor
        if abs(shift) > 1e-4:
            pending.append(_num(-shift * 1000 / size))
        pending.append("<%04X>")
        cursor = place + advance(glyph.glyph_id) * size / 1000
    if pending:
        parts.append("[" + " ".join(pending) + "] TJ")
    if rise:
        parts.append("0 Ts")  # the rise is graphics state: BT does not reset it for the next run
    if invisible:
        parts.append("0 Tr")
    parts.append("ET")
    if actual is not None:
        encoded = "<FEFF" + actual.encode("utf-16-be").hex().upper() + ">" if actual else "()"
        parts = [f"/Span << /ActualText {encoded} >> BDC", *parts, "EMC"]
    operators = "\n".join(parts)
    codes = tuple((glyph.glyph_id, text) for glyph, _, text in glyphs)
    return _Drawn(run.font_file, run.colour, operators, codes)


def _ltr_actual(run: GlyphRun) -> str | None:
    """Clusters that are not one glyph per character, or marks placed on other glyphs: extractors guess
    wrong from glyph positions (gaps, order), so a left-to-right run with them gives its text outright."""
    if not run.rtl and any(not g.text or len(g.text) > 1 or not g.advance for g in run.glyphs):
        return run.text
    return None


NO_TEXT = "\ufffe"  # what a glyph that stands for no text maps to: pdfium drops it (IsControlChar)


def _carry_raised_text(glyphs: list[_Written]) -> list[_Written]:
    """Raised or lowered glyphs (marks) are drawn in text objects of their own, which extractors order
    by x rather than as written; their text goes to the next glyph on the baseline instead (or the one
    before, at the end), which keeps the order written. A glyph that then stands for no text maps to
    NO_TEXT, since pdfium would otherwise make up a character from its code."""
    out = list(glyphs)
    carried = ""
    for index, (glyph, x, text) in enumerate(out):
        if _raised(glyph):
            carried += text
            out[index] = (glyph, x, NO_TEXT)
        elif carried:
            out[index] = (glyph, x, carried + text)
            carried = ""
    if carried:
        for index in reversed(range(len(out))):
            glyph, x, text = out[index]
            if not _raised(glyph):
                out[index] = (glyph, x, text + carried)
                carried = ""
                break
    if carried:  # nothing on the baseline: leave the text where it was
        out = glyphs
    return [(glyph, x, text or NO_TEXT) for glyph, x, text in out]


def _mirror(char: str) -> str:
    return reading.MIRROR.get(char, char)


def _raised(glyph: PlacedGlyph) -> bool:
    return abs(glyph.y) > 1e-6


@functools.lru_cache(maxsize=1024)
def _extractor_ordered(
    runs: tuple[GlyphRun, ...], rtl: bool
) -> tuple[tuple[GlyphRun, tuple[_Written, ...], tuple[_Written, ...]], ...] | None:
    """A line's text objects in the order that makes pdfium read its logical text back: per group of
    adjacent runs of one font, size and colour, its first run, the glyphs that stand for text in stream
    order, and those that stand for none (drawn after the page's lines). None for a left-to-right line of
    a left-to-right document, drawn as laid out. Remembered by the runs (a batch draws the same lines for
    every organisation; working out the order is most of drawing an Arabic or Urdu poster)."""
    logical = sorted(runs, key=lambda run: run.reading)
    text = "".join(run.text for run in logical)
    if not rtl and not any(reading.direction(c) is reading.Direction.RIGHT for c in text):
        return None
    written = reading.extractor_order(text, rtl)
    position = {w.index: n for n, w in enumerate(written)}
    mirrored = {w.index for w in written if w.mirrored}
    starts = {}
    start = 0
    for run in logical:
        starts[id(run)] = start
        start += len(run.text)
    ordered = []
    for group in _same_font_groups(list(runs)):
        entries: list[tuple[float, _Written]] = []
        for run in group:
            key = -1.0
            for glyph, indices in zip(run.glyphs, _glyph_chars(run, starts[id(run)]), strict=True):
                if indices:
                    key = float(min(position[i] for i in indices))
                else:
                    key += 1e-3  # a glyph that stands for no text of its own goes with the one before
                in_order = sorted(indices, key=position.__getitem__)
                chars = "".join(_mirror(text[i]) if i in mirrored else text[i] for i in in_order)
                entries.append((key, (glyph, run.x, chars)))
        entries.sort(key=lambda entry: entry[0])
        glyphs = _carry_raised_text([entry for _, entry in entries])
        visible = tuple(g for g in glyphs if g[2] != NO_TEXT)
        ordered.append((group[0], visible, tuple(g for g in glyphs if g[2] == NO_TEXT)))
    return tuple(ordered)


def _same_font_groups(runs: list[GlyphRun]) -> list[list[GlyphRun]]:
    """Runs next to each other (left to right) in one font, size and colour."""
    groups: list[list[GlyphRun]] = []
    for run in runs:
        last = groups[-1][-1] if groups else None
        if last and (last.font_file, last.size, last.colour) == (run.font_file, run.size, run.colour):
            groups[-1].append(run)
        else:
            groups.append([run])
    return groups


def _glyph_chars(run: GlyphRun, start: int) -> list[list[int]]:
    """For each glyph of the run, the indices (in its line's logical text, where the run starts at
    `start`) of the characters it stands for."""
    chars: list[list[int]] = [[] for _ in run.glyphs]
    indices = reversed(range(len(run.glyphs))) if run.rtl else range(len(run.glyphs))
    offset = start
    for index in indices:
        length = len(run.glyphs[index].text)
        chars[index] = list(range(offset, offset + length))
        offset += length
    return chars


def _num(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _crop_marks(canvas: Canvas, geometry: PageGeometry) -> None:
    """Eight hairlines in registration colour, in the slug, pointing at the trim corners."""
    offset = geometry.offset
    near = geometry.bleed + CROP_MARK_GAP
    far = offset
    x_edges = (offset, offset + geometry.trim_width)
    y_edges = (offset, offset + geometry.trim_height)
    canvas.saveState()
    canvas.setStrokeColor(REGISTRATION)
    canvas.setLineWidth(CROP_MARK_WIDTH)
    for x in x_edges:
        for y, direction in ((y_edges[0], -1), (y_edges[1], 1)):
            canvas.line(x, y + direction * near, x, y + direction * far)
    for y in y_edges:
        for x, direction in ((x_edges[0], -1), (x_edges[1], 1)):
            canvas.line(x + direction * near, y, x + direction * far, y)
    canvas.restoreState()


def _fold_marks(canvas: Canvas, geometry: PageGeometry, folds: tuple[Pt, ...]) -> None:
    """A dashed hairline in the slug above and below each fold, beside the crop marks (as binders expect)."""
    if not folds:
        return
    offset = geometry.offset
    near = geometry.bleed + CROP_MARK_GAP
    canvas.saveState()
    canvas.setStrokeColor(REGISTRATION)
    canvas.setLineWidth(CROP_MARK_WIDTH)
    canvas.setDash(FOLD_MARK_DASH)
    for fold in folds:
        x = offset + fold
        canvas.line(x, offset - near, x, 0)
        top = offset + geometry.trim_height
        canvas.line(x, top + near, x, top + offset)
    canvas.restoreState()
