"""Crop and fold marks: in the slug, in registration colour, and kept clear of the bleed (as the README says),
on every page of a poster, a leaflet and a card. Read from the content stream, so a mark drawn a point too
far in, or in plain black, fails."""

from __future__ import annotations

import itertools
from decimal import Decimal
from pathlib import Path

import pikepdf
import pytest

from awareprint.pipeline import PosterRequest, make_poster

CLEARANCE_PT = 0.5  # the marks stop 1 pt short of the bleed; at the edge they would print on the sheet


def stroked_segments(page: pikepdf.Page) -> list[tuple[str, tuple[float, float, float, float]]]:
    """(stroke colour space, x0, y0, x1, y1 on the page) of every straight line the page strokes."""
    matrix = pikepdf.Matrix()
    stack: list[tuple[pikepdf.Matrix, str]] = []
    space = "/DeviceGray"
    path: list[tuple[float, float]] = []
    segments = []
    for operands, op in pikepdf.parse_content_stream(page):
        name = str(op)
        values = [float(v) for v in operands if isinstance(v, int | float | Decimal)]
        if name == "q":
            stack.append((matrix, space))
        elif name == "Q":
            matrix, space = stack.pop()
        elif name == "cm":
            matrix = pikepdf.Matrix(*values) @ matrix
        elif name == "CS":
            space = str(operands[0])
        elif name in ("K", "G", "RG"):
            space = {"K": "/DeviceCMYK", "G": "/DeviceGray", "RG": "/DeviceRGB"}[name]
        elif name == "m":
            path = [_apply(matrix, values)]
        elif name == "l":
            path.append(_apply(matrix, values))
        elif name == "S":
            segments += [(space, (*a, *b)) for a, b in itertools.pairwise(path)]
            path = []
    return segments


def _apply(matrix: pikepdf.Matrix, point: list[float]) -> tuple[float, float]:
    x, y = point
    return matrix.a * x + matrix.c * y + matrix.e, matrix.b * x + matrix.d * y + matrix.f


def box(page: pikepdf.Page, name: str) -> tuple[float, float, float, float]:
    return tuple(float(v) for v in page.obj[name])  # type: ignore[return-value]


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("marks")
    designs = {"poster-a4": "en", "leaflet-a4-trifold": "ar", "card-a6": "en"}
    for template, language in designs.items():
        make_poster(PosterRequest(language, "gb", "parents", template, folder / f"{template}.pdf"))
    return {template: folder / f"{template}.pdf" for template in designs}


@pytest.mark.parametrize("template", ["poster-a4", "leaflet-a4-trifold", "card-a6"])
def test_marks_are_registration_colour_in_the_slug_clear_of_the_bleed(
    made: dict[str, Path], template: str
) -> None:
    with pikepdf.open(made[template]) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            bx0, by0, bx1, by1 = box(page, "/BleedBox")
            tx0, ty0, tx1, ty1 = box(page, "/TrimBox")
            marks = [
                (space, s)
                for space, s in stroked_segments(page)
                if not (tx0 <= min(s[0], s[2]) and max(s[0], s[2]) <= tx1 and ty0 <= min(s[1], s[3]) <= ty1)
            ]
            assert len(marks) >= 8, f"page {number}: {len(marks)} crop marks"
            for space, (x0, y0, x1, y1) in marks:
                assert space == "/All", f"page {number}: a mark stroked in {space}, not registration colour"
                clear = (
                    max(x0, x1) <= bx0 - CLEARANCE_PT
                    or min(x0, x1) >= bx1 + CLEARANCE_PT
                    or max(y0, y1) <= by0 - CLEARANCE_PT
                    or min(y0, y1) >= by1 + CLEARANCE_PT
                )
                assert clear, (
                    f"page {number}: the mark {(x0, y0, x1, y1)} reaches the bleed {(bx0, by0, bx1, by1)}"
                )
