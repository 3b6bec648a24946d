"""Preflight: check a finished PDF as a print shop would, from the file alone (no template knowledge).

A file is a *print edition* if it has a PDF/X OutputIntent, a TrimBox or a PDF/X claim; otherwise it is a
*screen edition*, for which RGB is right and the print checks (boxes, output intent, colour, resolution,
ink, safe area) are skipped. Both editions must open and have every font embedded.

Total ink coverage is computed from the content itself: every CMYK, grey or spot colour set in a content
stream (spot colours mapped through their tint transform to CMYK; the registration colour
`/Separation /All` of crop and fold marks is exempt), and the darkest pixel of every CMYK or grey image.
For awareprint's files this is exact, not an estimate, because they use no overprint and no transparency
blending: what is painted last is what is printed, so the highest ink of any one colour is the highest
ink on paper. For files that blend or overprint it is a lower bound at those spots, and for images partly
hidden under other objects an upper bound.
"""

from __future__ import annotations

import hashlib
import io
import math
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from xml.etree import ElementTree

import pikepdf
from pikepdf.models.image import UnsupportedImageTypeError
from PIL import Image, ImageMath

from awareprint.diagnostics import AwareprintError, Diagnostic, Severity
from awareprint.load.inputs import regular_file
from awareprint.units import MIN_BLEED_MM

if TYPE_CHECKING:
    from pypdfium2 import PdfTextPage

Edition = Literal["print", "screen"]

MM = 72 / 25.4
MAX_INK_PERCENT = 300.0
SMALL_FORMAT_MM = 297.0  # a trim whose longer side is at most A4's is read close up: it needs 300 ppi
_TOLERANCE_PT = 0.01 * MM  # box coordinates are rounded when written
_NO_PASSWORD = "save it again without a password or other protection"
_MAX_FORM_DEPTH = 12  # forms inside forms: deeper is a loop or a hostile file
_SHOWN_WORDS = 3  # text outside the safe area: how many words a diagnostic quotes
# What a malformed or hostile file raises from deep inside pikepdf or pdfium: reported, never a traceback.
_MALFORMED = (pikepdf.PdfError, ValueError, TypeError, KeyError, AttributeError, IndexError, OSError)
# What decoding one image may raise: that image's ink is not measured, the rest of the file is.
_UNDECODABLE = (UnsupportedImageTypeError, NotImplementedError, Image.DecompressionBombError, *_MALFORMED)

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 with x0 <= x1 and y0 <= y1, in points
Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


@dataclass(frozen=True, slots=True)
class PreflightReport:
    path: Path
    edition: Edition | None  # None: the file could not be read
    standard: str | None  # the PDF/X version the file claims, e.g. "PDF/X-4" or "PDF/X-1a:2003"
    pages: int
    max_ink_percent: float | None  # None: a screen edition, or nothing inked
    max_ink_at: str | None  # where the maximum is: page and operator, or page and image name
    diagnostics: tuple[Diagnostic, ...]

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity is severity)


def preflight_pdf(path: Path, safe_margin_mm: float = 3.0, *, data: bytes | None = None) -> PreflightReport:
    """Check one finished PDF; never raises for a bad file, and changes nothing on disk.

    `data`: the file's bytes, when the caller has them. A batch checks the bytes it wrote, not whatever is
    at `path` by now (another run into the same folder may have replaced it); `path` then only names it.
    """
    findings = _Findings(path)
    source: Path | bytes = path if data is None else data
    pdf = _open(source, findings)
    if pdf is None:
        return PreflightReport(path, None, None, 0, None, None, findings.done())
    with pdf:
        try:
            return _preflight(pdf, source, safe_margin_mm, findings)
        except _MALFORMED as error:
            findings.error("preflight-unreadable", f"malformed PDF ({_reason(error, path)})", _REGENERATE)
            return PreflightReport(path, None, None, len(pdf.pages), None, None, findings.done())


_REGENERATE = "generate the file again; a copy cut short by an interrupted transfer or a full disk is damaged"
_ENDS = 1024  # a PDF starts with %PDF- and ends with %%EOF within this many bytes (as readers allow)


