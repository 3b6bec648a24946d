"""Text layout: HarfBuzz glyphs, legal breaks only, the largest size that fits, loud failures."""

from __future__ import annotations

import unicodedata
from collections import Counter

import pytest
import uharfbuzz as hb
from hypothesis import example, given
from hypothesis import strategies as st
from msgspec.structs import replace

from awareprint.compose.document import GlyphRun, Paragraph, Rect, TextFrame, TextStyle
from awareprint.diagnostics import Severity
from awareprint.resources import DATA
from awareprint.text import layout_frames
from awareprint.text.fonts import load_manifest
from awareprint.text.hyphenate import SOFT_HYPHEN
from awareprint.text.layout import SIZE_PRECISION, FrameLayout
from awareprint.text.linebreak import segments
from awareprint.text.shape import shape
from awareprint.units import Cmyk, Pt

MANIFEST = load_manifest(DATA / "fonts" / "manifest.yaml")
REGULAR = MANIFEST.primary.faces["regular"].path
INK = Cmyk(0, 0, 0, 1)


def frame(
    text: str,
    width: float = 200,
    height: float = 100,
    low: float = 8,
    high: float = 24,
    x: float = 10,
    fit_group: str | None = None,
) -> TextFrame:
    style = TextStyle("regular", Pt(low), Pt(high), 1.2, INK)
    return TextFrame(
        "test",
        Rect(Pt(x), Pt(20), Pt(width), Pt(height)),
        (Paragraph(text),),
        style,
        "start",
        "top",
        "ltr",
        "en",
        fit_group=fit_group,
    )


def runs_of(items: list) -> list[GlyphRun]:  # type: ignore[type-arg]
    return [item for item in items if isinstance(item, GlyphRun)]


@pytest.mark.parametrize("word", ["office", "fjord", "Wave", "naïve", "Łódź", "Ελλάδα", "Україна"])
def test_glyph_ids_equal_harfbuzz_own_shaping(word: str) -> None:
    font = hb.Font(hb.Face(hb.Blob.from_file_path(REGULAR)))
    buffer = hb.Buffer()
    buffer.add_str(word)
    buffer.guess_segment_properties()
    hb.shape(font, buffer, {})
    expected = [info.codepoint for info in buffer.glyph_infos]
    script = {"Ελλάδα": "Grek", "Україна": "Cyrl"}.get(word, "Latn")
    ours = shape(REGULAR, word, 0, len(word), script, False, "en")
    assert [g.glyph_id for g in ours.glyphs] == expected


def test_lines_break_only_between_words() -> None:
    text = "Talk with your child about their online life often, in small everyday chats."
    items, _, diagnostics = layout_frames([frame(text, width=120, high=12, low=12)], MANIFEST)
    lines = [run.text for run in runs_of(items)]
    assert len(lines) > 2
    assert " ".join(lines) == text
    assert not diagnostics


def test_mandatory_break_starts_a_new_line() -> None:
    items, _, _ = layout_frames([frame("One\nTwo", width=300)], MANIFEST)
    assert [run.text for run in runs_of(items)] == ["One", "Two"]


def test_fit_chooses_the_largest_size_that_fits() -> None:
    layout = FrameLayout(
        frame("Live streaming can put children at risk, even at home", width=150, height=60), MANIFEST
    )
    size = layout.fit()
    assert size is not None
    assert layout.fits(size)
    assert not layout.fits(size + SIZE_PRECISION)


def test_short_text_gets_the_maximum_size() -> None:
    _, fitted, _ = layout_frames([frame("Hi", high=24)], MANIFEST)
    assert fitted[0].size == 24


def test_frames_in_a_fit_group_share_one_size() -> None:
    numbers = [
        frame(text, width=90, height=80, high=60, x=x, fit_group="numbers")
        for text, x in (("4%", 0), ("100%", 100))
    ]
    _, fitted, _ = layout_frames(numbers, MANIFEST)
    assert fitted[0].size == fitted[1].size < 60


def test_overflow_is_a_diagnostic_not_silent() -> None:
    _, _, diagnostics = layout_frames([frame("0808-800-5000-0808-800-5000", width=40)], MANIFEST)
    assert [d.code for d in diagnostics] == ["overflow"]
    assert "wider than the box" in diagnostics[0].message
    assert "slot 'test'" in diagnostics[0].message


