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

Rooms: `check` (one file, start to end), `document` (opening, PDF/X claim, OutputIntent, metadata), `boxes`
(page boxes, safe area), `fonts`, `colour` (colour spaces, ink) and `scan` (the walk through each page's
content); `findings` is what they share.
"""

from awareprint.preflight.check import preflight_pdf
from awareprint.preflight.colour import MAX_INK_PERCENT
from awareprint.preflight.findings import MM, Box, Edition, PreflightReport
from awareprint.preflight.scan import SMALL_FORMAT_MM

__all__ = [
    "MAX_INK_PERCENT",
    "MM",
    "SMALL_FORMAT_MM",
    "Box",
    "Edition",
    "PreflightReport",
    "preflight_pdf",
]
