"""A walk through each page's content, forms included: colours set, images placed, their resolution."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import msgspec
import pikepdf

from awareprint.diagnostics import Severity
from awareprint.preflight.colour import DEVICE, Ink, Space, colour_space, image_ink
from awareprint.preflight.findings import IDENTITY, MM, UNDECODABLE, Box, Findings, Matrix, reason

SMALL_FORMAT_MM = 297.0  # a trim whose longer side is at most A4's is read close up: it needs 300 ppi
_MAX_FORM_DEPTH = 12  # forms inside forms: deeper is a loop or a hostile file


class _State(msgspec.Struct):
    ctm: Matrix = IDENTITY
    fill: Space = DEVICE["/DeviceGray"]
    stroke: Space = DEVICE["/DeviceGray"]


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


def _numbers(operands: Sequence[object]) -> list[float]:
    """The numeric operands (pikepdf gives int and Decimal); a pattern's name is left out."""
    return [float(v) for v in operands if isinstance(v, int | float | Decimal)]


# Only what changes the graphics state, colour or draws an image: text operators are most of a page.
_SCANNED = "q Q cm rg RG k K g G cs CS sc scn SC SCN sh gs Do BI ID EI"


# pikepdf's instructions unpack as (operands, operator), which its type hints do not say
_Instructions = list[Any]


def _instructions(content: pikepdf.Page | pikepdf.Stream) -> _Instructions:
    return pikepdf.parse_content_stream(content, _SCANNED)


class PageScan:
    """Walks a page's content (and the forms it draws) tracking q/Q/cm and colour spaces."""

    def __init__(
        self, number: int, page: pikepdf.Page, trim: Box, x1a: bool, ink: Ink, findings: Findings
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

    def _walk(
        self,
        instructions: _Instructions,
        resources: pikepdf.Object | None,
        state: _State,
        depth: int,
    ) -> None:
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
                self._colour(DEVICE["/DeviceCMYK"], operands, op)
            elif op in ("g", "G"):
                self._colour(DEVICE["/DeviceGray"], operands, op)
            elif op in ("cs", "CS") and operands:
                space = colour_space(operands[0], resources)
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

    def _colour(self, space: Space, operands: list[pikepdf.Object], op: str) -> None:
        values = _numbers(operands)
        if space.kind == "rgb" and op not in ("rg", "RG"):
            self.rgb[f"{space.label} colours"] += 1
        text = " ".join(f"{v:g}" for v in values)
        self.ink.record(space.ink(values), f"page {self.number}, '{text} {op}' ({space.label})")

    def _shading(self, shading: pikepdf.Object | None, name: str) -> None:
        if isinstance(shading, pikepdf.Dictionary) and colour_space(shading.get("/ColorSpace")).kind == "rgb":
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
        space = colour_space(image.get("/ColorSpace"))
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
                self.ink.images[key] = image_ink(image, space)
            except UNDECODABLE as error:
                self.ink.images[key] = None
                self.findings.add(
                    Severity.WARNING,
                    "preflight-ink",
                    f"{where}: its ink cannot be measured ({reason(error, self.findings.path)})",
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
