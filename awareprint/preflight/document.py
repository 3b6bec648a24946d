"""Document-level checks: the file opens, its PDF/X claim, OutputIntent and metadata agree."""

from __future__ import annotations

import io
from pathlib import Path
from xml.etree import ElementTree

import msgspec
import pikepdf

from awareprint.diagnostics import AwareprintError, Severity
from awareprint.load.inputs import regular_file
from awareprint.preflight.findings import Findings, reason
from awareprint.render.icc import profile_problem

_NO_PASSWORD = "save it again without a password or other protection"


REGENERATE = "generate the file again; a copy cut short by an interrupted transfer or a full disk is damaged"
_ENDS = 1024  # a PDF starts with %PDF- and ends with %%EOF within this many bytes (as readers allow)


def open_pdf(source: Path | bytes, findings: Findings) -> pikepdf.Pdf | None:
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
        findings.error("preflight-unreadable", "the file ends early (no %%EOF): it was cut short", REGENERATE)
        return None
    try:
        pdf = pikepdf.open(io.BytesIO(source) if isinstance(source, bytes) else source)
    except pikepdf.PasswordError:
        findings.error("preflight-encrypted", "the PDF is password-protected", _NO_PASSWORD)
        return None
    except pikepdf.PdfError as error:
        findings.error("preflight-unreadable", f"not a readable PDF ({reason(error, path)})", REGENERATE)
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
        findings.error("preflight-unreadable", f"damaged PDF ({reason(found, path)})", REGENERATE)
        return None
    return pdf


# --- PDF/X markers and the output intent ---------------------------------------------------------------


class _Markers(msgspec.Struct, frozen=True):
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


def read_markers(pdf: pikepdf.Pdf) -> _Markers:
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
    found: dict[str, str] = {}
    for element in root.iter():
        found.update((_XMP_WANTED[key], value) for key, value in element.attrib.items() if key in _XMP_WANTED)
        if element.tag in _XMP_WANTED and element.text and element.text.strip():
            found[_XMP_WANTED[element.tag]] = element.text.strip()
    return found


def _text(value: pikepdf.Object | None) -> str | None:
    return str(value) if value is not None else None


def is_print_edition(pdf: pikepdf.Pdf, markers: _Markers) -> bool:
    return (
        "/OutputIntents" in pdf.Root
        or markers.standard is not None
        or any("/TrimBox" in page.obj for page in pdf.pages)
    )


def check_output_intent(pdf: pikepdf.Pdf, findings: Findings) -> None:
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
        try:
            problem = profile_problem(bytes(profile.read_bytes()))
        except pikepdf.PdfError:
            problem = "its stream cannot be decoded"
        if problem:
            findings.error("preflight-outputintent", f"the OutputIntent's profile: {problem}", hint)
        return
    identifier = _text(intent.get("/OutputConditionIdentifier"))
    if not identifier or identifier == "Custom":
        findings.error(
            "preflight-outputintent",
            "the OutputIntent has no embedded profile and names no registered print condition",
            hint,
        )


_PDF_VERSION_LIMIT = {"PDF/X-4": "1.6", "PDF/X-1:2001": "1.3", "PDF/X-1a:2001": "1.3", "PDF/X-1:2003": "1.4"}


def check_markers(pdf: pikepdf.Pdf, markers: _Markers, findings: Findings) -> None:
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
