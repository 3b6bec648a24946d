"""`check` catches a translation that no longer says what the English says, and a figure without its source.

Each test plants one fault of a kind the string-by-string review of issue 14 found in a copy of the data and
asserts the one finding `check` reports for it: its code, file, key and line.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from awareprint.diagnostics import AwareprintError
from awareprint.load.templates import load_template

# findings about the shipped data that these tests do not plant: drafts, contacts due for a re-check
_NOT_TEXT = {"translation-draft", "contact-old"}


def _findings(cli, data: Path, language: str, *options: str) -> tuple[int, list[dict]]:  # type: ignore[no-untyped-def]
    done = cli("--data", str(data), "check", "--lang", language, "--no-fit", "--json", *options)
    return done.code, [f for f in json.loads(done.out)["findings"] if f["code"] not in _NOT_TEXT]


@pytest.mark.parametrize(
    ("language", "old", "new", "code", "key"),
    [
        # uk, ur, so printed a bare "2,000" with "over" moved into the caption
        ("uk", "    display: понад {value}\n    caption: зображень",
         "    display: '{value}'\n    caption: з лишком зображень",
         "figure-qualifier", "figures.cases.display"),
        ("ja", "    display: '{value}件超'\n", "    display: ' {value} '\n", "figure-qualifier",
         "figures.cases.display"),
        # a qualifier that says the opposite: every digit test passes
        ("de", "    display: über {value}\n", "    display: unter {value}\n", "figure-qualifier-changed",
         "figures.cases.display"),
        ("zh-Hans", "    display: 超过{value}\n", "    display: 约{value}\n", "figure-qualifier-changed",
         "figures.cases.display"),
        # "under 18" became 16
        ("fr", "des moins de 18 ans\n", "des moins de 16 ans\n", "translation-number",
         "contact_captions.removal"),
        # 18 spelled out in CJK numerals, in place of the digits
        ("zh-Hans", "帮助删除未满18岁者的性图片", "帮助删除未满十八岁者的性图片", "translation-number",
         "contact_captions.removal"),
        # the figure's own number repeated in words or CJK numerals beside {value}
        ("fr", "    caption: images et vidéos ont été étudiées\n",
         "    caption: deux mille images et vidéos ont été étudiées\n",
         "number-in-words", "figures.cases.caption"),
        ("zh-Hans", "    caption: 图片和视频被纳入研究\n", "    caption: 两千多图片和视频被纳入研究\n",
         "number-in-words", "figures.cases.caption"),
        ("ru", "материалов появились на 16 форумах", "материалов (шестнадцать) появились на 16 форумах",
         "number-in-words", "figures.dedicated_forums.caption"),
        ("de", "von Personen unter 18\n", "von Personen unter 18 (achtzehn Jahren)\n", "number-in-words",
         "contact_captions.removal"),
        ("en", "  kicker: Keeping children safe online\n", '  kicker: "Keeping children safe\\x07 online"\n',
         "control-character", "labels.kicker"),
        ("de", "  kicker: Kinder online schützen\n", '  kicker: "Kinder online\\x85 schützen"\n',
         "control-character", "labels.kicker"),
    ],
)  # fmt: skip
def test_check_catches_a_planted_translation_fault(  # type: ignore[no-untyped-def]
    cli, data: Path, plant, language: str, old: str, new: str, code: str, key: str
) -> None:
    path = data / "materials" / f"{language}.yaml"
    plant(path, old, new)
    text = path.read_text(encoding="utf-8")
    line = text[: text.index(new)].count("\n") + 1
    exit_code, findings = _findings(cli, data, language)
    assert exit_code == 1
    assert [(f["code"], f["key"]) for f in findings] == [(code, key)]
    assert findings[0]["file"].endswith(f"{language}.yaml")
    assert findings[0]["line"] == line
    assert findings[0]["hint"]


def test_the_one_line_names_file_line_key_and_fix(cli, data: Path, plant) -> None:  # type: ignore[no-untyped-def]
    path = data / "materials" / "ur.yaml"
    plant(path, "    display: '{value} سے زیادہ'\n", "    display: '{value}'\n")
    number = path.read_text(encoding="utf-8").splitlines().index("    display: '{value}'") + 1
    done = cli("--data", str(data), "check", "--lang", "ur", "--no-fit")
    assert done.code == 1
    (line,) = [row for row in done.out.splitlines() + done.err.splitlines() if "figures.cases.display" in row]
    assert f"ur.yaml:{number}: key 'figures.cases.display'" in line
    assert "'over {value}'" in line and "(fix: " in line


def test_a_closed_bidi_override_is_a_warning(cli, data: Path, plant) -> None:  # type: ignore[no-untyped-def]
    plant(
        data / "materials" / "he.yaml",
        "  kicker: שמירה על ילדים ברשת\n",
        '  kicker: "שמירה על \\u202Eילדים\\u202C ברשת"\n',
    )
    exit_code, findings = _findings(cli, data, "he")
    assert exit_code == 0
    assert [(f["code"], f["severity"], f["key"]) for f in findings] == [
        ("bidi-control", "warning", "labels.kicker")
    ]
    assert "U+202E RIGHT-TO-LEFT OVERRIDE at character 10" in findings[0]["message"]
    assert _findings(cli, data, "he", "--strict")[0] == 1


def test_a_bidi_override_left_open_is_refused(cli, data: Path, plant) -> None:  # type: ignore[no-untyped-def]
    """Open, it would reverse everything after it: an error, the English printed in its place."""
    plant(
        data / "materials" / "he.yaml",
        "  kicker: שמירה על ילדים ברשת\n",
        '  kicker: "שמירה על ילדים\\u202E ברשת"\n',
    )
    exit_code, findings = _findings(cli, data, "he")
    assert exit_code == 1
    assert [(f["code"], f["severity"], f["key"]) for f in findings] == [
        ("bidi-unbalanced", "error", "labels.kicker")
    ]
    assert "character 15 is U+202E RIGHT-TO-LEFT OVERRIDE, never closed" in findings[0]["message"]


def test_digits_of_ordinary_words_are_not_numbers(cli, data: Path) -> None:  # type: ignore[no-untyped-def]
    """一起, 千万 and a Korean 사진 are words, not numbers: the shipped content has no finding."""
    for language in ("zh-Hans", "zh-Hant", "ja", "ko", "th", "ru", "sw"):
        exit_code, findings = _findings(cli, data, language)
        assert (exit_code, findings) == (0, [])


def _without_source_line(template: Path, plant, old: str) -> None:  # type: ignore[no-untyped-def]
    plant(template, old, old.replace("content: source_line", "content: contacts_checked"))


@pytest.mark.parametrize(
    ("template", "old", "slot", "where"),
    [
        ("poster-a3", "    content: source_line\n", "key_figures", "page 'page'"),
        ("leaflet-a4-trifold", "        rows: 47-48\n        content: source_line",
         "key_figures", "panel 'flap' of page 'outside'"),
        ("leaflet-a5-bifold", "rows: 30-30, content: source_line",
         "key_figures", "panel 'right' of page 'inside'"),
        ("card-dl", "rows: 46-48, content: source_line", "key_figures", "page 'front'"),
    ],
)  # fmt: skip
def test_a_page_with_figures_needs_the_source_line(  # type: ignore[no-untyped-def]
    cli, data: Path, plant, template: str, old: str, slot: str, where: str
) -> None:
    path = data / "templates" / f"{template}.yaml"
    _without_source_line(path, plant, old)
    with pytest.raises(AwareprintError) as caught:
        load_template(path)
    diagnostic = caught.value.diagnostic
    assert diagnostic.code == "figures-without-source"
    assert diagnostic.file == path and diagnostic.line and diagnostic.key and diagnostic.key.endswith(slot)
    assert f"shows the study's figures on {where}" in diagnostic.message
    done = cli("--data", str(data), "check", "--lang", "en", "--no-fit", "--json")
    assert done.code == 1
    assert {f["code"] for f in json.loads(done.out)["findings"]} - _NOT_TEXT == {"figures-without-source"}


def test_a_source_line_for_one_audience_does_not_cover_the_other(data: Path, plant) -> None:  # type: ignore[no-untyped-def]
    path = data / "templates" / "leaflet-a5-bifold.yaml"
    plant(
        path,
        "source_line: {kind: text, panel: right,",
        "source_line: {audience: parents, kind: text, panel: right,",
    )
    with pytest.raises(AwareprintError, match="no source_line is printed there for professionals"):
        load_template(path)


def test_a_leaflet_needs_the_full_reference(data: Path, plant) -> None:  # type: ignore[no-untyped-def]
    path = data / "templates" / "leaflet-a5-bifold.yaml"
    plant(path, "content: source_full", "content: source_line")
    with pytest.raises(AwareprintError) as caught:
        load_template(path)
    assert caught.value.diagnostic.code == "leaflet-without-reference"
    assert "full reference" in caught.value.diagnostic.message


@pytest.mark.parametrize("template", ["leaflet-a4-trifold", "leaflet-a5-bifold"])
def test_leaflets_print_the_full_reference_and_the_source_beside_the_figures(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, template: str
) -> None:
    import pypdfium2

    output = tmp_path / "leaflet.pdf"
    done = cli("poster", "--template", template, "--lang", "en", "--audience", "professionals", "--output",
               str(output))  # fmt: skip
    assert done.code == 0, done.err
    pdf = pypdfium2.PdfDocument(output)
    pages = [" ".join(pdf[i].get_textpage().get_text_range().split()) for i in range(len(pdf))]
    text = " ".join(pages)
    assert "Trends in Online Child Sexual Exploitation: Examining the Distribution of Captures" in text
    assert "Published May 2018." in text
    (figures_page,) = [p for p in pages if "What the study found" in p]
    assert "Source: Internet Watch Foundation (IWF), 2018" in figures_page


def test_a_language_with_no_confirmed_qualifier_is_warned_not_refused(cli, data: Path, plant) -> None:  # type: ignore[no-untyped-def]
    """A new language (Tigrinya, say) has no confirmed wording of "over" yet: a warning until one is added."""
    plant(data / "materials" / "_qualifiers.yaml", '  nl: ["meer dan {value}"]\n', "")
    exit_code, findings = _findings(cli, data, "nl")
    assert exit_code == 0
    assert [(f["code"], f["severity"], f["key"]) for f in findings] == [
        ("figure-qualifier-unconfirmed", "warning", "figures.cases.display")
    ]
    assert "_qualifiers.yaml" in str(findings[0]["hint"])