def _open(source: Path | bytes, findings: _Findings) -> pikepdf.Pdf | None:
    """The file opened as it is, or None with one clear reason: missing, not a PDF, cut short, damaged."""
    path = findings.path
    if isinstance(source, bytes):
        head, tail = source[:_ENDS], source[-_ENDS:]
    else:
        try:
            regular_file(source)
        except AwareprintError as error:
            problem = error.diagnostic
            findings.error("preflight-unreadable", problem.message, problem.hint or "check the path")
            return None
        try:
            with source.open("rb") as file:
                head = file.read(_ENDS)
                file.seek(max(0, source.stat().st_size - _ENDS))
                tail = file.read()
        except OSError as error:
            message = f"cannot read the file ({error.strerror})"
            findings.error("preflight-unreadable", message, "check the path")
            return None
    if b"%PDF-" not in head:
        findings.error(
            "preflight-unreadable", "not a PDF file (no %PDF header)", "give the PDF itself, not another file"
        )
        return None
    if b"%%EOF" not in tail:
        findings.error(
            "preflight-unreadable", "the file ends early (no %%EOF): it was cut short", _REGENERATE
        )
        return None
    try:
        pdf = pikepdf.open(io.BytesIO(source) if isinstance(source, bytes) else source)
    except pikepdf.PasswordError:
        findings.error("preflight-encrypted", "the PDF is password-protected", _NO_PASSWORD)
        return None
    except pikepdf.PdfError as error:
        findings.error("preflight-unreadable", f"not a readable PDF ({_reason(error, path)})", _REGENERATE)
        return None
    if pdf.is_encrypted:  # opened with an empty user password: a print shop's RIP may still refuse it
        pdf.close()
        findings.error(
            "preflight-encrypted", "the PDF is encrypted, which PDF/X does not allow", _NO_PASSWORD
        )
        return None
    if damage := pdf.get_warnings():  # qpdf repaired it: "file is damaged", then what it found
        pdf.close()
        found = next((w for w in damage if not w.endswith("file is damaged")), damage[0])
        findings.error("preflight-unreadable", f"damaged PDF ({_reason(found, path)})", _REGENERATE)
        return None
    return pdf


def _preflight(
    pdf: pikepdf.Pdf, source: Path | bytes, safe_margin_mm: float, findings: _Findings
) -> PreflightReport:
    path = findings.path
    markers = _read_markers(pdf)
    edition: Edition = "print" if _is_print_edition(pdf, markers) else "screen"
    pages = list(pdf.pages)
    _check_fonts(pages, findings)
    if edition == "screen":
        findings.add(Severity.INFO, "preflight-screen", "screen edition, print checks skipped")
        return PreflightReport(path, edition, None, len(pages), None, None, findings.done())

    trims = [_check_boxes(number, page, findings) for number, page in enumerate(pages, 1)]
    _check_output_intent(pdf, findings)
    _check_markers(pdf, markers, findings)
    ink = _Ink()
    for number, (page, trim) in enumerate(zip(pages, trims, strict=True), 1):
        _PageScan(number, page, trim, markers.is_x1a, ink, findings).run()
    if ink.percent > MAX_INK_PERCENT + 0.05:
        findings.error(
            "preflight-ink",
            f"total ink coverage {ink.percent:.0f} % at {ink.at}, over the {MAX_INK_PERCENT:.0f} % limit",
            "reduce the darkest colour (e.g. rich black to 60/40/40/100 or less) or convert the image "
            "through the print shop's output profile",
        )
    _check_safe_area(source, trims, safe_margin_mm, findings)
    return PreflightReport(
        path,
        edition,
        markers.standard,
        len(pages),
        round(ink.percent, 1) if ink.at else None,
        ink.at,
        findings.done(),
    )


@dataclass(slots=True)
class _Findings:
    path: Path
    found: list[Diagnostic] = field(default_factory=list)

    def add(self, severity: Severity, code: str, message: str, hint: str | None = None) -> None:
        self.found.append(Diagnostic(severity, code, message, file=self.path, hint=hint))

    def error(self, code: str, message: str, hint: str | None = None) -> None:
        self.add(Severity.ERROR, code, message, hint)

    def done(self) -> tuple[Diagnostic, ...]:
        return tuple(self.found)


def _reason(error: Exception | str, path: Path) -> str:
    """The first line of qpdf's message, without the file name it starts with (the line names the file)."""
    text = (str(error).strip().splitlines() or [type(error).__name__])[0]
    return text.removeprefix(str(path)).lstrip(": ") or text


# --- PDF/X markers and the output intent ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Markers:
    """What the file says about itself: PDF/X version in Info and in XMP, conformance, trapping."""

    info_version: str | None
    xmp_version: str | None
    xmp_namespace: str | None  # "pdfxid" or "pdfx" (X-1a:2003 and older)
    conformance: str | None
    trapped: str | None  # Info /Trapped without its slash: True, False, Unknown
    xmp_trapped: str | None
    xmp_readable: bool

    @property
    def standard(self) -> str | None:
        version = self.xmp_version or self.info_version
        if version and version.startswith("PDF/X-1") and self.conformance:
            return self.conformance
        return version

    @property
    def is_x1a(self) -> bool:
        return bool(self.conformance and self.conformance.startswith("PDF/X-1a"))


def _read_markers(pdf: pikepdf.Pdf) -> _Markers:
    info = pdf.docinfo if "/Info" in pdf.trailer else pikepdf.Dictionary()
    xmp = _xmp_properties(pdf.Root.get("/Metadata"))
    namespace = next((n for n in ("pdfxid", "pdfx") if f"{n}:GTS_PDFXVersion" in (xmp or {})), None)
    trapped = info.get("/Trapped")
    return _Markers(
        _text(info.get("/GTS_PDFXVersion")),
        xmp[f"{namespace}:GTS_PDFXVersion"] if xmp and namespace else None,
        namespace,
        _text(info.get("/GTS_PDFXConformance")),
        str(trapped).lstrip("/") if trapped is not None else None,
        xmp.get("pdf:Trapped") if xmp else None,
        xmp is not None,
    )