def test_a_long_word_is_hyphenated_rather_than_overflowing() -> None:
    word = "Kinderschutzorganisationen"
    box = frame(f"Die {word} helfen.", width=70, low=10, high=10)
    box = TextFrame(box.name, box.rect, box.paragraphs, box.style, "start", "top", "ltr", "de")
    items, _, diagnostics = layout_frames([box], MANIFEST)
    assert not diagnostics
    runs = runs_of(items)
    hyphens = [run for run in runs if run.text == SOFT_HYPHEN]
    assert hyphens, "expected the compound to be split"
    assert "".join(run.text for run in runs if run not in hyphens).replace(" ", "") == f"Die{word}helfen."
    for run in runs:
        assert run.x + sum(g.advance for g in run.glyphs) <= box.rect.right + 0.01


@pytest.mark.parametrize("width", range(20, 42, 2))
def test_a_hyphen_never_cuts_a_ligature(width: int) -> None:
    """German "Auflage" may hyphenate as "Auf-lage", inside HarfBuzz's "fl" ligature: the page would show
    "Aufl-" / "age" and copy and search give "Aufage". A break only falls between clusters."""
    box = replace(frame("Auflage", width=width, low=10, high=10), language="de")
    items, _, _ = layout_frames([box], MANIFEST)
    runs = runs_of(items)
    for run in runs:
        assert "".join(g.text for g in run.glyphs) == run.text
    assert "".join(run.text for run in runs if run.text != SOFT_HYPHEN) == "Auflage"
    assert "Auf" not in [run.text for run in runs]


def test_a_line_ending_inside_a_word_is_shaped_as_it_ends() -> None:
    """ "Ver-antwortung": HarfBuzz kerns "r" towards "a" and marks the break unsafe; the line "Ver-" is
    reshaped on its own, so its "r" keeps its own advance, not one that leans on a letter of the next line."""
    box = replace(frame("Verantwortung", width=26, low=10, high=10), language="de")
    items, _, _ = layout_frames([box], MANIFEST)
    first = runs_of(items)[0]
    assert first.text == "Ver"
    alone = shape(REGULAR, "Ver", 0, 3, "Latn", False, "de").glyphs
    together = shape(REGULAR, "Verantwortung", 0, 13, "Latn", False, "de").glyphs
    upem = hb.Face(hb.Blob.from_file_path(REGULAR)).upem
    assert together[2].x_advance != alone[2].x_advance  # kerned in the word: the case this test is about
    assert [g.advance for g in first.glyphs] == pytest.approx([g.x_advance * 10 / upem for g in alone])


def test_hyphenation_is_a_last_resort() -> None:
    """A headline that fits at a smaller size is set smaller, not hyphenated."""
    box = frame("Kinderschutzorganisationen", width=120, low=8, high=40)
    box = TextFrame(box.name, box.rect, box.paragraphs, box.style, "start", "top", "ltr", "de")
    items, fitted, _ = layout_frames([box], MANIFEST)
    assert not [run for run in runs_of(items) if run.text == SOFT_HYPHEN]
    assert fitted[0].size < 40


def test_no_dictionary_means_overflow_is_reported() -> None:
    box = frame("Kinderschutzorganisationen", width=40, low=10, high=10)
    box = TextFrame(box.name, box.rect, box.paragraphs, box.style, "start", "top", "ltr", "so")
    _, _, diagnostics = layout_frames([box], MANIFEST)
    assert [d.code for d in diagnostics] == ["overflow"]


@pytest.mark.parametrize("width", [40, 52, 64, 76, 88, 100])
def test_cjk_lines_break_between_characters_but_not_before_closing_punctuation(width: float) -> None:
    """Kinsoku: no line starts with 。、」）！？ and none ends with 「（."""
    text = "我们「经常」和孩子聊天，问问他们在网上做什么。他们说：「很好！」"
    box = frame(text, width=width, height=400, low=10, high=10)
    box = TextFrame(box.name, box.rect, box.paragraphs, box.style, "start", "top", "ltr", "zh-Hans")
    items, _, diagnostics = layout_frames([box], MANIFEST)
    assert not diagnostics
    lines: dict[float, str] = {}
    for run in sorted(runs_of(items), key=lambda r: (r.y, r.x)):
        lines[run.y] = lines.get(run.y, "") + run.text
    assert "".join(lines.values()) == text
    assert len(lines) > 1
    for line in lines.values():
        assert line[0] not in "。、，」）！？：", f"line starts with closing punctuation: {line}"
        assert line[-1] not in "「（", f"line ends with an opening bracket: {line}"


