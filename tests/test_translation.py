"""The translator workflow and `check`: round trips change nothing, planted faults are caught."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from awareprint.load.materials import fingerprint, load_language
from awareprint.resources import DATA

FIGURES = ("girls", "alone_at_home", "category_a", "category_a_or_b", "harvested", "dedicated_forums",
           "mobile_only_apps", "cases")  # fmt: skip


TRANSLATIONS = sorted(
    p.stem
    for p in (DATA / "materials").glob("*.yaml")
    if p.stem not in ("source", "en") and not p.stem.startswith("_")
)


@pytest.mark.parametrize("file_format", ["po", "xliff"])
@pytest.mark.parametrize("language", TRANSLATIONS)
def test_export_then_import_changes_nothing(
    cli, data: Path, tmp_path: Path, file_format: str, language: str
) -> None:  # type: ignore[no-untyped-def]
    before = (data / "materials" / f"{language}.yaml").read_bytes()
    exported = tmp_path / f"{language}.{file_format}"
    done = cli("--data", str(data), "strings", "export", "--lang", language, "--format", file_format,
               "--output", str(exported))  # fmt: skip
    assert done.code == 0, done.err
    text = exported.read_text(encoding="utf-8")
    assert "Keeping children safe online" in text
    assert "audiences.parents.tips[2]" in text  # the key travels as context / id
    assert "printed in 'tips' on poster-a3" in text  # the translator sees where it goes
    done = cli("--data", str(data), "strings", "import", str(exported), "--lang", language)
    assert done.code == 0, done.err
    assert "0 strings changed" in done.out
    assert (data / "materials" / f"{language}.yaml").read_bytes() == before


def _export(cli, data: Path, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    exported = tmp_path / "hi.po"
    assert cli("--data", str(data), "strings", "export", "--lang", "hi", "--output", str(exported)).code == 0
    return exported


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('msgstr "अध्ययन में क्या पाया गया"', 'msgstr "अध्ययन में 3 बातें पाई गईं"', "numbers differ"),
        ('msgstr "{name} को', 'msgstr "{naam} को', "placeholders must be exactly as in English: {name}"),
        ("18 साल से कम उम्र के व्यक्ति", "19 साल से कम उम्र के व्यक्ति", "19 instead of 18"),
    ],
)
def test_import_refuses_changed_numbers_and_placeholders(cli, data: Path, tmp_path: Path, old: str, new: str,
                                                         expected: str) -> None:  # type: ignore[no-untyped-def]  # fmt: skip
    before = (data / "materials" / "hi.yaml").read_bytes()
    exported = _export(cli, data, tmp_path)
    text = exported.read_text(encoding="utf-8")
    assert old in text
    exported.write_text(text.replace(old, new, 1), encoding="utf-8")
    done = cli("--data", str(data), "strings", "import", str(exported), "--lang", "hi")
    assert done.code == 1
    assert expected in done.err and "hi.po" in done.err and "nothing was imported" in done.err
    assert "Traceback" not in done.err
    assert (data / "materials" / "hi.yaml").read_bytes() == before


def test_import_of_a_new_translation_is_stamped_current(cli, data: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    exported = _export(cli, data, tmp_path)
    text = exported.read_text(encoding="utf-8")
    exported.write_text(text.replace("आप क्या कर सकते हैं", "आप यह कर सकते हैं"), encoding="utf-8")
    done = cli("--data", str(data), "strings", "import", str(exported), "--lang", "hi")
    assert done.code == 0 and "2 strings changed" in done.out
    materials = load_language(data / "materials", "hi", FIGURES)
    assert materials.audiences["parents"].tips_heading == "आप यह कर सकते हैं"
    assert materials.stale == ()


def test_an_english_change_marks_the_translation_stale(cli, data: Path, plant) -> None:  # type: ignore[no-untyped-def]
    plant(data / "materials" / "en.yaml", "  kicker: Keeping children safe online\n",
          "  kicker: Keeping children safe on the internet\n")  # fmt: skip
    done = cli("--data", str(data), "check", "--lang", "hi", "--no-fit", "--json")
    assert done.code == 0  # a warning, not an error
    findings = json.loads(done.out)["findings"]
    stale = [f for f in findings if f["code"] == "translation-stale"]
    assert [f["key"] for f in stale] == ["labels.kicker"]
    assert stale[0]["file"].endswith("hi.yaml") and stale[0]["line"] == 13
    assert cli("--data", str(data), "check", "--lang", "hi", "--no-fit", "--strict").code == 1
    # the translator updates the string and records it as current
    assert cli("--data", str(data), "strings", "stamp", "hi", "labels.kicker").code == 0
    assert load_language(data / "materials", "hi", FIGURES).stale == ()


@pytest.mark.parametrize(
    ("old", "new", "code", "key"),
    [
        ("सामग्री इसी के लिए बने 16 फ़ोरम पर मिली", "सामग्री इसी के लिए बने 61 फ़ोरम पर मिली", "",
         "figures.dedicated_forums.caption"),
        ("'{name} को रिपोर्ट", "'को रिपोर्ट", "", "labels.qr_caption"),
    ],
)  # fmt: skip
def test_check_reports_every_planted_string_fault(cli, data: Path, plant, old: str, new: str, code: str,
                                                  key: str) -> None:  # type: ignore[no-untyped-def]  # fmt: skip
    plant(data / "materials" / "hi.yaml", old, new)
    done = cli("--data", str(data), "check", "--lang", "hi", "--no-fit", "--json")
    assert done.code == 1
    errors = [f for f in json.loads(done.out)["findings"] if f["severity"] == "error"]
    assert [f["key"] for f in errors] == [key]
    assert errors[0]["line"] is not None


def test_a_missing_string_falls_back_to_english_and_is_reported(
    cli, data: Path, plant, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    plant(data / "materials" / "hi.yaml", "  kicker: बच्चों को ऑनलाइन सुरक्षित रखना\n", "")
    done = cli("--data", str(data), "check", "--lang", "hi", "--no-fit", "--json")
    assert done.code == 0
    missing = [f for f in json.loads(done.out)["findings"] if f["code"] == "translation-missing"]
    assert [f["key"] for f in missing] == ["labels.kicker"]
    done = cli("--data", str(data), "poster", "--lang", "hi", "--output", str(tmp_path / "p.pdf"))
    assert done.code == 0
    assert "1 strings are missing from the Hindi translation; they are printed in English" in done.err


def test_check_finds_text_that_does_not_fit(cli, data: Path, plant) -> None:  # type: ignore[no-untyped-def]
    long = "आप क्या कर सकते हैं " * 12
    plant(data / "materials" / "hi.yaml", "  kicker: बच्चों को ऑनलाइन सुरक्षित रखना\n", f"  kicker: {long}\n")
    done = cli("--data", str(data), "check", "--lang", "hi", "--json")
    assert done.code == 1
    overflow = [f for f in json.loads(done.out)["findings"] if f["code"] == "overflow"]
    assert overflow and all("slot 'kicker'" in f["message"] for f in overflow)
    assert overflow[0]["file"].endswith("hi.yaml")


def test_new_language_starts_in_english_with_its_own_name(cli, data: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    done = cli("--data", str(data), "strings", "init", "am")
    assert done.code == 0, done.err
    materials = load_language(data / "materials", "am", FIGURES)
    assert materials.language.native_name == "አማርኛ" and materials.language.name == "Amharic"
    assert materials.review_status.label == "draft" and len(materials.missing) == len(materials.strings)
    assert cli("--data", str(data), "strings", "init", "am").code == 1  # never overwrites
    assert cli("--data", str(data), "strings", "init", "xx-nonsense").code == 1


def test_fingerprints_are_stable() -> None:
    assert fingerprint("What you can do") == fingerprint("What you can do")
    assert len(fingerprint("x")) == 10


def test_shipped_content_passes_check(cli) -> None:  # type: ignore[no-untyped-def]
    """Every language x audience on every template with gb contacts, and every region in English."""
    done = cli("--data", str(DATA), "check", "--json")
    report = json.loads(done.out)
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert errors == [] and done.code == 0
    assert not [f for f in report["findings"] if f["code"] in ("translation-stale", "translation-missing")]