_XMP_NAMESPACES = {
    "pdfxid": "http://www.npes.org/pdfx/ns/id/",  # PDF/X-4
    "pdfx": "http://ns.adobe.com/pdfx/1.3/",  # PDF/X-1a:2003 and older
    "pdf": "http://ns.adobe.com/pdf/1.3/",
}
_XMP_WANTED = {
    f"{{{uri}}}{name}": f"{prefix}:{name}"
    for prefix, uri in _XMP_NAMESPACES.items()
    for name in ("GTS_PDFXVersion", "Trapped")
}


def _xmp_properties(metadata: pikepdf.Object | None) -> dict[str, str] | None:
    """The XMP properties preflight reads (`pdfxid:GTS_PDFXVersion`, ...), written as attributes or
    elements; None if the packet is not well-formed XML. Read directly: quicker and quieter than a full
    XMP model, which logs its repairs."""
    if not isinstance(metadata, pikepdf.Stream):
        return {}
    try:
        root = ElementTree.fromstring(metadata.read_bytes())
    except ElementTree.ParseError:
        return None
    found = {}
    for element in root.iter():
        found.update((_XMP_WANTED[key], value) for key, value in element.attrib.items() if key in _XMP_WANTED)
        if element.tag in _XMP_WANTED and element.text and element.text.strip():
            found[_XMP_WANTED[element.tag]] = element.text.strip()
    return found


def _text(value: pikepdf.Object | None) -> str | None:
    return str(value) if value is not None else None


def _is_print_edition(pdf: pikepdf.Pdf, markers: _Markers) -> bool:
    return (
        "/OutputIntents" in pdf.Root
        or markers.standard is not None
        or any("/TrimBox" in page.obj for page in pdf.pages)
    )


def _check_output_intent(pdf: pikepdf.Pdf, findings: _Findings) -> None:
    hint = "make the file as PDF/X with the print shop's CMYK profile (awareprint poster --profile shop.icc)"
    intents = [
        intent
        for intent in pdf.Root.get("/OutputIntents", pikepdf.Array())
        if isinstance(intent, pikepdf.Dictionary) and intent.get("/S") == pikepdf.Name.GTS_PDFX
    ]
    if not intents:
        findings.error(
            "preflight-outputintent", "no PDF/X OutputIntent: the print condition is unknown", hint
        )
        return
    intent = intents[0]
    profile = intent.get("/DestOutputProfile")
    if isinstance(profile, pikepdf.Stream):
        colour_space = bytes(profile.read_bytes()[16:20]).decode("latin-1").strip()
        if colour_space != "CMYK":
            message = f"the OutputIntent's profile is {colour_space or 'unknown'}, not CMYK"
            findings.error("preflight-outputintent", message, hint)
        return
    identifier = _text(intent.get("/OutputConditionIdentifier"))
    if not identifier or identifier == "Custom":
        findings.error(
            "preflight-outputintent",
            "the OutputIntent has no embedded profile and names no registered print condition",
            hint,
        )


_PDF_VERSION_LIMIT = {"PDF/X-4": "1.6", "PDF/X-1:2001": "1.3", "PDF/X-1a:2001": "1.3", "PDF/X-1:2003": "1.4"}


def _check_markers(pdf: pikepdf.Pdf, markers: _Markers, findings: _Findings) -> None:
    hint = "write the PDF/X markers with awareprint's PDF/X finisher, or re-export as PDF/X"
    if not markers.xmp_readable:
        findings.error("preflight-pdfx", "the XMP metadata is not well-formed XML", hint)
    if markers.standard is None:
        findings.add(Severity.WARNING, "preflight-pdfx", "the file claims no PDF/X version", hint)
        return
    if markers.info_version and markers.xmp_version and markers.info_version != markers.xmp_version:
        findings.error(
            "preflight-pdfx",
            f"Info says {markers.info_version} but XMP says {markers.xmp_version}",
            hint,
        )
    version = markers.xmp_version or markers.info_version
    if version == "PDF/X-4" and markers.xmp_namespace != "pdfxid":
        findings.error("preflight-pdfx", "PDF/X-4 is not recorded in XMP (pdfxid:GTS_PDFXVersion)", hint)
    if version and version.startswith("PDF/X-1") and not markers.conformance:
        findings.error("preflight-pdfx", f"{version} without /GTS_PDFXConformance in Info", hint)
    if markers.trapped not in ("True", "False"):
        findings.error(
            "preflight-pdfx", f"/Trapped is {markers.trapped or 'missing'}, not True or False", hint
        )
    elif markers.xmp_trapped and markers.xmp_trapped != markers.trapped:
        findings.error(
            "preflight-pdfx", f"Info /Trapped is {markers.trapped} but XMP says {markers.xmp_trapped}", hint
        )
    limit = _PDF_VERSION_LIMIT.get(version or "")
    if limit and _version_key(pdf.pdf_version) > _version_key(limit):
        findings.error(
            "preflight-pdfx", f"PDF {pdf.pdf_version} is newer than {version} allows ({limit})", hint
        )


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())


# --- page boxes -------------------------------------------------------------------------------------------


