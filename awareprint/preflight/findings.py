"""What every preflight check shares: the report, the findings being collected, and page geometry."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import msgspec
import pikepdf
from pikepdf.models.image import UnsupportedImageTypeError
from PIL import Image

from awareprint.diagnostics import Diagnostic, Severity

Edition = Literal["print", "screen", "office"]

MM = 72 / 25.4
TOLERANCE_PT = 0.01 * MM  # box coordinates are rounded when written
# What a malformed or hostile file raises from deep inside pikepdf or pdfium: reported, never a traceback.
MALFORMED = (pikepdf.PdfError, ValueError, TypeError, KeyError, AttributeError, IndexError, OSError)
# What decoding one image may raise: that image's ink is not measured, the rest of the file is.
UNDECODABLE = (UnsupportedImageTypeError, NotImplementedError, Image.DecompressionBombError, *MALFORMED)

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 with x0 <= x1 and y0 <= y1, in points
Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


class PreflightReport(msgspec.Struct, frozen=True):
    path: Path
    edition: Edition | None  # None: the file could not be read
    standard: str | None  # the PDF/X version the file claims, e.g. "PDF/X-4" or "PDF/X-1a:2003"
    pages: int
    max_ink_percent: float | None  # None: a screen edition, or nothing inked
    max_ink_at: str | None  # where the maximum is: page and operator, or page and image name
    diagnostics: tuple[Diagnostic, ...]

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity is severity)


class Findings(msgspec.Struct):
    path: Path
    found: list[Diagnostic] = msgspec.field(default_factory=list)

    def add(self, severity: Severity, code: str, message: str, hint: str | None = None) -> None:
        self.found.append(Diagnostic(severity, code, message, file=self.path, hint=hint))

    def error(self, code: str, message: str, hint: str | None = None) -> None:
        self.add(Severity.ERROR, code, message, hint)

    def done(self) -> tuple[Diagnostic, ...]:
        return tuple(self.found)


def reason(error: Exception | str, path: Path) -> str:
    """The first line of qpdf's message, without the file name it starts with (the line names the file)."""
    text = (str(error).strip().splitlines() or [type(error).__name__])[0]
    return text.removeprefix(str(path)).lstrip(": ") or text
