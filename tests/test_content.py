"""Content: figures formatted by CLDR from source.yaml, strict materials and region files, warnings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from awareprint.diagnostics import AwareprintError, Severity
from awareprint.load.content import NumberStyle, build_content, load_source, number_locale
from awareprint.load.materials import load_language, load_materials
from awareprint.load.regions import load_region, months_old, parse_source_date, staleness
from awareprint.resources import DATA

TODAY = dt.date(2026, 12, 7)


@pytest.fixture(scope="module")
def source():  # type: ignore[no-untyped-def]
    return load_source(DATA / "materials" / "source.yaml")


def test_source_has_every_figure_of_the_study(source) -> None:  # type: ignore[no-untyped-def]
    values = {f.id: (str(f.value), f.unit) for f in source.figures}
    assert values == {
        "girls": ("96", "percent"),
        "alone_at_home": ("96", "percent"),
        "category_a": ("18", "percent"),
        "category_a_or_b": ("40", "percent"),
        "harvested": ("100", "percent"),
        "dedicated_forums": ("73", "percent"),
        "mobile_only_apps": ("4", "percent"),
        "cases": ("2000", "count"),
    }
    assert all(f.citation and f.meaning for f in source.figures)


@pytest.mark.parametrize("audience", ["parents", "professionals"])
def test_english_content_for_each_audience(source, audience: str) -> None:  # type: ignore[no-untyped-def]
    materials = load_language(DATA / "materials", "en", source.figure_ids)
    region = load_region(DATA / "regions" / "gb.yaml")
    content, diagnostics = build_content(source, materials, region, audience, TODAY)
    numbers = [s.number for s in content.key_figures + content.more_figures]
    assert sorted(numbers) == sorted(["96%", "96%", "18%", "40%", "100%", "73%", "4%", "over 2,000"])
    assert 8 <= len(content.tips) <= 10 if audience == "parents" else 6 <= len(content.tips) <= 8
    assert content.qr_url == "https://iwf.org.uk/report"
    assert content.source_line == "Source: Internet Watch Foundation (IWF), 2018"
    assert content.contacts_checked_label == "Contacts checked {date}"
    assert {c.verified_text for c in content.contacts} <= {"November 2026", "December 2026"}
    assert not [d for d in diagnostics if d.severity is Severity.ERROR]


def test_only_professionals_see_professional_contacts(source) -> None:  # type: ignore[no-untyped-def]
    materials = load_language(DATA / "materials", "en", source.figure_ids)
    region = load_region(DATA / "regions" / "gb.yaml")
    parents, _ = build_content(source, materials, region, "parents", TODAY)
    professionals, _ = build_content(source, materials, region, "professionals", TODAY)
    assert "Report Remove (Childline and IWF)" not in [c.name for c in parents.contacts]
    assert "Report Remove (Childline and IWF)" in [c.name for c in professionals.contacts]


def test_contacts_warn_after_12_months_and_are_refused_after_24(source) -> None:  # type: ignore[no-untyped-def]
    materials = load_language(DATA / "materials", "en", source.figure_ids)
    region = load_region(DATA / "regions" / "gb.yaml")
    _, fresh = build_content(source, materials, region, "parents", TODAY)
    assert not [d for d in fresh if d.code.startswith("contact")]
    _, later = build_content(source, materials, region, "parents", dt.date(2028, 1, 1))  # 13-14 months on
    old = [d for d in later if d.code == "contact-old"]
    assert {d.severity for d in old} == {Severity.WARNING} and all(d.line for d in old)
    _, much_later = build_content(source, materials, region, "parents", dt.date(2029, 1, 1))
    stale = [d for d in much_later if d.code == "contact-stale"]
    parents = [c for c in region.contacts if "parents" in c.audiences]
    assert len(stale) == len(parents) and {d.severity for d in stale} == {Severity.ERROR}
    assert "gb.yaml" in stale[0].one_line() and "--allow-stale" in stale[0].one_line()


@pytest.mark.parametrize(
    ("written", "months", "state"),
    [
        ("2025-12", 12, "ok"),
        ("2025-11", 13, "warn"),
        ("2024-12", 24, "warn"),
        ("2024-11", 25, "stale"),
        ("2025", 23, "warn"),  # a year alone counts as its January
        ("2025-12-08", 11, "ok"),  # a full date counts its day
    ],
)
def test_the_age_of_evidence_in_months(written: str, months: int, state: str) -> None:
    date = parse_source_date(written)
    assert months_old(date, TODAY) == months
    assert staleness(date, TODAY) == state


def test_a_contacts_verified_date_is_its_newest_source(data: Path, plant) -> None:  # type: ignore[no-untyped-def]
    path = data / "regions" / "gb.yaml"
    plant(
        path,
        "      - {url: https://iwf.org.uk/faqs/, read: 2026-11}\n",
        "      - {url: https://iwf.org.uk/faqs/, date: 2019}\n",
    )
    iwf = next(c for c in load_region(path).contacts if c.id == "iwf")
    assert iwf.verified.text == "2026-11" and iwf.verified.month == "2026-11"
    assert [s.read for s in iwf.sources] == [True, False]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("    url: https://iwf.org.uk/report\n", "    url: iwf.org.uk/report\n", "is not a web address"),
        ("    phone: 0800 1111\n", "    phone: call us\n", "is not a phone number"),
        (
            "{url: https://iwf.org.uk/report, read: 2026-11}",
            "{url: https://iwf.org.uk/report, read: last week}",
            "is not a date",
        ),
        (
            "{url: https://iwf.org.uk/report, read: 2026-11}",
            "{url: https://iwf.org.uk/report}",
            "either 'date'",
        ),
        ("    email: help@nspcc.org.uk\n", "    email: help at nspcc\n", "is not an e-mail address"),
        ("  qr_contact: iwf\n", "  qr_contact: nspcc\n", "not the id of a contact with a name and a url"),
        ("      fr: {name: Cyberaide.ca", "      french: {name: Cyberaide.ca", "not a language code"),
        ("    purpose: report\n", "    purpose: reporting\n", "did you mean 'report'"),
        ("    name: Childline\n", "    nam: Childline\n", "unknown key 'nam'"),
        ("    purpose: emergency\n", "    purpose: adult\n", "no emergency contact for parents"),
    ],
)
def test_region_faults(data: Path, plant, old: str, new: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    path = data / "regions" / ("ca.yaml" if "Cyberaide" in old else "gb.yaml")
    plant(path, old, new)
    with pytest.raises(AwareprintError) as caught:
        load_region(path)
    message = caught.value.diagnostic.one_line()
    assert expected in message
    assert f"{path.name}:" in message


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            '    display: "over {value}"\n',
            '    display: "over {valeu}"\n',
            "placeholders must be exactly: {value}",
        ),
        ("  status: source\n", "  status: draft\n", "en.yaml is the source: it needs status: source"),
        ("  direction: ltr\n", "  direction: sideways\n", "is not one of ltr, rtl"),
        ("  cases:\n", "  cases_total:\n", "unknown key 'figures.cases_total"),
    ],
)
def test_materials_faults(data: Path, plant, source, old: str, new: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    path = data / "materials" / "en.yaml"
    plant(path, old, new)
    with pytest.raises(AwareprintError) as caught:
        load_materials(path, source.figure_ids)
    assert expected in caught.value.diagnostic.one_line()


def test_source_rejects_a_figure_that_is_not_a_number(data: Path, plant) -> None:  # type: ignore[no-untyped-def]
    path = data / "materials" / "source.yaml"
    plant(path, '    value: "96"\n', '    value: "ninety-six"\n')
    with pytest.raises(AwareprintError, match="not a plain number"):
        load_source(path)


@pytest.mark.parametrize(
    ("language", "numbers", "percent", "count", "month"),
    [
        ("en", "latn", "96%", "2,000", "November 2026"),
        ("fr", "latn", "96\u00a0%", "2\u202f000", "novembre 2026"),
        ("tr", "latn", "%96", "2.000", "Kasım 2026"),
        ("de", "latn", "96\u00a0%", "2.000", "November 2026"),
        ("nl", "latn", "96%", "2.000", "november 2026"),
        ("bn", "beng", "৯৬%", "২,০০০", "নভেম্বর ২০২৬"),
        ("fa", "arabext", "۹۶٪", "۲٬۰۰۰", "نوامبر ۲۰۲۶"),
        ("th", "latn", "96%", "2,000", "พฤศจิกายน 2026"),  # Gregorian, not the Buddhist era
    ],
)
def test_numbers_follow_the_locale(language: str, numbers: str, percent: str, count: str, month: str) -> None:
    style = NumberStyle(language, numbers)
    assert style.percent(Decimal(96)) == percent
    assert style.number(Decimal(2000)) == count
    assert style.month(dt.date(2026, 11, 1)) == month


def test_digits_in_prose_follow_the_language() -> None:
    assert NumberStyle("bn", "beng").digits("16 ফোরাম, 2018") == "১৬ ফোরাম, ২০১৮"
    assert NumberStyle("fa", "arabext").digits("{value} 18") == "{value} ۱۸"
    assert NumberStyle("en", "latn").digits("under 18") == "under 18"


def test_numbering_system_must_be_latin_or_the_locales_own(data: Path, plant, source) -> None:  # type: ignore[no-untyped-def]
    path = data / "materials" / "hi.yaml"
    plant(path, "  numbers: latn\n", "  numbers: beng\n")
    with pytest.raises(AwareprintError, match="'beng' is not one of latn, deva"):
        load_language(data / "materials", "hi", source.figure_ids)


@pytest.mark.parametrize(
    ("language", "region", "locale", "percent", "count"),
    [
        ("es", "us", "es_US", "96%", "2,000"),
        ("es", "mx", "es_MX", "96%", "2,000"),
        ("es", "es", "es_ES", "96\u00a0%", "2.000"),
        ("fr", "ca", "fr_CA", "96\u00a0%", "2\u00a0000"),
        ("fr", "fr", "fr_FR", "96\u00a0%", "2\u202f000"),
        ("pt", "br", "pt_BR", "96%", "2.000"),
        ("en", "us", "en_US", "96%", "2,000"),
        ("es", "gb", "es", "96\u00a0%", "2.000"),  # CLDR has no es_GB: the language alone
        ("es", "int", "es", "96\u00a0%", "2.000"),  # int names no country
        ("zh-Hans", "us", "zh-Hans", "96%", "2,000"),
    ],
)
def test_numbers_follow_language_and_region(  # type: ignore[no-untyped-def]
    source, language: str, region: str, locale: str, percent: str, count: str
) -> None:
    materials = load_language(DATA / "materials", language, source.figure_ids)
    contacts = load_region(DATA / "regions" / f"{region}.yaml")
    assert number_locale(language, contacts) == locale
    content, _ = build_content(source, materials, contacts, "parents", TODAY)
    numbers = {s.id: s.number for s in content.key_figures + content.more_figures}
    assert numbers["girls"] == materials.figures["girls"].display.format(value=percent)
    assert numbers["cases"] == materials.figures["cases"].display.format(value=count)


def test_a_region_locale_must_be_a_locale(data: Path, plant) -> None:  # type: ignore[no-untyped-def]
    path = data / "regions" / "us.yaml"
    plant(path, "locale: en_US", "locale: English (US)")
    line = next(
        n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "locale:" in text
    )
    with pytest.raises(
        AwareprintError, match=rf"us.yaml:{line}: key 'region.locale': 'English \(US\)' is not a"
    ):
        load_region(path)