def _box(page: pikepdf.Page, name: str) -> Box | None:
    value = page.obj.get(name) if name != "/MediaBox" else page.mediabox  # only MediaBox is inherited
    if value is None:
        return None
    x0, y0, x1, y1 = (float(v) for v in value)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _contains(outer: Box, inner: Box) -> bool:
    return (
        inner[0] >= outer[0] - _TOLERANCE_PT
        and inner[1] >= outer[1] - _TOLERANCE_PT
        and inner[2] <= outer[2] + _TOLERANCE_PT
        and inner[3] <= outer[3] + _TOLERANCE_PT
    )


def _check_boxes(number: int, page: pikepdf.Page, findings: _Findings) -> Box:
    """Checks MediaBox ⊇ BleedBox ⊇ TrimBox and the bleed; returns the trim (the MediaBox without one)."""
    media = _box(page, "/MediaBox")
    bleed, trim = _box(page, "/BleedBox"), _box(page, "/TrimBox")
    hint = "set a TrimBox of the finished size inside a BleedBox 3 mm larger on each side"
    if trim is None:
        findings.error("preflight-boxes", f"page {number}: no TrimBox: the finished size is unknown", hint)
        return media
    if "/ArtBox" in page.obj:
        findings.error("preflight-boxes", f"page {number}: both ArtBox and TrimBox (PDF/X allows one)", hint)
    if bleed is None:
        findings.error("preflight-boxes", f"page {number}: no BleedBox: nothing may run off the edge", hint)
        return trim
    for outer, inner, names in ((media, bleed, "MediaBox ⊇ BleedBox"), (bleed, trim, "BleedBox ⊇ TrimBox")):
        if not _contains(outer, inner):
            findings.error("preflight-boxes", f"page {number}: page boxes not nested ({names} fails)", hint)
            return trim
    sides = ("left", "bottom", "right", "top")
    bleeds = (trim[0] - bleed[0], trim[1] - bleed[1], bleed[2] - trim[2], bleed[3] - trim[3])
    narrow = [(side, amount / MM) for side, amount in zip(sides, bleeds, strict=True)]
    narrow = [(side, mm) for side, mm in narrow if mm < MIN_BLEED_MM - 0.01]
    if narrow:
        where = ", ".join(f"{side} {mm:.1f} mm" for side, mm in narrow)
        findings.error("preflight-boxes", f"page {number}: bleed under {MIN_BLEED_MM:.0f} mm ({where})", hint)
    return trim


# --- fonts ----------------------------------------------------------------------------------------------


def _check_fonts(pages: list[pikepdf.Page], findings: _Findings) -> None:
    """Every font in every page's resources, forms, patterns and Type 3 fonts: one line per missing font."""
    seen: set[tuple[int, int]] = set()
    for number, page in enumerate(pages, 1):
        for name, font in _fonts(page.obj.get("/Resources"), seen):
            if not _embedded(font):
                base = str(font.get("/BaseFont", name)).lstrip("/")
                findings.error(
                    "preflight-font",
                    f"page {number}: font {base} is not embedded",
                    "embed every font (awareprint draws only embedded TrueType subsets)",
                )


def _fonts(
    resources: pikepdf.Object | None, seen: set[tuple[int, int]]
) -> Iterator[tuple[str, pikepdf.Object]]:
    """Fonts reachable from a resource dictionary, each once (by object number) over the whole file."""
    if not isinstance(resources, pikepdf.Dictionary) or not _first_visit(resources, seen):
        return
    for name, font in resources.get("/Font", pikepdf.Dictionary()).items():
        if isinstance(font, pikepdf.Dictionary) and _first_visit(font, seen):
            yield name, font
            if font.get("/Subtype") == pikepdf.Name.Type3:
                yield from _fonts(font.get("/Resources"), seen)
    for group in ("/XObject", "/Pattern"):
        for child in resources.get(group, pikepdf.Dictionary()).values():
            form = isinstance(child, pikepdf.Stream) and child.get("/Subtype") != pikepdf.Name.Image
            if form and _first_visit(child, seen):  # a form may hold itself in its own resources
                yield from _fonts(child.get("/Resources"), seen)


def _first_visit(obj: pikepdf.Object, seen: set[tuple[int, int]]) -> bool:
    if not obj.is_indirect:
        return True
    if obj.objgen in seen:
        return False
    seen.add(obj.objgen)
    return True


def _embedded(font: pikepdf.Object) -> bool:
    if font.get("/Subtype") == pikepdf.Name.Type3:  # glyphs are content streams in the file itself
        return True
    if font.get("/Subtype") == pikepdf.Name.Type0:
        descendants = font.get("/DescendantFonts", pikepdf.Array())
        font = descendants[0] if len(descendants) else pikepdf.Dictionary()
    descriptor = font.get("/FontDescriptor")
    return isinstance(descriptor, pikepdf.Dictionary) and any(
        key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
    )


# --- colour spaces --------------------------------------------------------------------------------------

_Kind = Literal["gray", "rgb", "cmyk", "spot", "registration", "none", "pattern", "other"]


