"""An independent oracle: Pillow's own layout (libraqm: FriBiDi + HarfBuzz, with FreeType rasterising)
draws each sample line in the same font and size; awareprint's line, rendered from its PDF by pdfium, must
match it. A line with wrong glyphs (no shaping) or a wrong order must not."""

from __future__ import annotations

import datetime as dt

import pypdfium2 as pdfium
import pytest
import uharfbuzz as hb
from fontTools.ttLib import TTFont
from PIL import Image, ImageChops, ImageDraw, ImageFont, features

from awareprint.compose.document import (
    GlyphRun,
    LaidOutDocument,
    LaidOutPage,
    Metadata,
    PageGeometry,
    Paragraph,
    PlacedGlyph,
    Rect,
    TextFrame,
    TextStyle,
)
from awareprint.render.pdf import render_pdf
from awareprint.resources import DATA
from awareprint.text import layout_frames
from awareprint.text.fonts import load_manifest
from awareprint.units import Cmyk, Pt

MANIFEST = load_manifest(DATA / "fonts" / "manifest.yaml")
SIZE = 20.0
SCALE = 4.0  # pixels per point
PAGE = PageGeometry(Pt(900), Pt(80), Pt(0), Pt(6))
INK = Cmyk(0, 0, 0, 1)
MATCH = 0.80  # share of inked pixels in common: correct lines score 0.84-0.95, broken ones at most 0.36

RAQM = features.check("raqm")
pytestmark = pytest.mark.skipif(
    not RAQM, reason="NO SHAPING ORACLE: Pillow has no libraqm here (install the system package libfribidi0)"
)

# One real sentence per language: "Talk with your child about their online life." (or close to it).
SAMPLES = {
    "en": ("Latn", "Talk with your child about their online life, often."),
    "es": ("Latn", "Hable con su hijo a menudo sobre su vida en internet."),
    "fr": ("Latn", "Parlez souvent avec votre enfant de sa vie en ligne."),
    "de": ("Latn", "Sprechen Sie oft mit Ihrem Kind über sein Leben im Internet."),
    "nl": ("Latn", "Praat vaak met je kind over wat het online doet."),
    "it": ("Latn", "Parli spesso con suo figlio della sua vita online."),
    "pt": ("Latn", "Converse com frequência com o seu filho sobre a vida online."),
    "pl": ("Latn", "Rozmawiaj często z dzieckiem o jego życiu w internecie."),
    "ro": ("Latn", "Vorbiți des cu copilul dumneavoastră despre viața lui online."),
    "tr": ("Latn", "Çocuğunuzla çevrim içi hayatı hakkında sık sık konuşun."),
    "vi": ("Latn", "Hãy thường xuyên trò chuyện với con về cuộc sống trực tuyến."),
    "fil": ("Latn", "Kausapin nang madalas ang inyong anak tungkol sa buhay niya online."),
    "id": ("Latn", "Sering-seringlah berbicara dengan anak Anda tentang kehidupan daringnya."),
    "sw": ("Latn", "Zungumza na mtoto wako mara kwa mara kuhusu maisha yake mtandaoni."),
    "so": ("Latn", "Had iyo jeer la hadal ilmahaaga oo ka wada hadla noloshiisa internetka."),
    "ru": ("Cyrl", "Чаще говорите с ребёнком о его жизни в интернете."),
    "uk": ("Cyrl", "Частіше говоріть із дитиною про її життя в інтернеті."),
    "hi": ("Deva", "अपने बच्चे से उसकी ऑनलाइन ज़िंदगी के बारे में अक्सर बात करें।"),
    "bn": ("Beng", "আপনার সন্তানের সঙ্গে তার অনলাইন জীবন নিয়ে প্রায়ই কথা বলুন।"),
    "pa": ("Guru", "ਆਪਣੇ ਬੱਚੇ ਨਾਲ ਉਸਦੀ ਆਨਲਾਈਨ ਜ਼ਿੰਦਗੀ ਬਾਰੇ ਅਕਸਰ ਗੱਲ ਕਰੋ।"),
    "ta": ("Taml", "உங்கள் குழந்தையுடன் அவர்களின் இணைய வாழ்க்கை பற்றி அடிக்கடி பேசுங்கள்."),
    "th": ("Thai", "พูดคุยกับลูกของคุณเกี่ยวกับชีวิตออนไลน์ของเขาบ่อยๆ"),
    "ar": ("Arab", "تحدّث مع طفلك كثيرًا عن حياته على الإنترنت."),
    "fa": ("Arab", "اغلب با فرزندتان درباره‌ی زندگی آنلاینش صحبت کنید."),
    "ur": ("Arab", "اپنے بچے سے اس کی آن لائن زندگی کے بارے میں اکثر بات کریں۔"),
    "he": ("Hebr", "דברו עם הילד שלכם לעתים קרובות על החיים שלו ברשת"),  # the font has no full stop
    "zh-Hans": ("Hani", "经常和孩子聊聊他们的网络生活。"),
    "zh-Hant": ("Hani", "經常和孩子聊聊他們的網路生活。"),
    "ja": ("Hani", "お子さんとネットでの生活についてよく話しましょう。"),
    "ko": ("Hang", "자녀와 온라인 생활에 대해 자주 이야기하세요."),
}
RTL = {"ar", "fa", "ur", "he"}


