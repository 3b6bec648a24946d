"""The font manifest tells the truth: files, licences, weights and script coverage."""

from __future__ import annotations

from pathlib import Path

import pytest
from fontTools import unicodedata
from fontTools.ttLib import TTFont

from awareprint.resources import DATA
from awareprint.text.fonts import WEIGHTS, load_manifest

MANIFEST = load_manifest(DATA / "fonts" / "manifest.yaml")

# Letters every font claiming a script must have (a reading of "covers the script" a test can check).
PROBES = {
    "Latn": "AZaz0123456789ÀÉÑÖŁŞȚẠỆĐđăơư%.,;:!?()-",
    "Grek": "ΑΩαωάή",
    "Cyrl": "АЯаяЁёЇїҐґ",
    "Deva": "अआकखगक्षत्रज्ञािीुूेैोौंः्।",
    "Beng": "অআকখগক্ষািীুূেৈোৌংঃ্।",
    "Guru": "ਅਆਕਖਗਾਿੀੁੂੇੈੋੌਂ੍",
    "Taml": "அஆகஙசாிீுூெேைொோௌ்",
    "Thai": "กขคงจฉัาำิีึืุู่้๊๋",
    "Arab": "ابتثجحخدذرزسشصضطظعغفقكلمنهوي٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٪،؛؟پچژگکی",
    "Hebr": "אבגדהוזחטיכלמנסעפצקרשתךםןףץ",
    "Hani": "一二三人大中日本安全校子女上下",  # in GB 2312, Big5 and JIS X 0208 level 1 alike
    "Hira": "あいうえおかきくけこんをゃゅょっ",
    "Kana": "アイウエオカキクケコンヲャュョッ",
    "Hang": "가나다라마바사아자차카타파하한국어학교",
    "Bopo": "ㄅㄆㄇㄈㄉㄊㄋㄌ",
}


@pytest.mark.parametrize("family", MANIFEST.families, ids=lambda f: f.name)
def test_family_files_licence_and_coverage(family) -> None:  # type: ignore[no-untyped-def]
    assert Path(family.licence).read_text().count("SIL OPEN FONT LICENSE Version 1.1") == 1
    for weight in WEIGHTS:
        face = family.faces[weight]
        font = TTFont(face.path, lazy=True)
        assert "glyf" in font, "reportlab-free embedding still needs TrueType outlines for subsetting"
        style = font["name"].getDebugName(2) or ""
        assert ("Bold" in style) == (weight == "bold"), f"{face.path} is {style}, not {weight}"
        for script in family.scripts:
            missing = [c for c in PROBES.get(script, "") if not face.covers(c)]
            assert not missing, f"{face.path} claims {script} but lacks {''.join(missing)}"


def test_every_script_claim_is_a_real_script_code() -> None:
    known = set(unicodedata.Scripts.NAMES)
    for family in MANIFEST.families:
        assert set(family.scripts) <= known, family.name


def test_urdu_gets_nastaliq_and_other_arabic_script_languages_get_naskh() -> None:
    assert MANIFEST.chain("Arab", "regular", "ur")[0].family == "Noto Nastaliq Urdu"
    assert MANIFEST.chain("Arab", "regular", "ar")[0].family == "Noto Naskh Arabic"
    assert MANIFEST.chain("Arab", "regular", "fa")[0].family == "Noto Naskh Arabic"
    # a slot too tight for Nastaliq's line height gets Naskh, which has the Urdu letters too
    naskh = MANIFEST.chain("Arab", "regular", "ur", tight=True)[0]
    assert naskh.family == "Noto Naskh Arabic"
    assert all(naskh.covers(c) for c in "ٹڈڑںےہھکگیپچژ")


@pytest.mark.parametrize(
    ("script", "language", "family"),
    [
        ("Hani", "zh-Hans", "Noto Sans CJK SC"),
        ("Hani", "zh-Hant", "Noto Sans CJK TC"),
        ("Hani", "ja", "Noto Sans CJK JP"),
        ("Hani", "ko", "Noto Sans CJK SC"),  # no hanja in the Korean subset
        ("Hani", "en", "Noto Sans CJK SC"),  # a Chinese school name on an English poster
        ("Hira", "en", "Noto Sans CJK JP"),
        ("Hang", "en", "Noto Sans CJK KR"),
    ],
)
def test_han_characters_take_the_form_their_language_expects(script: str, language: str, family: str) -> None:
    sample = {"Hani": "骨", "Hira": "あ", "Hang": "한"}[script]  # 骨 is drawn differently in each
    chosen = next(face for face in MANIFEST.chain(script, "regular", language) if face.covers(sample))
    assert chosen.family == family


def test_a_bracket_in_arabic_comes_from_the_fallback_not_from_the_urdu_font() -> None:
    """Naskh has no ASCII brackets: Noto Sans sets both, rather than the Nastaliq embedded for one."""
    chain = MANIFEST.chain("Arab", "regular", "ar")
    chosen = next(face for face in chain if face.covers("("))
    assert chosen.family == "Noto Sans"
    assert "Noto Nastaliq Urdu" not in {face.family for face in chain[: chain.index(chosen)]}


def test_fallback_covers_digits_and_signs_for_fonts_without_them() -> None:
    thai = MANIFEST.chain("Thai", "regular")
    assert not thai[0].covers("%")
    assert any(face.covers("%") for face in thai[1:])