@dataclass(frozen=True, slots=True)
class _Space:
    """A colour space as preflight sees it: its kind, and how a colour in it turns into ink."""

    kind: _Kind
    label: str
    components: int = 1
    to_cmyk: Callable[[list[float]], list[float] | None] | None = None  # spot tints → process CMYK

    def ink(self, values: list[float]) -> float | None:
        """Percent of ink a colour puts on paper (all plates together), None if it is not ink (RGB)."""
        if self.kind == "cmyk" and len(values) == 4:
            return 100 * sum(values)
        if self.kind == "gray" and len(values) == 1:
            return 100 * (1 - values[0])  # grey prints on the black plate only
        if self.kind == "spot":
            cmyk = self.to_cmyk(values) if self.to_cmyk else None
            return 100 * sum(cmyk) if cmyk is not None else 100 * sum(values)  # else: each tint its own plate
        if self.kind in ("registration", "none"):
            return 0.0
        return None


_DEVICE = {
    "/DeviceGray": _Space("gray", "DeviceGray"),
    "/G": _Space("gray", "DeviceGray"),
    "/DeviceRGB": _Space("rgb", "DeviceRGB", 3),
    "/RGB": _Space("rgb", "DeviceRGB", 3),
    "/CalRGB": _Space("rgb", "CalRGB", 3),
    "/DeviceCMYK": _Space("cmyk", "DeviceCMYK", 4),
    "/CMYK": _Space("cmyk", "DeviceCMYK", 4),
    "/Pattern": _Space("pattern", "Pattern"),
}


def _space(value: pikepdf.Object | None, resources: pikepdf.Object | None = None) -> _Space:
    """Resolve a colour space: a device name, a name in the resources, or an array."""
    if value is None:
        return _Space("other", "unknown")
    if isinstance(value, pikepdf.Name):
        if str(value) in _DEVICE:
            return _DEVICE[str(value)]
        named = resources.get("/ColorSpace", pikepdf.Dictionary()).get(value) if resources else None
        return _space(named) if named is not None else _Space("other", str(value))
    if not isinstance(value, pikepdf.Array) or not len(value):
        return _Space("other", "unknown")
    family = str(value[0])
    if family in _DEVICE and len(value) == 1:
        return _DEVICE[family]
    if family == "/ICCBased":
        components = int(value[1].get("/N", 0))
        kinds: dict[int, _Kind] = {1: "gray", 3: "rgb", 4: "cmyk"}
        return _Space(kinds.get(components, "other"), f"ICCBased ({components} components)", components)
    if family == "/CalRGB":
        return _DEVICE["/CalRGB"]
    if family == "/CalGray":
        return _Space("gray", "CalGray")
    if family == "/Indexed":
        base = _space(value[1])
        return _Space(base.kind if base.kind == "rgb" else "other", f"Indexed {base.label}")
    if family in ("/Separation", "/DeviceN"):
        names = [str(value[1])] if family == "/Separation" else [str(n) for n in value[1]]
        if names == ["/All"]:
            return _Space("registration", "Separation All")
        if all(n == "/None" for n in names):
            return _Space("none", f"{family[1:]} None")
        alternate = _space(value[2])
        to_cmyk = _tint_transform(value[3]) if alternate.kind == "cmyk" else None
        return _Space("spot", f"{family[1:]} {' '.join(n.lstrip('/') for n in names)}", len(names), to_cmyk)
    if family == "/Pattern":
        return _Space("pattern", "Pattern")
    return _Space("other", family.lstrip("/"))


def _tint_transform(function: pikepdf.Object) -> Callable[[list[float]], list[float] | None] | None:
    """Type 2 (exponential) and arithmetic Type 4 (calculator) functions; others are not simple."""
    kind = int(function.get("/FunctionType", -1))
    if kind == 2:
        c0 = [float(v) for v in function.get("/C0", [0.0])]
        c1 = [float(v) for v in function.get("/C1", [1.0])]
        exponent = float(function.get("/N", 1))

        def exponential(values: list[float]) -> list[float]:
            t = max(0.0, min(1.0, values[0])) ** exponent
            return [a + t * (b - a) for a, b in zip(c0, c1, strict=True)]

        return exponential
    if kind == 4 and isinstance(function, pikepdf.Stream):
        program = function.read_bytes().decode("latin-1").replace("{", " ").replace("}", " ").split()
        return lambda values: _calculate(program, values)
    return None


_BINARY: dict[str, Callable[[float, float], float]] = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b if b else 0.0,
}


def _calculate(program: list[str], values: list[float]) -> list[float] | None:
    """Run a PostScript calculator function made only of numbers, arithmetic and stack operators."""
    stack = list(values)
    try:
        for token in program:
            if token in _BINARY:
                b, a = stack.pop(), stack.pop()
                stack.append(_BINARY[token](a, b))
            elif token == "dup":
                stack.append(stack[-1])
            elif token == "exch":
                stack[-1], stack[-2] = stack[-2], stack[-1]
            elif token == "pop":
                stack.pop()
            elif token == "index":
                depth = int(stack.pop())
                stack.append(stack[-1 - depth])
            else:
                stack.append(float(token))
    except (IndexError, ValueError):
        return None  # an operator this small evaluator does not know (if, roll, exp, ...)
    return [max(0.0, min(1.0, v)) for v in stack] if len(stack) == 4 else None


