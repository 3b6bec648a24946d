"""The organisation on every poster and card: its name, lead (under its own title), lines, logo, colour and
contacts, in any script; what a template cannot show is a note, and what does not fit is an error."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
import yaml
from test_logo import make_logo

from awareprint.diagnostics import AwareprintError, Severity
from awareprint.load.content import build_content, load_region, load_source
from awareprint.load.folders import Folders
from awareprint.load.materials import LEAD_LABELS, language_codes, load_language
from awareprint.load.organisation import Organisation, load_organisation, organisation_from_mapping
from awareprint.load.schema import plain_node

POSTERS = ("poster-a2", "poster-a3", "poster-a4", "poster-letter", "poster-tabloid")
CARDS = ("card-a6", "card-dl")
TODAY = dt.date(2026, 12, 1)
# (language, the organisation's name): Latin, Arabic, Devanagari, CJK and a mixed-script name
NAMES = [
    ("en", "Riverside Primary School"),
    ("ar", "مدرسة النور الابتدائية"),
    ("hi", "सरस्वती विद्या मंदिर"),
    ("zh-Hans", "河畔社区小学"),
    ("en", "Riverside Primary School / مدرسة ريفرسايد"),
]
MIXED = NAMES[-1][1]
# Known limit of render/reading.py, reported: a left-to-right line that pdfium reads as right-to-left
# (it has as many Arabic words as Latin ones: "School / مدرسة ريفرسايد", where the posters' card wraps
# the name) is drawn right but extracted with its halves swapped. The page itself is correct. pdfium
# takes a line's text objects in the order of their first glyph's x, and each font is its own object,
# so no writing order of the two runs can put the Arabic one first (tried: origins moved by TJ offsets).
MIXED_LINE_ORDER = pytest.mark.xfail(strict=True, reason="pdfium reads a mixed LTR line as RTL")


def write_org(folder: Path, **fields: object) -> Path:
    organisation = {
        "name": "Riverside Primary School",
        "safeguarding_lead": "Ms A. Khan",
        "contact": ["020 7946 0000", "safeguarding@riverside.example.org"],
        **fields,
    }
    path = folder / "org.yaml"
    path.write_text(
        yaml.safe_dump({"organisation": organisation}, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return path


def page_texts(path: Path) -> list[str]:
    """Each page's text, a name's no-break spaces read as spaces (they keep "Ms A. Khan" on one line)."""
    pdf = pdfium.PdfDocument(path)
    try:
        return [page.get_textpage().get_text_range().replace("\u00a0", " ") for page in pdf]
    finally:
        pdf.close()


def squeezed(text: str) -> str:
    """Without spaces and line breaks: a name may wrap anywhere in its box."""
    return "".join(text.split())


@pytest.mark.parametrize(
    ("template", "lang", "name"),
    [
        pytest.param(t, *n, marks=[MIXED_LINE_ORDER]) if n[1] == MIXED and t in POSTERS else (t, *n)
        for t in POSTERS + CARDS
        for n in NAMES
    ],
)
def test_the_organisation_is_on_every_poster_and_both_sides_of_cards(
    tmp_path: Path, cli, template: str, lang: str, name: str
) -> None:  # type: ignore[no-untyped-def]
    logo = make_logo(tmp_path / "logo.png", 1200, 400)
    org = write_org(tmp_path, name=name, logo=logo.name, colour=[0, 90, 80, 45])
    output = tmp_path / "out.pdf"
    done = cli("poster", "--template", template, "--lang", lang, "--org", str(org), "--output", str(output))
    assert done.code == 0, done.err
    assert "organisation" not in done.err  # nothing left off: every field has a place
    lead = load_language(
        Folders().materials, lang, load_source(Folders().materials / "source.yaml").figure_ids
    )
    label = lead.lead_labels["designated_safeguarding_lead"]  # the default title in gb
    for text in page_texts(output):  # posters have one page; cards carry it on both sides
        page = squeezed(text)
        # extractors join text at one height into one line: a name beside a column of other text comes
        # out one line at a time, so each script's part is looked for on its own
        assert all(squeezed(part) in page for part in name.split(" / "))
        assert squeezed(label) in page and "MsA.Khan" in page
        assert "02079460000" in page and "safeguarding@riverside.example.org" in page
    with pikepdf.open(output) as pdf:
        images = [k for page in pdf.pages for k in page.get_images()]
        assert len(images) >= len(pdf.pages)  # the logo, on every side
        assert b"0 .9 .8 .45 k" in pdf.pages[0].obj.Contents.read_bytes()  # the brand colour


@pytest.mark.parametrize("template", POSTERS + CARDS)
def test_without_an_organisation_there_is_no_empty_card(tmp_path: Path, cli, template: str) -> None:  # type: ignore[no-untyped-def]
    output = tmp_path / "out.pdf"
    assert cli("poster", "--template", template, "--output", str(output)).code == 0
    with pikepdf.open(output) as pdf:
        # the header band is navy, and nothing paper-coloured (a card's plate) is drawn in it
        content = b"".join(page.obj.Contents.read_bytes() for page in pdf.pages)
    assert b"1 .78 .25 .38 k" in content
    assert "Safeguarding" not in "".join(page_texts(output))


def test_the_lead_takes_the_organisations_own_title_or_the_regions(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    output = tmp_path / "out.pdf"
    org = write_org(tmp_path)
    assert cli("poster", "--region", "us", "--org", str(org), "--output", str(output)).code == 0
    assert "Principal: Ms A. Khan" in page_texts(output)[0]  # the US default
    for label, lang, expected in [
        ("principal", "fr", "Direction de l'établissement : Ms A. Khan"),
        ("Child protection focal person", "en", "Child protection focal person: Ms A. Khan"),
        ("Head of pastoral care", "de", "Head of pastoral care: Ms A. Khan"),  # own words, as written
        ({"en": "Head of pastoral care", "pl": "Kierownik opieki"}, "pl", "Kierownik opieki: Ms A. Khan"),
    ]:
        org = write_org(tmp_path, lead_label=label)
        done = cli("poster", "--lang", lang, "--org", str(org), "--output", str(output))
        assert done.code == 0, done.err
        assert squeezed(expected) in squeezed(page_texts(output)[0])
    # translated, but not into this language: the first text, and a note that says so
    org = write_org(tmp_path, lead_label={"en": "Head of pastoral care", "pl": "Kierownik opieki"})
    done = cli("poster", "--lang", "es", "--org", str(org), "--output", str(output))
    assert done.code == 0 and "Head of pastoral care: Ms A. Khan" in page_texts(output)[0]
    assert "note:" in done.err and "organisation.lead_label" in done.err and "Spanish" in done.err
    org = write_org(tmp_path, lead_label="principle")
    done = cli("poster", "--org", str(org), "--output", str(output))
    assert done.code == 1 and "did you mean 'principal'" in done.err


def test_every_language_translates_every_lead_title() -> None:
    folders = Folders()
    figures = load_source(folders.materials / "source.yaml").figure_ids
    english = load_language(folders.materials, "en", figures)
    assert all(english.lead_labels[i] == i.replace("_", " ").capitalize() for i in LEAD_LABELS)
    for code in language_codes(folders.materials)[1:]:
        materials = load_language(folders.materials, code, figures)
        assert not [k for k in materials.missing if k.startswith("lead_labels.")], code
        assert (
            "{label}" in materials.labels.organisation_lead and "{name}" in materials.labels.organisation_lead
        )


def test_every_region_names_a_lead_title_it_has() -> None:
    folders = Folders()
    titles = {p.stem: load_region(p).lead_label for p in sorted(folders.regions.glob("*.yaml"))}
    assert titles["gb"] == "designated_safeguarding_lead" and titles["us"] == "principal"
    assert titles["ph"] == "child_protection_focal_person" and titles["int"] == "safeguarding_lead"


OWN_CONTACTS = [
    {
        "caption": {"en": "Riverside Council children's services", "ar": "خدمات الأطفال في مجلس ريفرسايد"},
        "phone": "020 7946 0999",
        "hours": "Mon-Fri 9-17",
        "source": "https://riverside.example.org/childrens-services",
        "verified": "2026-11-28",
    },
    {
        "caption": "Riverside safeguarding line",
        "email": "dsl@riverside.example.org",
        "source": "organisation",
        "verified": "2026-10",
    },
]


def test_own_contacts_come_after_the_emergency_number_and_before_the_regions(tmp_path: Path) -> None:
    folders = Folders()
    source = load_source(folders.materials / "source.yaml")
    region = load_region(folders.regions / "gb.yaml")
    organisation = load_organisation(write_org(tmp_path, contacts=OWN_CONTACTS))
    for lang, caption in (
        ("en", "Riverside Council children's services"),
        ("ar", "خدمات الأطفال في مجلس ريفرسايد"),
    ):
        materials = load_language(folders.materials, lang, source.figure_ids)
        content, found = build_content(source, materials, region, "parents", TODAY, organisation)
        names = [c.name for c in content.contacts]
        assert content.contacts[0].emergency and names[1:3] == [caption, "Riverside safeguarding line"]
        assert names[3] == "Internet Watch Foundation"
        assert content.contacts[2].email == "dsl@riverside.example.org"
        # the newest verification is the PDF's date, the organisation's counted too
        assert content.date == max(region.newest.date, dt.date(2026, 11, 28))
    # a caption with no text in this language: the first one, with a note
    materials = load_language(folders.materials, "pl", source.figure_ids)
    content, found = build_content(source, materials, region, "parents", TODAY, organisation)
    assert content.contacts[1].name == "Riverside Council children's services"
    assert [d.key for d in found if d.code == "organisation-untranslated"] == [
        "organisation.contacts[0].caption"
    ]
    # an old one is a warning naming the org file, like a region's
    stale = load_organisation(write_org(tmp_path, contacts=[{**OWN_CONTACTS[1], "verified": "2024-01"}]))
    _, found = build_content(source, materials, region, "parents", TODAY, stale)
    (warning,) = [d for d in found if d.code == "contact-stale"]  # past 24 months: refused unless allowed
    assert warning.severity is Severity.ERROR and warning.file == tmp_path / "org.yaml"
    assert warning.key == "organisation.contacts[0].verified"
    assert "last verified 2024-01," in warning.message  # as precise as written: no invented day


def test_own_contacts_are_printed_and_what_has_no_room_is_named(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    output = tmp_path / "out.pdf"
    org = write_org(tmp_path, contacts=OWN_CONTACTS)
    done = cli("poster", "--template", "card-a6", "--org", str(org), "--output", str(output))
    assert done.code == 0, done.err
    back = squeezed(page_texts(output)[1])
    assert "RiversideCouncilchildren'sservices" in back and "02079460999" in back
    assert "dsl@riverside.example.org" in back
    assert "left off:" in done.err and "NSPCC Helpline" in done.err  # the budget is the template's


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"contacts": [{**OWN_CONTACTS[1], "source": "my head"}]},
            "neither a web address nor 'organisation'",
        ),
        ({"contacts": [{**OWN_CONTACTS[1], "verified": "2099-01"}]}, "in the future"),
        (
            {"contacts": [{"caption": "X", "source": "organisation", "verified": "2026-11"}]},
            "needs a 'phone'",
        ),
        ({"contacts": [{**OWN_CONTACTS[1], "email": "not an address"}]}, "not an e-mail address"),
        ({"contacts": [dict(OWN_CONTACTS[1]) for _ in range(5)]}, "at most 4"),
        ({"lead_label": {"english": "X"}}, "not a language code"),
    ],
)
def test_bad_organisation_fields_get_one_clear_line(tmp_path: Path, cli, fields: dict, expected: str) -> None:  # type: ignore[no-untyped-def,type-arg]
    org = write_org(tmp_path, **fields)
    done = cli("poster", "--org", str(org), "--output", str(tmp_path / "x.pdf"))
    assert done.code == 1, done.err
    assert expected in done.err and "org.yaml" in done.err and len(done.err.strip().splitlines()) == 1


def test_what_a_template_cannot_show_is_a_note_naming_the_field(
    tmp_path: Path, cli, data: Path, plant
) -> None:  # type: ignore[no-untyped-def]
    four = ["020 7946 0000", "020 7946 0001", "safeguarding@riverside.example.org", "Room 12"]
    org = write_org(tmp_path, contact=four, logo=make_logo(tmp_path / "logo.png", 1200, 400).name)
    done = cli("poster", "--org", str(org), "--output", str(tmp_path / "a.pdf"))
    assert done.code == 0
    assert "note:" in done.err and "organisation.contact" in done.err and "'Room 12'" in done.err
    # a design with no organisation block and no brand colour: name, logo and colour each get a note
    plant(data / "templates" / "poster-a3.yaml", "brand_colour: navy ", "# brand_colour: navy ")
    plant(
        data / "templates" / "poster-a3.yaml",
        "    kind: organisation\n",
        "    kind: organisation\n    audience: professionals\n",
    )
    org = write_org(tmp_path, logo="logo.png", colour=[0, 90, 80, 45])
    done = cli("--data", str(data), "poster", "--org", str(org), "--output", str(tmp_path / "b.pdf"))
    assert done.code == 0, done.err
    for field in ("organisation.name", "organisation.logo", "organisation.colour"):
        assert field in done.err


def test_a_name_that_does_not_fit_is_an_error_not_clipped(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    org = write_org(tmp_path, name="Riverside Community Primary School, Nursery and Children's Centre " * 3)
    output = tmp_path / "out.pdf"
    done = cli("poster", "--template", "poster-a4", "--org", str(org), "--output", str(output))
    assert done.code == 1 and "does not fit slot 'organisation" in done.err
    assert not output.exists()


def test_check_lays_out_the_organisation_card(cli, data: Path, plant) -> None:  # type: ignore[no-untyped-def]
    plant(
        data / "templates" / "card-a6.yaml",
        "columns: 1-6, rows: 28-33, style: organisation",
        "columns: 1-6, rows: 28-29, style: organisation",
    )
    done = cli("--data", str(data), "check", "--lang", "de", "--json")
    overflow = [f for f in json.loads(done.out)["findings"] if f["code"] == "overflow"]
    assert done.code == 1 and overflow and all("'organisation." in f["message"] for f in overflow)


def test_an_organisation_from_a_parsed_row_is_the_same_as_from_a_file(tmp_path: Path) -> None:
    make_logo(tmp_path / "logo.png", 1200, 400)
    row = {
        "name": "Riverside Primary School",
        "safeguarding_lead": "Ms A. Khan",
        "lead_label": "principal",
        "contact": ["020 7946 0000"],
        "logo": "logo.png",
        "colour": ["0", "80", "70", "35"],
        "contacts": OWN_CONTACTS,
    }
    from_file = load_organisation(write_org(tmp_path, **{k: v for k, v in row.items() if k != "name"}))
    from_row = organisation_from_mapping(plain_node(row, tmp_path / "schools.csv", 7), tmp_path)
    assert from_row.name == from_file.name and from_row.logo == from_file.logo

    def written(organisation: Organisation) -> list[tuple[object, ...]]:
        return [
            (c.caption.texts, c.phone, c.email, c.hours and c.hours.texts, c.source, c.verified)
            for c in organisation.contacts
        ]

    assert written(from_row) == written(from_file)
    assert (from_row.lead_label, from_row.colour, from_row.contact_lines) == (
        from_file.lead_label,
        from_file.colour,
        from_file.contact_lines,
    )
    with pytest.raises(AwareprintError) as refused:
        organisation_from_mapping(
            plain_node({**row, "logo": "gone.png"}, tmp_path / "schools.csv", 7), tmp_path
        )
    line = refused.value.diagnostic.one_line()
    assert "schools.csv" in line and "7" in line and "logo" in line


@pytest.mark.parametrize(
    ("written", "meant"), [("lead", "safeguarding_lead"), ("color", "colour"), ("label", "lead_label")]
)
def test_a_key_in_other_words_gets_the_key_it_meant(tmp_path: Path, written: str, meant: str) -> None:
    with pytest.raises(AwareprintError) as refused:
        load_organisation(write_org(tmp_path, **{written: "x"}))
    assert f"did you mean '{meant}'?" in refused.value.diagnostic.one_line()