def test_a_script_no_font_covers_is_one_finding_naming_a_font_not_one_per_slot() -> None:
    _, _, diagnostics = layout_frames([frame("Hello ሰላም"), frame("ሰላም"), frame("ዓለም 😀")], MANIFEST)
    (missing,) = [d for d in diagnostics if d.severity is Severity.ERROR]
    assert missing.code == "font-missing"
    assert (
        "English needs an Ethiopic font, for example Noto Sans Ethiopic; see `fonts add`." in missing.message
    )
    assert "no font has '😀' (U+1F600) in the English text" in missing.message
    assert "fonts add" in (missing.hint or "")


def test_ligature_keeps_its_text_for_extraction() -> None:
    items, _, _ = layout_frames([frame("office", width=300)], MANIFEST)
    (run,) = runs_of(items)
    assert "".join(g.text for g in run.glyphs) == "office"
    assert len(run.glyphs) < len("office")  # the ffi ligature is one glyph


# Single characters, and clusters a line must never cut: ligatures (fi, fl, ffi, in words the German
# dictionary hyphenates inside them), combining marks, Indic conjuncts, Arabic lam-alef and joined words
PIECES = [
    *list("abcdefghijklmnopqrstuvwxyzABCÉÑøßłŁ0123456789 ,.;:!?%()-–—'\"/αβγжю漢ሰ😀"),
    *list("مرحبا بالعالم שלום עולם नमस्ते ภาษาไทย 한국어 日本語"),
    *["\n", "\u0301", "\u0651", "\u200b", "\u200c", "\u200d", "\u00a0"],  # marks, joiners, spaces
    *["\u200e", "\u200f", "\u2066", "\u2067", "\u2068", "\u2069", "\u202a", "\u202b", "\u202c"],
    *["fi", "fl", "ffi", "Auflage", "Briefliste", "Schifffahrt", "office"],  # ligatures
    *["e\u0301", "n\u0303\u0323", "क्ष", "स्त्र", "ज्ञा", "लाई", "لا", "الإنترنت", "يعرّض"],  # clusters
]
TEXT = st.lists(st.sampled_from(PIECES), min_size=1, max_size=60).map("".join)


def without_spaces(text: str) -> str:
    """The visible characters: no spaces, no format characters (joiners, bidi controls)."""
    return "".join(c for c in text if not c.isspace() and unicodedata.category(c) != "Cf")


@example(text="00 \u0947", width=30.0, height=38.0, direction="rtl", language="en")  # a stray vowel sign
@example(text="00000A'\u200bm", width=30.0, height=15.0, direction="rtl", language="en")  # reshaped line end
@example(text="Auflage", width=16.0, height=30.0, direction="ltr", language="de")  # a hyphen in "fl"
@example(text="\u05d5\n\u200d", width=30.0, height=10.0, direction="ltr", language="en")  # a lone joiner
@given(
    text=TEXT,
    width=st.floats(min_value=30, max_value=400),
    height=st.floats(min_value=10, max_value=300),
    direction=st.sampled_from(["ltr", "rtl"]),
    language=st.sampled_from(["en", "de", "ar", "hi", "zh-Hans", "th"]),
)
def test_any_text_lays_out_inside_its_frame_or_says_why(
    text: str, width: float, height: float, direction: str, language: str
) -> None:
    box = frame(text, width=width, height=height, low=6, high=30)
    box = TextFrame(box.name, box.rect, box.paragraphs, box.style, "start", "top", direction, language)
    items, fitted, diagnostics = layout_frames([box], MANIFEST)
    codes = {d.code for d in diagnostics}
    runs = runs_of(items)
    for run in runs:  # every character of a run is in exactly one cluster (glyphs are in display order)
        glyphs = reversed(run.glyphs) if run.rtl else run.glyphs
        assert "".join(g.text for g in glyphs) == run.text
    # every character is drawn exactly once (runs come in display order, so compare as multisets);
    # only spaces and line breaks at line ends hang undrawn, and line-end hyphens are added
    drawn = "".join(run.text for run in runs).replace(SOFT_HYPHEN, "")
    assert Counter(without_spaces(drawn)) == Counter(without_spaces(text))
    if any(c in text for c in "ሰ😀"):  # Ethiopic and emoji: no vendored font has them
        assert "font-missing" in codes
    if "overflow" not in codes:
        for run in runs:
            right = run.x + sum(g.advance for g in run.glyphs)
            assert run.x >= box.rect.x - 0.01
            assert right <= box.rect.right + 0.01
        assert fitted[0].used_height <= box.rect.height + 0.01