def font_for(script: str, language: str = "") -> str:
    return MANIFEST.chain(script, "regular", language)[0].path


def our_line(text: str, language: str) -> list[GlyphRun]:
    style = TextStyle("regular", Pt(SIZE), Pt(SIZE), 1.2, INK)
    direction = "rtl" if language in RTL else "ltr"
    frame = TextFrame(
        "line",
        Rect(Pt(10), Pt(10), Pt(880), Pt(60)),
        (Paragraph(text),),
        style,
        "start",
        "top",
        direction,
        language,
    )
    items, _, diagnostics = layout_frames([frame], MANIFEST)
    assert not diagnostics
    runs = [item for item in items if isinstance(item, GlyphRun)]
    assert len({run.y for run in runs}) == 1, "the sample must fit on one line"
    return runs


def rasterise(runs: list[GlyphRun]) -> Image.Image:
    metadata = Metadata("oracle", "oracle", (), "und", "awareprint tests", dt.date(2026, 1, 1))
    pdf = render_pdf(LaidOutDocument(PAGE, (LaidOutPage(tuple(runs)),), metadata), font_for("Latn"))
    document = pdfium.PdfDocument(pdf)
    image = document[0].render(scale=SCALE, grayscale=True).to_pil().convert("L")
    document.close()
    margin = round(PAGE.offset * SCALE)  # leave out the crop marks in the slug
    return image.crop((margin, margin, image.width - margin, image.height - margin))


def oracle(text: str, font_file: str, language: str) -> Image.Image:
    font = ImageFont.truetype(font_file, SIZE * SCALE, layout_engine=ImageFont.Layout.RAQM)
    image = Image.new("L", (int(PAGE.trim_width * SCALE), int(PAGE.trim_height * SCALE * 1.5)), 255)
    direction = "rtl" if language in RTL else "ltr"
    ImageDraw.Draw(image).text((20, 20), text, font=font, fill=0, language=language, direction=direction)
    return image


def ink(image: Image.Image) -> Image.Image:
    """The inked pixels, cropped to their bounding box."""
    mask = image.point(lambda v: 255 if v < 128 else 0).convert("1")
    box = mask.getbbox()
    assert box, "nothing was drawn"
    return mask.crop(box)


def similarity(ours: Image.Image, theirs: Image.Image) -> float:
    a, b = ink(ours), ink(theirs)
    width, height = max(a.width, b.width), max(a.height, b.height)
    best = 0.0
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            canvas_a = Image.new("1", (width + 2, height + 2), 0)
            canvas_b = Image.new("1", (width + 2, height + 2), 0)
            canvas_a.paste(a, (1, 1))
            canvas_b.paste(b, (1 + dx, 1 + dy))
            both = ImageChops.logical_and(canvas_a, canvas_b).histogram()[-1]
            either = ImageChops.logical_or(canvas_a, canvas_b).histogram()[-1]
            best = max(best, both / either)
    return best


@pytest.mark.parametrize("language", sorted(SAMPLES))
def test_line_matches_the_independent_renderer(language: str) -> None:
    script, text = SAMPLES[language]
    runs = our_line(text, language)
    assert {run.font_file for run in runs} == {font_for(script, language)}
    score = similarity(rasterise(runs), oracle(text, font_for(script, language), language))
    assert score >= MATCH, f"{language}: only {score:.2f} of the ink agrees with the oracle"