# --- content streams: colour, images, transparency, ink -------------------------------------------------


@dataclass(slots=True)
class _Ink:
    percent: float = 0.0
    at: str | None = None
    images: dict[tuple[int, int], float | None] = field(default_factory=dict)  # each image once per file

    def record(self, percent: float | None, at: str) -> None:
        if percent is not None and percent > self.percent + 1e-9:
            self.percent, self.at = percent, at


@dataclass(slots=True)
class _State:
    ctm: Matrix = IDENTITY
    fill: _Space = _DEVICE["/DeviceGray"]
    stroke: _Space = _DEVICE["/DeviceGray"]


def _multiply(m: Matrix, n: Matrix) -> Matrix:
    """m then n: the matrix of `cm m` applied inside a state whose CTM is n."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


def _numbers(operands: list[object]) -> list[float]:
    """The numeric operands (pikepdf gives int and Decimal); a pattern's name is left out."""
    return [float(v) for v in operands if isinstance(v, int | float | Decimal)]


# Only what changes the graphics state, colour or draws an image: text operators are most of a page.
_SCANNED = "q Q cm rg RG k K g G cs CS sc scn SC SCN sh gs Do BI ID EI"


def _instructions(content: pikepdf.Page | pikepdf.Stream) -> list:
    return pikepdf.parse_content_stream(content, _SCANNED)


