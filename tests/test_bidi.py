"""Bidi: resolved levels (UAX #9) and line reordering (rule L2), pinned so a library change fails loudly."""

from __future__ import annotations

import pytest

from awareprint.compose.document import GlyphRun, Paragraph, Rect, TextFrame, TextStyle
from awareprint.resources import DATA
from awareprint.text import layout_frames
from awareprint.text.bidi import embedding_levels, visual_order
from awareprint.text.fonts import load_manifest
from awareprint.units import Cmyk, Pt

MANIFEST = load_manifest(DATA / "fonts" / "manifest.yaml")
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


def _arabic_poster():  # type: ignore[no-untyped-def]
    import datetime as dt

    from awareprint.compose.place import compose
    from awareprint.load.content import build_content, load_region, load_source
    from awareprint.load.materials import load_language
    from awareprint.load.templates import load_template

    source = load_source(DATA / "materials" / "source.yaml")
    materials = load_language(DATA / "materials", "ar", source.figure_ids)
    region = load_region(DATA / "regions" / "gb.yaml")
    content, _ = build_content(source, materials, region, "parents", dt.date(2026, 12, 7))
    template = load_template(DATA / "templates" / "poster-a3.yaml")
    document, _ = compose(template, content, "test")
    return template, document


def test_phone_numbers_keep_their_digit_order_in_right_to_left_posters() -> None:
    """UBA alone shows '0800 1111' as '1111 0800' in Arabic text: a wrong helpline on paper."""
    _, document = _arabic_poster()
    frames = [
        b for b in document.pages[0].boxes if isinstance(b, TextFrame) and b.name.startswith("contacts")
    ]
    items, _, _ = layout_frames(frames, MANIFEST)
    runs = [item for item in items if isinstance(item, GlyphRun)]
    lines: dict[tuple[float, float], list[GlyphRun]] = {}
    for run in runs:
        lines.setdefault((round(run.y, 2), round(run.x // 200)), []).append(run)
    shown = [" ".join(r.text.strip() for r in sorted(line, key=lambda r: r.x)) for line in lines.values()]
    assert any("0800 1111" in line for line in shown), shown
    assert any("0808 800 5000" in line for line in shown), shown
    assert not any("1111 0800" in line or "5000 800 0808" in line for line in shown)


def test_right_to_left_posters_mirror_the_page() -> None:
    template, document = _arabic_poster()
    qr = next(b for b in document.pages[0].boxes if type(b).__name__ == "QrCode")
    template_qr = next(s for s in template.slots if s.name == "qr")
    assert template_qr.rect.x > template.geometry.trim_width / 2  # designed on the right...
    assert qr.rect.right < template.geometry.trim_width / 2  # ...shown on the left in Arabic


def test_auto_direction_takes_the_first_strong_character() -> None:
    from awareprint.text.bidi import base_is_rtl

    assert base_is_rtl("مدرسة Riverside", "auto")
    assert not base_is_rtl("Riverside مدرسة", "auto")
    assert not base_is_rtl("020 7946 0000", "auto")  # no strong character: left to right
    assert base_is_rtl("020", "rtl") and not base_is_rtl("مدرسة", "ltr")