def test_korean_breaks_between_words_not_syllables() -> None:
    text = "라이브 방송은 아이들을 위험에 빠뜨릴 수 있습니다. 96%가 집에서"
    pieces = [text[s.start : s.end].strip() for s in segments(text, "ko")]
    assert pieces == [
        "라이브",
        "방송은",
        "아이들을",
        "위험에",
        "빠뜨릴",
        "수",
        "있습니다.",
        "96%가",
        "집에서",
    ]


def test_japanese_lines_never_start_with_a_small_kana_or_long_vowel_mark() -> None:
    text = "ゲームやスマートフォンで遊ぶ"
    starts = [text[s.start] for s in segments(text, "ja")]
    assert not set(starts) & set("ーォャュョッ")


def test_lines_of_tall_ink_are_spaced_so_they_do_not_touch() -> None:
    """Stacked marks (here Vietnamese) rise above the cap height; a tight leading must not let the ink of
    one line meet the ink of the next."""
    tall = "Ễ Ộ Ữ Ặ Ẫ Ễ Ộ Ữ Ặ Ẫ Ễ Ộ Ữ Ặ Ẫ"
    plain = "E O U A A E O U A A E O U A A"
    heights = {}
    for name, text in (("tall", tall), ("plain", plain)):
        box = frame(text, width=60, height=400, low=20, high=20)
        box = replace(box, style=replace(box.style, leading=0.9))
        items, _, _ = layout_frames([box], MANIFEST)
        baselines = sorted({run.y for run in runs_of(items)})
        assert len(baselines) > 2
        heights[name] = baselines[1] - baselines[0]
    assert heights["plain"] == pytest.approx(18)  # the leading: 0.9 x 20 pt
    assert heights["tall"] > heights["plain"]


def test_nastaliq_gives_way_to_naskh_only_where_it_cannot_fit() -> None:
    text = "اپنے بچے سے اس کی آن لائن زندگی کے بارے میں اکثر بات کریں۔ " * 3
    roomy = replace(frame(text, width=200, height=400, low=10, high=10), direction="rtl", language="ur")
    tight = replace(roomy, rect=replace(roomy.rect, height=Pt(60)))
    families = {}
    for name, box in (("roomy", roomy), ("tight", tight)):
        items, _, diagnostics = layout_frames([box], MANIFEST)
        assert not [d for d in diagnostics if d.severity.name == "ERROR"]
        families[name] = ({run.font_file for run in runs_of(items)}, [d.code for d in diagnostics])
    assert any("Nastaliq" in f for f in families["roomy"][0]) and families["roomy"][1] == []
    assert not any("Nastaliq" in f for f in families["tight"][0]), families["tight"][0]
    assert families["tight"][1] == ["font-substituted"]


def test_addresses_break_only_at_spaces_then_after_dots_slashes_and_at() -> None:
    """A web or e-mail address is never hyphenated; broken inside only as a last resort, never after its
    own hyphen (a reader would drop it)."""
    from awareprint.text.linebreak import address_segments

    def pieces(text: str, inside: bool) -> list[str]:
        return [text[s.start : s.end] for s in address_segments(text, inside)]

    assert pieces("0808 800 5000 · help@nspcc.org.uk", False) == [
        "0808 ",
        "800 ",
        "5000 ",
        "· ",
        "help@nspcc.org.uk",
    ]
    assert pieces("help@nspcc.org.uk", True) == ["help@", "nspcc.", "org.", "uk"]
    assert pieces("oradenet.ro/esc-abuz-en", True) == ["oradenet.", "ro/", "esc-abuz-en"]


def test_a_frame_laid_out_again_comes_from_the_memo_unchanged_and_unshared() -> None:
    """The same frames give the same layout without fitting again, frame by frame (a new frame beside
    known ones fits only itself); each caller gets lists of its own."""
    from awareprint.text import layout as layout_module

    frames = [frame("Live streaming can put children at risk", width=150, height=60), frame("Hi", high=24)]
    layout_module._first_fit.cache_clear()
    first = layout_frames(frames, MANIFEST)
    first[0].clear()
    again = layout_frames(list(frames), MANIFEST)
    assert layout_module._first_fit.cache_info().hits == 2
    layout_module._first_fit.cache_clear()
    fresh = layout_frames(list(frames), MANIFEST)
    assert again == fresh and again[0]
    moved = layout_frames([replace(frames[0], rect=Rect(Pt(0), Pt(0), Pt(150), Pt(40))), frames[1]], MANIFEST)
    assert moved[1] != again[1]  # another box is another key
    assert layout_module._first_fit.cache_info().hits == 1  # the second frame, met again