class _PageScan:
    """Walks a page's content (and the forms it draws) tracking q/Q/cm and colour spaces."""

    def __init__(
        self, number: int, page: pikepdf.Page, trim: Box, x1a: bool, ink: _Ink, findings: _Findings
    ) -> None:
        self.number, self.page, self.x1a, self.ink, self.findings = number, page, x1a, ink, findings
        longer_mm = max(trim[2] - trim[0], trim[3] - trim[1]) / MM
        self.needed_ppi = 300 if longer_mm <= SMALL_FORMAT_MM + 0.5 else 150
        self.rgb: Counter[str] = Counter()
        self.transparency: Counter[str] = Counter()

    def run(self) -> None:
        self._walk(_instructions(self.page), self.page.obj.get("/Resources"), _State(), 0)
        where = f"page {self.number}"
        if self.rgb:
            findings = ", ".join(f"{what} ({n}x)" if n > 1 else what for what, n in self.rgb.most_common())
            self.findings.error(
                "preflight-rgb",
                f"{where}: RGB colour in a print edition: {findings}",
                "convert colours and images to CMYK through the output profile",
            )
        if self.transparency:
            found = ", ".join(self.transparency)
            self.findings.error(
                "preflight-transparency",
                f"{where}: transparency in a PDF/X-1a file: {found}",
                "flatten the transparency, or make the file as PDF/X-4 (--pdfx x4)",
            )

    def _walk(self, instructions: list, resources: pikepdf.Object | None, state: _State, depth: int) -> None:
        """One content stream, starting from the graphics state it inherits (a form: the state at `Do`)."""
        saved = []
        if not isinstance(resources, pikepdf.Dictionary):
            resources = pikepdf.Dictionary()
        for operands, operator in instructions:
            op = str(operator)
            if op == "q":
                saved.append(_State(state.ctm, state.fill, state.stroke))
            elif op == "Q" and saved:
                state = saved.pop()
            elif op == "cm" and len(operands) == 6:
                state.ctm = _multiply(tuple(float(v) for v in operands), state.ctm)  # type: ignore[arg-type]
            elif op in ("rg", "RG"):
                self.rgb["rg/RG colour operators"] += 1
            elif op in ("k", "K"):
                self._colour(_DEVICE["/DeviceCMYK"], operands, op)
            elif op in ("g", "G"):
                self._colour(_DEVICE["/DeviceGray"], operands, op)
            elif op in ("cs", "CS") and operands:
                space = _space(operands[0], resources)
                if space.kind == "rgb":
                    self.rgb[f"colour space {operands[0]} ({space.label})"] += 1
                if op == "cs":
                    state.fill = space
                else:
                    state.stroke = space
            elif op in ("sc", "scn", "SC", "SCN"):
                self._colour(state.fill if op.islower() else state.stroke, operands, op)
            elif op == "sh" and operands:
                shading = resources.get("/Shading", pikepdf.Dictionary()).get(operands[0])
                self._shading(shading, str(operands[0]))
            elif op == "gs" and operands:
                self._graphics_state(resources.get("/ExtGState", pikepdf.Dictionary()).get(operands[0]))
            elif op == "Do" and operands:
                xobject = resources.get("/XObject", pikepdf.Dictionary()).get(operands[0])
                self._draw(xobject, str(operands[0]), state, depth)
            elif op == "INLINE IMAGE":
                self._inline_image(operands[0], state.ctm)

    def _colour(self, space: _Space, operands: list[pikepdf.Object], op: str) -> None:
        values = _numbers(operands)
        if space.kind == "rgb" and op not in ("rg", "RG"):
            self.rgb[f"{space.label} colours"] += 1
        text = " ".join(f"{v:g}" for v in values)
        self.ink.record(space.ink(values), f"page {self.number}, '{text} {op}' ({space.label})")

    def _shading(self, shading: pikepdf.Object | None, name: str) -> None:
        if isinstance(shading, pikepdf.Dictionary) and _space(shading.get("/ColorSpace")).kind == "rgb":
            self.rgb[f"shading {name}"] += 1

    def _graphics_state(self, state: pikepdf.Object | None) -> None:
        if not self.x1a or not isinstance(state, pikepdf.Dictionary):
            return
        for key in ("/ca", "/CA"):
            if key in state and float(state[key]) < 1:
                self.transparency[f"opacity {key[1:]} {float(state[key]):g}"] += 1
        if state.get("/SMask", pikepdf.Name.None_) != pikepdf.Name.None_:
            self.transparency["soft mask"] += 1
        blend = state.get("/BM", pikepdf.Name.Normal)
        if isinstance(blend, pikepdf.Name) and blend not in (pikepdf.Name.Normal, pikepdf.Name.Compatible):
            self.transparency[f"blend mode {str(blend)[1:]}"] += 1

    def _draw(self, xobject: pikepdf.Object | None, name: str, state: _State, depth: int) -> None:
        if not isinstance(xobject, pikepdf.Stream):
            return
        if xobject.get("/Subtype") == pikepdf.Name.Image:
            self._image(xobject, name, state.ctm)
        elif xobject.get("/Subtype") == pikepdf.Name.Form and depth < _MAX_FORM_DEPTH:
            matrix = tuple(float(v) for v in xobject.get("/Matrix", IDENTITY))
            resources = xobject.get("/Resources") or self.page.obj.get("/Resources")
            inner = _State(_multiply(matrix, state.ctm), state.fill, state.stroke)  # type: ignore[arg-type]
            self._walk(_instructions(xobject), resources, inner, depth + 1)

    def _image(self, image: pikepdf.Stream, name: str, ctm: Matrix) -> None:
        where = f"page {self.number}, image {name}"
        space = _space(image.get("/ColorSpace"))
        if space.kind == "rgb":
            self.rgb[f"image {name} ({space.label})"] += 1
        if self.x1a and ("/SMask" in image or int(image.get("/SMaskInData", 0))):
            self.transparency[f"soft mask on image {name}"] += 1
        if bool(image.get("/ImageMask", False)):
            return  # a stencil: one-bit line art, judged by other rules than photographs
        self._resolution(int(image.get("/Width", 0)), int(image.get("/Height", 0)), ctm, where)
        key = image.objgen
        if key not in self.ink.images:
            try:
                self.ink.images[key] = _image_ink(image, space)
            except _UNDECODABLE as error:
                self.ink.images[key] = None
                self.findings.add(
                    Severity.WARNING,
                    "preflight-ink",
                    f"{where}: its ink cannot be measured ({_reason(error, self.findings.path)})",
                    "check this image's darkest colours by eye, or embed it as a plain CMYK JPEG",
                )
        self.ink.record(self.ink.images[key], where)

    def _inline_image(self, image: pikepdf.PdfInlineImage, ctm: Matrix) -> None:
        if image.image_mask:
            return
        if str(image.colorspace) in ("/DeviceRGB", "/RGB"):
            self.rgb["inline image (DeviceRGB)"] += 1
        self._resolution(image.width, image.height, ctm, f"page {self.number}, an inline image")

    def _resolution(self, width_px: int, height_px: int, ctm: Matrix, where: str) -> None:
        a, b, c, d, _, _ = ctm
        width_pt, height_pt = math.hypot(a, b), math.hypot(c, d)
        if width_pt < 1e-6 or height_pt < 1e-6:
            return
        ppi = min(width_px / (width_pt / 72), height_px / (height_pt / 72))
        if ppi >= self.needed_ppi - 0.5:
            return
        severity = Severity.ERROR if ppi < self.needed_ppi / 2 else Severity.WARNING
        size = f"{width_pt / MM:.0f} x {height_pt / MM:.0f} mm"
        needed_px = math.ceil(self.needed_ppi * width_pt / 72)
        self.findings.add(
            severity,
            "preflight-ppi",
            f"{where} is {ppi:.0f} ppi at its printed size ({width_px} x {height_px} px over {size}); "
            f"this page size needs {self.needed_ppi} ppi",
            f"use an image at least {needed_px} pixels wide, or print it smaller",
        )


_INVERTED_CMYK = [1, 0, 1, 0, 1, 0, 1, 0]


_IMAGE_INK: dict[tuple[object, ...], float | None] = {}  # by content: a batch prints one logo in every file
_IMAGE_INK_SIZE = 64


def _image_ink(image: pikepdf.Stream, space: _Space) -> float | None:
    """The highest ink of any pixel, in percent, for a CMYK or grey image (Decode arrays honoured)."""
    if space.kind not in ("cmyk", "gray") or int(image.get("/BitsPerComponent", 8)) != 8:
        return None
    raw = image.read_raw_bytes()
    how = ("/Filter", "/DecodeParms", "/Decode", "/Width", "/Height")
    key = (hashlib.blake2b(raw, digest_size=16).digest(), space.kind, *(str(image.get(k)) for k in how))
    if key not in _IMAGE_INK:
        if len(_IMAGE_INK) >= _IMAGE_INK_SIZE:
            del _IMAGE_INK[next(iter(_IMAGE_INK))]
        _IMAGE_INK[key] = _decoded_ink(image, raw, space)
    return _IMAGE_INK[key]


