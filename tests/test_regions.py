"""Region packs: an emergency number everywhere, honest dates, captions and names in the reader's language.

Faults are planted in a copy of the data and must be caught by `check`, by loading, or by `poster`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from awareprint.load.regions import load_region
from awareprint.resources import DATA

IWF_SOURCES = (
    "      - {url: https://iwf.org.uk/report, read: 2026-11}\n"
    "      - {url: https://iwf.org.uk/faqs/, read: 2026-11}\n"
)


def pdf_text(path: Path) -> str:
    """The text of every page, with line breaks and spaces taken out (a caption may wrap anywhere)."""
    document = pdfium.PdfDocument(str(path))
    try:
        return "".join("".join(page.get_textpage().get_text_range().split()) for page in document)
    finally:
        document.close()


def bare(text: str) -> str:
    return "".join(text.split())


def poster_text(cli, tmp_path: Path, *args: str, data: Path | None = None) -> str:  # type: ignore[no-untyped-def]
    output = tmp_path / "poster.pdf"
    folder = ("--data", str(data)) if data else ()
    done = cli(*folder, "poster", *args, "--output", str(output))
    assert done.code == 0, done.err
    return pdf_text(output)


def findings(cli, data: Path, code: str) -> tuple[int, list[dict[str, object]]]:  # type: ignore[no-untyped-def]
    done = cli("--data", str(data), "check", "--lang", "fr", "--no-fit", "--json")
    return done.code, [f for f in json.loads(done.out)["findings"] if f["code"] == code]


# --- an emergency number in every region ------------------------------------------------------


@pytest.mark.parametrize(("region", "number"), [("in", "112"), ("ph", "911"), ("br", "190")])
@pytest.mark.parametrize("audience", ["parents", "professionals"])
def test_posters_print_the_emergency_number(
    cli, tmp_path: Path, region: str, number: str, audience: str
) -> None:  # type: ignore[no-untyped-def]
    text = poster_text(cli, tmp_path, "--region", region, "--audience", audience)
    assert re.search(rf"(?<!\d){number}(?!\d)", text), text
    assert bare("If a child is in danger now") in text


def test_every_shipped_region_has_an_emergency_contact_for_every_audience() -> None:
    for path in sorted((DATA / "regions").glob("*.yaml")):
        region = load_region(path)
        for audience in ("parents", "professionals"):
            assert any(c.purpose == "emergency" and audience in c.audiences for c in region.contacts), path


def test_check_fails_a_region_without_an_emergency_contact(cli, data: Path, plant, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plant(data / "regions" / "in.yaml", "    purpose: emergency\n", "    purpose: adult\n")
    code, found = findings(cli, data, "input")
    assert code == 1
    assert [f["file"] for f in found if "no emergency contact" in str(f["message"])] == [
        str(data / "regions" / "in.yaml")
    ]
    done = cli("--data", str(data), "poster", "--region", "in", "--output", str(tmp_path / "in.pdf"))
    assert done.code == 1 and "no emergency contact for parents" in done.err
    assert not (tmp_path / "in.pdf").exists()


# --- honest dates ----------------------------------------------------------------------------


def _line_of(path: Path, text: str) -> int:
    return path.read_text(encoding="utf-8").splitlines().index(text) + 1


@pytest.mark.parametrize(
    ("dates", "severity", "exit_code"),
    [(("2025-10", "2025"), "warning", 0), (("2024-03", "2023-06"), "error", 1)],
)
def test_check_reports_a_contact_past_its_date(
    cli, data: Path, plant, dates, severity: str, exit_code: int
) -> None:  # type: ignore[no-untyped-def]
    old = (
        f"      - {{url: https://iwf.org.uk/report, date: {dates[0]}}}\n"
        f"      - {{url: https://iwf.org.uk/faqs/, date: {dates[1]}}}\n"
    )
    plant(data / "regions" / "gb.yaml", IWF_SOURCES, old)
    code, found = findings(cli, data, "contact-old" if severity == "warning" else "contact-stale")
    assert code == exit_code
    (finding,) = [f for f in found if str(f["file"]).endswith("gb.yaml")]
    assert finding["severity"] == severity and finding["file"].endswith("gb.yaml")  # type: ignore[union-attr]
    assert finding["line"] == _line_of(data / "regions" / "gb.yaml", "  - id: iwf")
    assert dates[0] in str(finding["message"])


def test_a_source_dated_in_the_future_is_one_finding_and_check_goes_on(
    cli, data: Path, plant, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    plant(
        data / "regions" / "gb.yaml", IWF_SOURCES, "      - {url: https://iwf.org.uk/report, read: 2099-11}\n"
    )
    done = cli(
        "--data", str(data), "check", "--lang", "en", "--fit-region", "ie"
    )  # the fit pass lays gb out too
    assert done.code == 1 and "Traceback" not in done.err
    future = [line for line in done.err.splitlines() if "dated in the future" in line]
    assert len(future) == 1 and "gb.yaml:" in future[0] and "(fix: " in future[0]
    assert "posters laid out" in done.out + done.err  # the rest was checked
    output = tmp_path / "gb.pdf"
    refused = cli("--data", str(data), "poster", "--output", str(output))
    assert refused.code == 1 and "dated in the future" in refused.err and not output.exists()


def test_a_stale_contact_is_refused_unless_allowed(cli, data: Path, plant, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    old = "      - {url: https://iwf.org.uk/report, date: 2023-06}\n"
    plant(data / "regions" / "gb.yaml", IWF_SOURCES, old)
    output = tmp_path / "gb.pdf"
    refused = cli("--data", str(data), "poster", "--output", str(output))
    assert refused.code == 1 and not output.exists()
    lines = [line for line in refused.err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in refused.err
    assert f"gb.yaml:{_line_of(data / 'regions' / 'gb.yaml', '  - id: iwf')}" in lines[0]
    assert "'Internet Watch Foundation'" in lines[0] and "2023-06" in lines[0]
    assert "--allow-stale" in lines[0]
    allowed = cli("--data", str(data), "poster", "--allow-stale", "--output", str(output))
    assert allowed.code == 0 and output.exists()
    assert bare("Contacts checked June 2023") in pdf_text(output)


def test_batch_passes_allow_stale_through(cli, data: Path, plant, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plant(data / "regions" / "gb.yaml", IWF_SOURCES, "      - {url: https://iwf.org.uk/report, date: 2023}\n")
    common = (
        "--data",
        str(data),
        "batch",
        "--lang",
        "en",
        "--template",
        "poster-a4",
        "--audience",
        "parents",
    )
    failed = cli(*common, "--jobs", "0", "--output", str(tmp_path / "a"))
    assert failed.code == 1 and "contact" in failed.err
    made = cli(*common, "--jobs", "0", "--allow-stale", "--output", str(tmp_path / "b"))
    assert made.code == 0, made.err
    assert bare("Contacts checked 2023") in pdf_text(tmp_path / "b" / "poster-a4-en-gb-parents.pdf")


def test_contacts_checked_is_the_oldest_contact_the_page_prints(
    cli, data: Path, plant, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    path = data / "regions" / "gb.yaml"
    plant(path, "      - {url: https://learning.nspcc.org.uk/services/childline, read: 2026-12}", "")
    plant(path, "?p=5, read: 2026-11}", "?p=5, date: 2025-08}")  # Childline, on every poster
    plant(path, "report-remove, read: 2026-11}", "report-remove, date: 2025-03}")  # professionals only
    plant(path, "stopitnow.org.uk/helpline/, read: 2026-11}", "stopitnow.org.uk/helpline/, date: 2024-12}")
    assert bare("Contacts checked August 2025") in poster_text(cli, tmp_path, data=data)
    # the A3 poster has room for six contacts: professionals get Report Remove but not Stop It Now
    professionals = poster_text(cli, tmp_path, "--audience", "professionals", data=data)
    assert bare("Contacts checked March 2025") in professionals and bare("Stop It Now") not in professionals


def test_regions_lists_sources_and_months_never_invented_days(cli) -> None:  # type: ignore[no-untyped-def]
    listing = cli("regions")
    assert listing.code == 0
    assert re.search(
        r"^in   India: 4 contacts, oldest checked \d{4}(-\d{2})? \((ok|warn|stale)\)$", listing.out, re.M
    )
    detail = cli("regions", "in")
    assert detail.code == 0, detail.err
    assert "Child Helpline 1098" in detail.out and "CHILDLINE" not in detail.out
    assert "source:    https://mavericknews30.com/?p=34007 (dated 2025-02-10)" in detail.out
    assert re.search(r"verified:  \d{4}-\d{2} \((ok|warn|stale)\)", detail.out)
    assert not re.search(r"verified:  \d{4}-\d{2}-\d{2}", detail.out)
    assert "If a child is in danger now" in detail.out and "phone:     112" in detail.out
    data = json.loads(cli("regions", "in", "--json").out)
    (helpline,) = [c for c in data["contacts"] if c["id"] == "child_helpline_1098"]
    assert helpline["verified"] == "2025-02" and helpline["caption"] == "child"
    assert {"url": "https://thehindu.com", "date": "2023-06-20"} in helpline["sources"]
    assert [r["code"] for r in json.loads(cli("regions", "--json").out)][:2] == ["au", "br"]


# --- captions and the reader's language ------------------------------------------------------


def test_each_contact_has_its_own_caption(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = poster_text(cli, tmp_path, "--region", "ie", "--audience", "professionals")
    assert bare("116 000") in text and bare("If a child is missing") in text


def test_check_catches_an_unknown_caption(cli, data: Path, plant) -> None:  # type: ignore[no-untyped-def]
    plant(data / "regions" / "ie.yaml", "    caption: missing_children\n", "    caption: missing_kids\n")
    code, found = findings(cli, data, "contact-caption-unknown")
    assert code == 1
    (finding,) = found
    assert finding["file"].endswith("ie.yaml") and "missing_kids" in str(finding["message"])  # type: ignore[union-attr]


def test_the_international_pack_speaks_the_readers_language(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    english = poster_text(cli, tmp_path, "--region", "int", "--lang", "en")
    french = poster_text(cli, tmp_path, "--region", "int", "--lang", "fr")
    assert bare("If a child is in danger now, in any EU country") in english
    assert bare("dans tout pays de l'UE") in french and "INHOPE" in french
    for english_words in ("European", "find your national hotline", "helpline number", "missing-children"):
        assert bare(english_words) not in french


def test_canada_in_french_names_its_services_in_french(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    french = poster_text(cli, tmp_path, "--region", "ca", "--lang", "fr")
    assert "Cyberaide.ca" in french and bare("Jeunesse, J'écoute") in french
    assert "Cybertip.ca" not in french and bare("Kids Help Phone") not in french
    english = poster_text(cli, tmp_path, "--region", "ca", "--lang", "en")
    assert "Cybertip.ca" in english and "Cyberaide" not in english


def test_romanian_readers_get_the_romanian_page(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    romanian = poster_text(cli, tmp_path, "--region", "ro", "--lang", "ro")
    assert "oradenet.ro" in romanian and "esc-abuz-en" not in romanian
    assert bare("child-abuse line") not in romanian
    assert "esc-abuz-en" in poster_text(cli, tmp_path, "--region", "ro", "--lang", "en")


def test_spain_prints_the_police_reporting_address(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = poster_text(cli, tmp_path, "--region", "es", "--lang", "es")
    assert "denuncias.pornografia.infantil@policia.es" in text


def test_check_catches_a_variant_for_an_unknown_language(cli, data: Path, plant) -> None:  # type: ignore[no-untyped-def]
    plant(data / "regions" / "ca.yaml", "      fr: {name: Cyberaide.ca", "      xx: {name: Cyberaide.ca")
    code, found = findings(cli, data, "contact-language-unknown")
    assert code == 1 and found[0]["file"].endswith("ca.yaml")  # type: ignore[union-attr]


def test_translators_get_the_captions_with_a_note(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "fr.po"
    assert cli("strings", "export", "--lang", "fr", "--output", str(target)).code == 0
    exported = target.read_text(encoding="utf-8")
    assert 'msgctxt "contact_captions.missing_children"' in exported
    assert "printed in 'contacts'" in exported.split('msgctxt "contact_captions.missing_children"')[0][-300:]
