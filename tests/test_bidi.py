"""Bidi: resolved levels (UAX #9) and line reordering (rule L2), pinned so a library change fails loudly."""

from __future__ import annotations

from pathlib import Path

import pytest

from awareprint.document import GlyphRun, Paragraph, Rect, TextFrame, TextStyle
from awareprint.text import layout_frames
from awareprint.text.bidi import embedding_levels, visual_order
from awareprint.text.fonts import load_manifest
from awareprint.units import Cmyk, Pt

PROJECT = Path(__file__).resolve().parent.parent
MANIFEST = load_manifest(PROJECT / "fonts" / "manifest.yaml")
ALEF, BEH, HE = "\u0627", "\u0628", "\u05d4"


@pytest.mark.parametrize(
    ("text", "rtl", "levels"),
    [
        ("abc", False, [0, 0, 0]),
        ("abc", True, [2, 2, 2]),  # left-to-right text in a right-to-left paragraph
        (f"{ALEF}{BEH} 12", True, [1, 1, 1, 2, 2]),  # European digits after Arabic: AN, level 2
        (f"a {ALEF}{BEH} b", False, [0, 0, 1, 1, 0, 0]),
        (f"{HE}(a){HE}", True, [1, 1, 2, 1, 1]),  # N0: the bracket pair takes the embedding direction
        (f"{HE} \u2066ab\u2069 {HE}", True, [1, 1, 1, 2, 2, 1, 1, 1]),  # an isolate (LRI ... PDI)
        ("na\u00efve \u0645", False, [0, 0, 0, 0, 0, 0, 1]),  # non-ASCII text: levels per character
    ],
)
def test_levels(text: str, rtl: bool, levels: list[int]) -> None:
    assert list(embedding_levels(text, rtl)) == levels


@pytest.mark.parametrize(
    ("levels", "order"),
    [
        ([0, 0, 0], [0, 1, 2]),
        ([1, 1, 1], [2, 1, 0]),
        ([0, 1, 1, 0], [0, 2, 1, 3]),
        ([1, 2, 2, 1], [3, 1, 2, 0]),  # numbers inside right-to-left text keep their own order
        ([0, 1, 2, 1, 0], [0, 3, 2, 1, 4]),
    ],
)
def test_visual_order_rule_l2(levels: list[int], order: list[int]) -> None:
    assert visual_order(levels) == order


def test_a_mixed_line_is_displayed_in_bidi_order() -> None:
    """'IWF said 96%' in Arabic: Arabic read right to left, the name and the number kept left to right."""
    text = "قالت مؤسسة IWF إن 96% من الضحايا"
    style = TextStyle("regular", Pt(12), Pt(12), 1.3, Cmyk(0, 0, 0, 1))
    frame = TextFrame(
        "mixed", Rect(Pt(0), Pt(0), Pt(500), Pt(40)), (Paragraph(text),), style, "start", "top", "rtl", "ar"
    )
    items, _, diagnostics = layout_frames([frame], MANIFEST)
    assert not diagnostics
    runs = sorted((item for item in items if isinstance(item, GlyphRun)), key=lambda run: run.x)
    left_to_right = [run.text.strip() for run in runs]
    # the first words in reading order are at the right, the last at the left
    assert left_to_right[-1].startswith("قالت")
    assert left_to_right[0].endswith("الضحايا")
    assert "IWF" in left_to_right and left_to_right.index("IWF") > left_to_right.index("96")
    assert {run.rtl for run in runs if "IWF" in run.text or run.text == "96"} == {False}
    right_edge = max(run.x + sum(g.advance for g in run.glyphs) for run in runs)
    assert right_edge == pytest.approx(500, abs=0.5)  # start alignment is the right edge in Arabic
