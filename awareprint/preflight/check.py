"""The preflight of one file: open it, decide its edition, run the checks that edition needs."""

from __future__ import annotations

from pathlib import Path

import pikepdf

from awareprint.diagnostics import Severity
from awareprint.preflight.boxes import check_boxes, check_safe_area
from awareprint.preflight.colour import MAX_INK_PERCENT, Ink
from awareprint.preflight.document import (
    REGENERATE,
    check_markers,
    check_output_intent,
    is_print_edition,
    open_pdf,
    read_markers,
)
from awareprint.preflight.findings import MALFORMED, Edition, Findings, PreflightReport, reason
from awareprint.preflight.fonts import check_fonts
from awareprint.preflight.office import check_sheet, check_sheet_margin, is_office_edition
from awareprint.preflight.scan import PageScan
from awareprint.preflight.ua import check_ua


def preflight_pdf(
    path: Path, safe_margin_mm: float = 3.0, *, data: bytes | None = None, ua: bool = False
) -> PreflightReport:
    """Check one finished PDF; never raises for a bad file, and changes nothing on disk.

    `data`: the file's bytes, when the caller has them. A batch checks the bytes it wrote, not whatever is
    at `path` by now (another run into the same folder may have replaced it); `path` then only names it.
    `ua`: also check the conditions of PDF/UA-1 a machine can check (the screen edition claims it).
    """
    findings = Findings(path)
    source: Path | bytes = path if data is None else data
    pdf = open_pdf(source, findings)
    if pdf is None:
        return PreflightReport(path, None, None, 0, None, None, findings.done())
    with pdf:
        try:
            if ua:
                check_ua(pdf, findings)
            return _preflight(pdf, source, safe_margin_mm, findings)
        except MALFORMED as error:
            findings.error("preflight-unreadable", f"malformed PDF ({reason(error, path)})", REGENERATE)
            return PreflightReport(path, None, None, len(pdf.pages), None, None, findings.done())


def _preflight(
    pdf: pikepdf.Pdf, source: Path | bytes, safe_margin_mm: float, findings: Findings
) -> PreflightReport:
    path = findings.path
    markers = read_markers(pdf)
    edition: Edition = "print" if is_print_edition(pdf, markers) else "screen"
    if edition == "screen" and is_office_edition(pdf):
        edition = "office"
    pages = list(pdf.pages)
    check_fonts(pages, findings)
    if edition == "office":
        for number, page in enumerate(pages, 1):
            check_sheet(number, page, findings)
        check_sheet_margin(source, findings)
        return PreflightReport(path, edition, None, len(pages), None, None, findings.done())
    if edition == "screen":
        findings.add(Severity.INFO, "preflight-screen", "screen edition, print checks skipped")
        return PreflightReport(path, edition, None, len(pages), None, None, findings.done())

    trims = [check_boxes(number, page, findings) for number, page in enumerate(pages, 1)]
    check_output_intent(pdf, findings)
    check_markers(pdf, markers, findings)
    ink = Ink()
    for number, (page, trim) in enumerate(zip(pages, trims, strict=True), 1):
        PageScan(number, page, trim, markers.is_x1a, ink, findings).run()
    if ink.percent > MAX_INK_PERCENT + 0.05:
        findings.error(
            "preflight-ink",
            f"total ink coverage {ink.percent:.0f} % at {ink.at}, over the {MAX_INK_PERCENT:.0f} % limit",
            "reduce the darkest colour (e.g. rich black to 60/40/40/100 or less) or convert the image "
            "through the print shop's output profile",
        )
    check_safe_area(source, trims, safe_margin_mm, findings)
    return PreflightReport(
        path,
        edition,
        markers.standard,
        len(pages),
        round(ink.percent, 1) if ink.at else None,
        ink.at,
        findings.done(),
    )
