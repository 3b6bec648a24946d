"""The office edition's checks: the page is an office sheet and nothing is printed near its edge.

A file is an office edition when it asks to be printed at actual size (ViewerPreferences /PrintScaling
/None) and has no print-shop boxes: it is meant for a desktop printer, which feeds the sheet as it is and
leaves its edge unprinted. So the page must be A4 or US Letter, and every object (text, panel, image)
must keep the printer-safe margin from the sheet's edge.
"""

from __future__ import annotations

from pathlib import Path

import pikepdf

from awareprint.compose.office import SAFE_MARGIN_MM, SHEETS
from awareprint.preflight.document import REGENERATE
from awareprint.preflight.findings import MM, Findings

_SIZE_TOLERANCE = 0.5  # points: sheet sizes are written rounded


def is_office_edition(pdf: pikepdf.Pdf) -> bool:
    preferences = pdf.Root.get("/ViewerPreferences")
    return preferences is not None and preferences.get("/PrintScaling") == pikepdf.Name("/None")


def check_sheet(number: int, page: pikepdf.Page, findings: Findings) -> None:
    x0, y0, x1, y1 = (float(v) for v in page.mediabox)
    size = sorted((abs(x1 - x0), abs(y1 - y0)))
    if not any(
        abs(size[0] - w) < _SIZE_TOLERANCE and abs(size[1] - h) < _SIZE_TOLERANCE for w, h in SHEETS.values()
    ):
        findings.error(
            "preflight-office-sheet",
            f"page {number} is {size[0] / MM:.0f} x {size[1] / MM:.0f} mm, "
            "not an office sheet (A4 or Letter)",
            REGENERATE,
        )
    for name in ("/TrimBox", "/BleedBox", "/ArtBox"):
        if name in page.obj:
            findings.error(
                "preflight-office-boxes",
                f"page {number} has a {name[1:]}: an office printer prints the whole sheet",
                REGENERATE,
            )


def check_sheet_margin(source: Path | bytes, findings: Findings, margin_mm: float = SAFE_MARGIN_MM) -> None:
    """Every page object's bounds (text, paths, images) at least `margin_mm` inside the sheet's edge."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(source if isinstance(source, bytes) else str(source))
    try:
        for number, page in enumerate(document, 1):
            left, bottom, right, top = page.get_mediabox()
            safe = (
                left + margin_mm * MM,
                bottom + margin_mm * MM,
                right - margin_mm * MM,
                top - margin_mm * MM,
            )
            worst = 0.0
            for item in page.get_objects(max_depth=1):
                x0, y0, x1, y1 = item.get_bounds()
                worst = max(worst, safe[0] - x0, safe[1] - y0, x1 - safe[2], y1 - safe[3])
            if worst > 0.05 * MM:
                findings.error(
                    "preflight-office-margin",
                    f"page {number}: something is printed {worst / MM:.1f} mm into the {margin_mm:g} mm "
                    "margin an office printer leaves blank at the sheet's edge",
                    "keep everything that far inside the sheet (awareprint poster --edition office does)",
                )
    finally:
        document.close()