@pytest.mark.parametrize("language", sorted(SAMPLES))
def test_glyphs_equal_harfbuzz_shaping_of_the_same_run(language: str) -> None:
    script, text = SAMPLES[language]
    font = hb.Font(hb.Face(hb.Blob.from_file_path(font_for(script, language))))
    buffer = hb.Buffer()
    buffer.add_str(text)
    buffer.guess_segment_properties()
    buffer.language = language
    hb.shape(font, buffer, {})
    expected = [info.codepoint for info in buffer.glyph_infos]
    ours = [glyph.glyph_id for run in our_line(text, language) for glyph in run.glyphs]
    space = TTFont(font_for(script, language)).getBestCmap()[ord(" ")]
    trailing = len(expected) - len(ours)  # a line end drops trailing spaces only
    assert ours == expected[: len(ours)]
    assert all(gid == space for gid in expected[len(expected) - trailing :])


def unshaped(runs: list[GlyphRun]) -> list[GlyphRun]:
    """The same text drawn with one nominal glyph per character, in display order: no conjuncts, no
    joining (Arabic letters in their isolated forms), no mark positioning."""
    broken = []
    for run in runs:
        font = TTFont(run.font_file)
        cmap, metrics, scale = font.getBestCmap(), font["hmtx"], run.size / font["head"].unitsPerEm
        pen, glyphs = 0.0, []
        for char in reversed(run.text) if run.rtl else run.text:
            name = cmap.get(ord(char), ".notdef")
            advance = metrics[name][0] * scale
            glyphs.append(PlacedGlyph(font.getGlyphID(name), pen, 0.0, advance, char))
            pen += advance
        broken.append(
            GlyphRun(run.font_file, run.size, run.x, run.y, tuple(glyphs), run.text, run.colour, run.rtl)
        )
    return broken


@pytest.mark.parametrize("language", ["hi", "bn", "ta", "th", "ar", "fa", "ur"])
def test_oracle_rejects_a_line_without_shaping(language: str) -> None:
    script, text = SAMPLES[language]
    score = similarity(
        rasterise(unshaped(our_line(text, language))), oracle(text, font_for(script), language)
    )
    assert score < MATCH, f"{language}: an unshaped line scored {score:.2f}"


def test_oracle_rejects_words_in_the_wrong_order() -> None:
    script, text = SAMPLES["en"]
    words = text.split()
    swapped = " ".join([words[1], words[0], *words[2:]])
    score = similarity(rasterise(our_line(swapped, "en")), oracle(text, font_for(script), "en"))
    assert score < MATCH, f"swapped words scored {score:.2f}"


# Organisation names from examples/schools.csv, as a school writes them, set in an English poster's frame:
# the font comes from the name's own script, and the independent renderer must agree with the glyphs.
ORGANISATION_NAMES = {
    "Arab": ("ar", "مدرسة النور"),
    "Arab-ur": ("ur", "مدرسہ روشنی"),
    "Hebr": ("he", "בית ספר שלום"),
    "Deva": ("hi", "सरस्वती विद्या निकेतन"),
    "Beng": ("bn", "আলোর পথ প্রাথমিক বিদ্যালয়"),
    "Guru": ("pa", "ਗੁਰੂ ਨਾਨਕ ਪੰਜਾਬੀ ਸਕੂਲ"),
    "Taml": ("ta", "தமிழ் கல்விக் கூடம்"),
    "Thai": ("th", "โรงเรียนภาษาไทยบ้านสุข"),
    "Hani": ("zh-Hant", "啟明中文學校"),
    "Hang": ("ko", "한빛 한국학교"),
    "Latn": ("vi", "Trường Việt Ngữ Hồng Hà"),
    "Cyrl": ("uk", "Українська суботня школа «Веселка»"),
}


@pytest.mark.parametrize("script", sorted(ORGANISATION_NAMES))
def test_an_organisation_name_in_an_english_frame_matches_the_independent_renderer(script: str) -> None:
    script_language, name = ORGANISATION_NAMES[script]
    runs = our_line(name, "en")
    (font_file,) = {
        run.font_file for run in runs
    }  # one font: the name's script, whatever the page's language
    oracle_direction_language = script_language if script_language in RTL else "en"
    score = similarity(rasterise(runs), oracle(name, font_file, oracle_direction_language))
    assert score >= MATCH, f"{name}: only {score:.2f} of the ink agrees with the oracle"
