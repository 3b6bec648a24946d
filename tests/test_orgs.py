"""Batch over many organisations (`batch --orgs FILE`): rows, folder names, one bad row, shards, re-runs."""

from __future__ import annotations

import json
import shutil
import unicodedata
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from awareprint.batch import known_names
from awareprint.load.folders import Folders
from awareprint.load.roster import MAX_SLUG_BYTES, load_roster, slug, unique_slugs

PROJECT = Path(__file__).resolve().parent.parent
EXAMPLES = PROJECT / "examples"
SMALL = ["--template", "card-a6", "--audience", "parents", "--jobs", "0"]

# A spreadsheet export: byte order mark, a header, a quoted cell over two lines (so rows and lines differ),
# then one good row in Arabic and three bad ones.
SCHOOLS = (
    "\ufeffname,safeguarding_lead,contact,logo,colour\r\n"
    'Riverside Primary School,Ms A. Khan,"020 7946 0101\r\nsafeguarding@riverside.example.org",'
    "logos/school-01.png,100|70|0|30\r\n"
    "Ambleside School,Mr B. Lowe,020 7946 0102,logos/missing.png,\r\n"  # line 4: no such logo
    "مدرسة النور,أ. فاطمة الحسيني,020 7946 0108,logos/school-08.png,\r\n"  # line 5: good
    "Cedar School,,020 7946 0103,,0|80|seventy|35\r\n"  # line 6: unreadable colour
    ",Ms C. Nobody,020 7946 0104,,\r\n"  # line 7: no name
)


def organisations(folder: Path) -> dict[int, dict[str, object]]:
    return {
        entry["row"]: entry for entry in json.loads((folder / "manifest.json").read_text())["organisations"]
    }


def items(folder: Path, name: str = "manifest.json") -> dict[str, dict[str, object]]:
    return {item["output"]: item for item in json.loads((folder / name).read_text())["items"]}


def text_of(path: Path) -> str:
    pdf = pdfium.PdfDocument(str(path))
    try:
        return unicodedata.normalize("NFKC", "".join(page.get_textpage().get_text_range() for page in pdf))
    finally:
        pdf.close()


@pytest.fixture
def schools(tmp_path: Path) -> Path:
    folder = tmp_path / "district"
    (folder / "logos").mkdir(parents=True)
    for number in ("01", "08"):
        shutil.copy(EXAMPLES / "logos" / f"school-{number}.png", folder / "logos" / f"school-{number}.png")
    path = folder / "schools.csv"
    path.write_bytes(SCHOOLS.encode())
    return path