def _decoded_ink(image: pikepdf.Stream, raw: bytes, space: _Space) -> float | None:
    inverted = [float(v) for v in image.get("/Decode", [])] == _INVERTED_CMYK[: 2 * space.components]
    filters = image.get("/Filter")
    if filters == pikepdf.Name.DCTDecode or (
        isinstance(filters, pikepdf.Array) and list(filters) == ["/DCTDecode"]
    ):
        pixels = Image.open(io.BytesIO(raw))
        # Pillow undoes Adobe's inverted CMYK itself; the /Decode array says whether the PDF does too.
        if "adobe" in pixels.info and pixels.mode == "CMYK":
            inverted = not inverted
    else:
        pixels = pikepdf.PdfImage(image).as_pil_image()
    pixels.load()
    if space.kind == "gray":
        darkest = pixels.convert("L").getextrema()
        ink = darkest[1] if inverted else 255 - darkest[0]
        return 100 * ink / 255
    if pixels.mode != "CMYK":
        return None
    c, m, y, k = (channel.convert("I") for channel in pixels.split())
    total = ImageMath.lambda_eval(lambda px: px["c"] + px["m"] + px["y"] + px["k"], c=c, m=m, y=y, k=k)
    low, high = total.getextrema()
    return 100 * ((4 * 255 - low) if inverted else high) / 255


# --- text in the safe area (pdfium's text layer) ---------------------------------------------------------


@dataclass(slots=True)
class _Word:
    """A word with characters outside the safe area: how far the worst one reaches, and if past the trim."""

    text: str
    beyond_mm: float = 0.0
    cut: bool = False


def _check_safe_area(source: Path | bytes, trims: list[Box], margin_mm: float, findings: _Findings) -> None:
    """Text must lie inside the trim less the safe margin; text wholly in the slug is job information."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(source)
    except pdfium.PdfiumError as error:
        findings.error("preflight-unreadable", f"pdfium cannot open the file ({error})", _REGENERATE)
        return
    try:
        for number, trim in enumerate(trims, 1):
            page = document[number - 1]
            words = _words_outside(
                page.get_textpage(), trim, _pdfium_box(page.get_bleedbox()), margin_mm * MM
            )
            _report_safe_area(number, words, margin_mm, findings)
    finally:
        document.close()


def _words_outside(text: PdfTextPage, trim: Box, bleed: Box, margin: float) -> list[_Word]:
    import pypdfium2.raw as pdfium_c

    safe = (trim[0] + margin, trim[1] + margin, trim[2] - margin, trim[3] - margin)
    characters = [chr(pdfium_c.FPDFText_GetUnicode(text, i) or 0xFFFD) for i in range(text.count_chars())]
    words: dict[int, _Word] = {}  # by the index of the word's first character
    for index, character in enumerate(characters):
        if character.isspace():
            continue
        box = _pdfium_box(text.get_charbox(index))
        if box[2] <= box[0] or box[3] <= box[1] or not _overlaps(box, bleed):
            continue  # no ink, or wholly in the slug
        beyond = max(safe[0] - box[0], safe[1] - box[1], box[2] - safe[2], box[3] - safe[3])
        if beyond <= 0.01 * MM:
            continue
        start = end = index
        while start > 0 and not characters[start - 1].isspace():
            start -= 1
        while end + 1 < len(characters) and not characters[end + 1].isspace():
            end += 1
        word = words.setdefault(start, _Word("".join(characters[start : end + 1])))
        word.beyond_mm = max(word.beyond_mm, beyond / MM)
        word.cut = word.cut or max(trim[0] - box[0], trim[1] - box[1], box[2] - trim[2], box[3] - trim[3]) > 0
    return list(words.values())


def _pdfium_box(box: tuple[float, float, float, float]) -> Box:
    x0, y0, x1, y1 = box
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _report_safe_area(number: int, words: list[_Word], margin_mm: float, findings: _Findings) -> None:
    for cut, severity, what in (
        (True, Severity.ERROR, "text crosses the trim and would be cut off"),
        (False, Severity.WARNING, f"text inside the {margin_mm:g} mm safe margin"),
    ):
        chosen = [word for word in words if word.cut is cut]
        if not chosen:
            continue
        shown = ", ".join(
            f"'{_short(word.text)}' ({word.beyond_mm:.1f} mm past the safe area)"
            for word in chosen[:_SHOWN_WORDS]
        )
        more = f" and {len(chosen) - _SHOWN_WORDS} more words" if len(chosen) > _SHOWN_WORDS else ""
        findings.add(
            severity,
            "preflight-safe-area",
            f"page {number}: {what}: {shown}{more}",
            f"keep text at least {margin_mm:g} mm inside the trim (TrimBox)",
        )


def _short(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