def test_a_broken_row_fails_alone_with_its_line_and_field(cli, schools: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    result = cli("batch", "--orgs", str(schools), "--lang", "en", *SMALL, "--output", str(out))
    assert result.code == 1
    assert "2 made, 0 up to date, 0 failed" in result.out
    assert "3 organisations failed, nothing made for them" in result.out
    assert "(nothing made for Ambleside School)" in result.err
    assert "schools.csv:4: key 'logo': logo file not found" in result.err
    assert "schools.csv:6: key 'colour'" in result.err and "(nothing made for Cedar School)" in result.err
    assert "schools.csv:7: missing key 'name'" in result.err or "schools.csv:7: key 'name'" in result.err

    listed = organisations(out)
    assert sorted(listed) == [2, 4, 5, 6, 7]
    assert (
        listed[2]["status"] == "ok"
        and listed[2]["files"] == 1
        and listed[2]["folder"] == "riverside-primary-school"
    )
    assert listed[5]["folder"] == "مدرسة-النور" and listed[5]["status"] == "ok"
    assert [listed[row]["status"] for row in (4, 6, 7)] == ["failed"] * 3
    assert "key 'logo'" in str(listed[4]["error"]) and listed[4]["files"] == 0

    made = items(out)
    assert set(made) == {
        "riverside-primary-school/riverside-primary-school-card-a6-en-gb-parents.pdf",
        "مدرسة-النور/مدرسة-النور-card-a6-en-gb-parents.pdf",
    }
    assert {item["organisation"] for item in made.values()} == {"riverside-primary-school", "مدرسة-النور"}
    riverside = text_of(out / "riverside-primary-school/riverside-primary-school-card-a6-en-gb-parents.pdf")
    assert "Riverside Primary School" in riverside and "safeguarding@riverside.example.org" in riverside
    assert "Ms A. Khan" in riverside
    arabic = text_of(out / "مدرسة-النور/مدرسة-النور-card-a6-en-gb-parents.pdf")
    assert "مدرسة النور" in arabic or "مدرسة النور"[::-1] in arabic


def test_a_rerun_skips_and_an_edited_row_makes_only_its_files(cli, schools: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    broken = ("Ambleside", "Cedar", "Nobody")
    lines = SCHOOLS.splitlines(keepends=True)
    good = "".join(line for line in lines if not any(word in line for word in broken))
    schools.write_text(good, encoding="utf-8")
    out = tmp_path / "out"
    args = ("batch", "--orgs", str(schools), "--lang", "en,ar", *SMALL, "--output", str(out))
    assert "4 made" in cli(*args).out
    assert "0 made, 4 up to date" in cli(*args).out
    schools.write_text(good.replace("Ms A. Khan", "Mrs A. Khan-Lowe"), encoding="utf-8")
    rerun = cli(*args)
    assert rerun.code == 0 and "2 made, 2 up to date" in rerun.out
    assert "Mrs A. Khan-Lowe" in text_of(
        out / "riverside-primary-school/riverside-primary-school-card-a6-en-gb-parents.pdf"
    )


def test_shard_manifests_gather_into_the_result_of_one_run(cli, schools: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    args = ("batch", "--orgs", str(schools), "--lang", "en,fr", *SMALL, "--no-preflight")
    whole, sharded = tmp_path / "whole", tmp_path / "sharded"
    assert cli(*args, "--output", str(whole)).code == 1  # the broken rows
    for index in ("1/3", "2/3", "3/3"):
        assert cli(*args, "--output", str(sharded), "--shard", index).code == 1
    parts = [items(sharded, f"manifest.shard-{k}-of-3.json") for k in (1, 2, 3)]
    assert sum(map(len, parts)) == 4 and all(parts)
    gathered = cli(*args, "--output", str(sharded))
    assert "0 made, 4 up to date" in gathered.out

    def comparable(folder: Path) -> dict[str, object]:
        document = json.loads((folder / "manifest.json").read_text())
        for item in document["items"]:
            item.pop("seconds")
        return document

    assert comparable(sharded) == comparable(whole)  # the same files, bytes (sha256) and organisations


def test_a_yaml_list_with_rows_that_choose_their_own_lists(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    shutil.copytree(EXAMPLES / "logos", tmp_path / "logos")
    path = tmp_path / "orgs.yaml"
    path.write_text(
        "organisations:\n"
        "  - name: Lincoln Elementary School\n"
        "    contact: [(201) 555-0141]\n"
        "    languages: [es]\n"
        "    regions: us\n"
        "  - name: Oakfield Academy\n"
        "    logo: logos/school-02.png\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = cli("batch", "--orgs", str(path), "--lang", "en", *SMALL, "--output", str(out))
    assert result.code == 0, result.err
    assert sorted(items(out)) == [
        "lincoln-elementary-school/lincoln-elementary-school-card-a6-es-us-parents.pdf",
        "oakfield-academy/oakfield-academy-card-a6-en-gb-parents.pdf",
    ]


def test_a_language_asked_for_that_every_row_replaces_is_reported(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "orgs.csv"
    rows = "Oakfield Academy,020 7946 0102,en\nSt Mary's,020 7946 0103,en|pl\n"
    path.write_text(f"name,contact,languages\n{rows}", encoding="utf-8")
    out = tmp_path / "out"
    result = cli("batch", "--orgs", str(path), "--lang", "en,ar", *SMALL, "--output", str(out))
    assert result.code == 0, result.err
    assert not any("-ar-" in name for name in items(out))
    assert "note: languages asked for but made for no organisation: ar " in result.out + result.err
    # a row with an empty languages cell takes the batch's list, and ar is made
    path.write_text("name,contact,languages\nOakfield Academy,020 7946 0102,\n", encoding="utf-8")
    result = cli("batch", "--orgs", str(path), "--lang", "en,ar", *SMALL, "--output", str(out))
    assert "asked for but made" not in result.out + result.err


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("nmae,contact", "unknown column 'nmae' (fix: did you mean 'name'?)"),
        ("name;langauges", "unknown column 'langauges' (fix: did you mean 'languages'?)"),
        ("contact,logo", "no 'name' column"),
        ("name,name", "column 'name' appears twice"),
    ],
)
def test_a_bad_header_is_one_line_naming_the_column(cli, tmp_path: Path, header: str, message: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "orgs.csv"
    path.write_text(f"{header}\nRiverside,x\n", encoding="utf-8")
    result = cli("batch", "--orgs", str(path), "--output", str(tmp_path / "out"))
    assert result.code == 1 and f"orgs.csv:1: {message}" in result.err
    assert "Traceback" not in result.err


def test_semicolons_and_unknown_names_in_a_row(tmp_path: Path) -> None:
    path = tmp_path / "orgs.csv"
    path.write_text("name;languages;contact\nA;en, ar;1\nB;xx;2\nC;;3|4\n", encoding="utf-8")
    roster = load_roster(path, known_names(Folders()))
    assert [row.error is None for row in roster.rows] == [True, False, True]
    assert roster.rows[0].choices == {"languages": ("en", "ar")}
    assert "orgs.csv:3: key 'languages': unknown language 'xx'" in str(roster.rows[1].error)
    assert roster.rows[2].organisation is not None and roster.rows[2].organisation.contact_lines == ("3", "4")


def test_folder_names_are_readable_safe_and_unique() -> None:
    assert slug("Riverside Primary School") == "riverside-primary-school"
    assert slug("St Mary’s C.E. / Junior") == "st-marys-c-e-junior"
    assert slug("\u202bمدرسة النور\u202c") == "مدرسة-النور"  # bidi controls dropped, Arabic kept
    assert slug("सरस्वती विद्या निकेतन") == "सरस्वती-विद्या-निकेतन"  # vowel signs kept
    assert slug("../../etc/passwd") == "etc-passwd"
    assert slug("🏫") == "organisation" and slug("CON") == "con-org"
    assert unique_slugs(["Oak School", "OAK school", "oak-school"]) == [
        "oak-school",
        "oak-school-2",
        "oak-school-3",
    ]
    long = slug("আলোর পথ প্রাথমিক বিদ্যালয় এবং উচ্চ মাধ্যমিক বিদ্যালয় কেন্দ্রীয় শাখা")
    assert len(long.encode()) <= MAX_SLUG_BYTES and not long.endswith("-")
    assert unicodedata.category(long[-1])[0] != "M" or long.endswith("য়")  # ends at a word's end
    assert len(slug("明德" * 100).encode()) <= MAX_SLUG_BYTES


def test_the_shipped_schools_load_in_many_scripts() -> None:
    roster = load_roster(EXAMPLES / "schools.csv", known_names(Folders()))
    assert len(roster.rows) >= 40 and not roster.failed
    assert all(
        row.organisation and row.organisation.logo and row.organisation.logo.is_file() for row in roster.rows
    )
    scripts = {unicodedata.name(row.name[0]).split()[0] for row in roster.rows}
    assert {"LATIN", "ARABIC", "DEVANAGARI", "BENGALI", "CJK", "CYRILLIC", "HEBREW", "THAI"} <= scripts
    assert len({row.slug.casefold() for row in roster.rows}) == len(roster.rows)
    assert all(
        line.startswith(("020 7946 0", "(201) 555-01", "(514) 555-01")) or line.endswith("example.org")
        for row in roster.rows
        for line in row.organisation.contact_lines  # type: ignore[union-attr]
    )
