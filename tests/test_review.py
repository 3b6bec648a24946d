"""The review workflow: the bilingual page, approvals per string, the computed status, and the gate."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from awareprint.load.materials import load_language

FIGURES = ("girls", "alone_at_home", "category_a", "category_a_or_b", "harvested", "dedicated_forums",
           "mobile_only_apps", "cases")  # fmt: skip
KICKER_EN = "  kicker: Keeping children safe online\n"


class _Page(HTMLParser):
    """Rows by key: each cell's text and attributes; and every tag the page has."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, list[tuple[dict[str, str | None], str]]] = {}
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._row: str | None = None
        self._cell: tuple[dict[str, str | None], list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append((tag, found))
        if tag == "tr" and found.get("id"):
            self._row = found["id"]
            self.rows[self._row] = []
        elif tag in ("td", "th") and self._row:
            self._cell = (found, [])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._row and self._cell:
            self.rows[self._row].append((self._cell[0], "".join(self._cell[1])))
            self._cell = None
        elif tag == "tr":
            self._row = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell:
            self._cell[1].append(data)


def _review_page(cli, data: Path, tmp_path: Path, language: str) -> _Page:  # type: ignore[no-untyped-def]
    target = tmp_path / f"review-{language}.html"
    done = cli("--data", str(data), "strings", "review", "--lang", language, "--output", str(target))
    assert done.code == 0, done.err
    raw = target.read_bytes().decode("utf-8")  # UTF-8, or this fails
    assert raw.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in raw
    page = _Page()
    page.feed(raw)
    return page


def _approve(cli, data: Path, language: str, *keys: str, reviewer: str = "Marie Dupont") -> str:  # type: ignore[no-untyped-def]
    done = cli("--data", str(data), "strings", "approve", "--lang", language, "--reviewer", reviewer,
               "--date", "2026-12-01", *keys)  # fmt: skip
    assert done.code == 0, done.err
    return done.out


def _status(cli, data: Path, language: str) -> str:  # type: ignore[no-untyped-def]
    done = cli("--data", str(data), "languages")
    assert done.code == 0, done.err
    return next(line for line in done.out.splitlines() if line.startswith(f"{language} "))


@pytest.mark.parametrize(("language", "direction"), [("fr", "ltr"), ("ar", "rtl")])
def test_the_review_page_has_every_string_in_english_and_translated(
    cli, data: Path, tmp_path: Path, language: str, direction: str
) -> None:  # type: ignore[no-untyped-def]
    english = load_language(data / "materials", "en", FIGURES)
    translation = load_language(data / "materials", language, FIGURES)
    page = _review_page(cli, data, tmp_path, language)
    assert list(page.rows) == list(english.strings)  # every key, in the file's order
    for key, cells in page.rows.items():
        header, english_cell, translated_cell, state = cells
        assert header[1].startswith(key) and ("characters" in header[1] or "not printed" in header[1])
        assert english_cell[1] == english.strings[key] and english_cell[0]["lang"] == "en"
        assert translated_cell[1] == translation.strings[key]
        assert translated_cell[0]["lang"] == language and translated_cell[0]["dir"] == direction
        assert state[1] == "not reviewed"
    tips = page.rows["audiences.parents.tips[0]"][0][1]
    assert "Printed in 'tips' on" in tips and "tightest:" in tips
    assert "The PDF's description (not printed)." in page.rows["audiences.parents.description"][0][1]
    text = "".join(page.text)
    assert "Status: draft" in text and f"{len(english.strings)} not reviewed" in text
    assert f"strings approve --lang {language}" in text
    # self-contained: no scripts, no outside resources
    assert not [tag for tag, _ in page.tags if tag in ("script", "link", "img", "iframe")]
    assert not [a for _, attrs in page.tags for a in attrs.values() if a and re.match(r"\w+://", a)]


def test_approving_strings_computes_the_status(cli, data: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    total = len(load_language(data / "materials", "fr", FIGURES).strings)
    assert _status(cli, data, "fr").endswith(", draft")
    out = _approve(cli, data, "fr", "labels.kicker", "labels.source")
    assert f"now partly reviewed (2 of {total} strings)" in out
    assert _status(cli, data, "fr").endswith(f"partly reviewed (2 of {total} strings)")
    text = (data / "materials" / "fr.yaml").read_text(encoding="utf-8")
    assert "  labels.kicker: {reviewer: Marie Dupont, date: 2026-12-01, english: " in text
    assert "\n  status:" not in text  # computed now, no longer written
    done = cli("--data", str(data), "poster", "--lang", "fr", "--template", "card-a6",
               "--output", str(tmp_path / "fr.pdf"))  # fmt: skip
    assert done.code == 0
    assert f"French translation: partly reviewed (2 of {total} strings)" in done.err
    page = _review_page(cli, data, tmp_path, "fr")
    assert page.rows["labels.kicker"][3][1] == "reviewed by Marie Dupont on 2026-12-01"
    assert page.rows["labels.kicker"][3][0] == {"class": "state"}
    _approve(cli, data, "fr")  # no keys: every string
    assert _status(cli, data, "fr").endswith(", reviewed")
    done = cli("--data", str(data), "poster", "--lang", "fr", "--template", "card-a6",
               "--output", str(tmp_path / "fr.pdf"))  # fmt: skip
    assert done.code == 0 and "translation" not in done.err


@pytest.mark.parametrize(
    ("file", "old", "new", "changed"),
    [
        ("en.yaml", KICKER_EN, "  kicker: Keeping children safe on the internet\n", "the English"),
        ("fr.yaml", "  kicker: Protéger les enfants en ligne\n", "  kicker: Protéger les enfants\n",
         "the translation"),
    ],
)  # fmt: skip
def test_a_review_goes_stale_when_either_text_changes(
    cli, data: Path, tmp_path: Path, plant, file: str, old: str, new: str, changed: str
) -> None:  # type: ignore[no-untyped-def]
    _approve(cli, data, "fr")
    total = len(load_language(data / "materials", "fr", FIGURES).strings)
    plant(data / "materials" / file, old, new)
    assert _status(cli, data, "fr").endswith(f"partly reviewed ({total - 1} of {total} strings); "
                                             "1 reviews out of date")  # fmt: skip
    state = _review_page(cli, data, tmp_path, "fr").rows["labels.kicker"][3][1]
    assert state.startswith(f"{changed} changed since the review by Marie Dupont on 2026-12-01")
    done = cli("--data", str(data), "check", "--lang", "fr", "--no-fit", "--json")
    draft = [f for f in json.loads(done.out)["findings"] if f["code"] == "translation-draft"]
    assert len(draft) == 1 and "1 reviews no longer match their text" in draft[0]["message"]
    _approve(cli, data, "fr", "labels.kicker", reviewer="Luc Martin")  # the new text, approved again
    assert _status(cli, data, "fr").endswith(", reviewed")


def test_require_reviewed_refuses_an_unreviewed_poster(cli, data: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "de.pdf"
    args = ("--data", str(data), "poster", "--lang", "de", "--template", "card-a6", "--output", str(target))
    done = cli(*args, "--require-reviewed")
    assert done.code == 1 and not target.exists()
    assert done.err.count("\n") == 1 and "Traceback" not in done.err
    assert (
        "de.yaml" in done.err
        and "--require-reviewed: the German translation is a draft, not reviewed" in done.err
    )
    _approve(cli, data, "de", "labels.kicker")
    done = cli(*args, "--require-reviewed")
    assert done.code == 1 and "is partly reviewed (1 of" in done.err and not target.exists()
    _approve(cli, data, "de")
    assert cli(*args, "--require-reviewed").code == 0 and target.exists()
    # English is the source: never refused
    english = tmp_path / "en.pdf"
    done = cli("--data", str(data), "poster", "--template", "card-a6", "--output", str(english),
               "--require-reviewed")  # fmt: skip
    assert done.code == 0 and english.exists()


def test_require_reviewed_fails_only_those_batch_items(cli, data: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _approve(cli, data, "fr")
    folder = tmp_path / "campaign"
    done = cli("--data", str(data), "batch", "--lang", "en,fr,de", "--template", "card-a6", "--audience",
               "parents", "--no-preflight", "--jobs", "0", "--require-reviewed",
               "--output", str(folder))  # fmt: skip
    assert done.code == 1
    assert "2 made, 0 up to date, 1 failed" in done.out
    assert "failed: card-a6-de-gb-parents.pdf: error: " in done.err
    assert "--require-reviewed: the German translation is a draft, not reviewed" in done.err
    records = {r["output"]: r for r in json.loads((folder / "manifest.json").read_text())["items"]}
    assert records["card-a6-de-gb-parents.pdf"]["status"] == "failed"
    assert not (folder / "card-a6-de-gb-parents.pdf").exists()
    assert (folder / "card-a6-fr-gb-parents.pdf").exists() and (folder / "card-a6-en-gb-parents.pdf").exists()


@pytest.mark.parametrize(
    ("new", "key", "expected"),
    [
        ("  labels.kicker: {reviewer: A, date: 2026-12-01, english: nothex, translation: 0123456789}\n",
         "reviews.labels.kicker.english", "'nothex' is not a fingerprint"),
        ("  labels.kiker: {reviewer: A, date: 2026-12-01, english: 0123456789, translation: 0123456789}\n",
         "reviews.labels.kiker", "did you mean 'labels.kicker'?"),
        ("  labels.kicker: {reviewer: A, english: 0123456789, translation: 0123456789}\n",
         "reviews.labels.kicker", "missing key 'date'"),
        ("  labels.kicker: {reviewer: A, date: 2026-12, english: 0123456789, translation: 0123456789}\n",
         "reviews.labels.kicker.date", "'2026-12' is not a day"),
        ("  labels.kicker: {reviewer: A, date: 2026-12-01, english: 0123456789, translation: 0123456789, "
         "note: ok}\n", "reviews.labels.kicker.note", "unknown key 'note'"),
        ("  labels.kicker: approved\n", "reviews.labels.kicker", "expected a mapping"),
    ],
)  # fmt: skip
def test_a_malformed_reviews_block_is_rejected_with_file_line_and_key(
    cli, data: Path, new: str, key: str, expected: str
) -> None:  # type: ignore[no-untyped-def]
    path = data / "materials" / "fr.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "\nreviews:\n" + new, encoding="utf-8")
    line = text.count("\n") + 3  # after a blank line and `reviews:`
    done = cli("--data", str(data), "languages")
    assert done.code == 1 and "Traceback" not in done.err
    assert f"fr.yaml:{line}: key '{key}': " in done.err and expected in done.err


def test_english_has_no_reviews(cli, data: Path) -> None:  # type: ignore[no-untyped-def]
    path = data / "materials" / "en.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\nreviews: {}\n", encoding="utf-8")
    done = cli("--data", str(data), "languages")
    assert done.code == 1 and "en.yaml is the source" in done.err


def test_a_whole_file_review_from_before_is_kept(cli, data: Path, plant) -> None:  # type: ignore[no-untyped-def]
    old_review = "  status: reviewed\n  reviewer: Anna Nowak\n  reviewed: 2026-10-02\n"
    plant(data / "materials" / "pl.yaml", "  numbers: latn\n", "  numbers: latn\n" + old_review)
    assert _status(cli, data, "pl").endswith(", reviewed")
    _approve(cli, data, "pl", "labels.kicker", reviewer="Jan Kowalski")  # rewrites the file: per string now
    text = (data / "materials" / "pl.yaml").read_text(encoding="utf-8")
    assert "\n  status:" not in text and "  reviewed: 2026-10-02" not in text
    assert "  labels.kicker: {reviewer: Jan Kowalski, date: 2026-12-01" in text
    assert "  labels.source: {reviewer: Anna Nowak, date: 2026-10-02" in text
    assert _status(cli, data, "pl").endswith(", reviewed")


def test_approve_refuses_bad_input_and_writes_nothing(cli, data: Path) -> None:  # type: ignore[no-untyped-def]
    path = data / "materials" / "fr.yaml"
    before = path.read_bytes()
    for args, expected in [
        (("--reviewer", "A", "labels.kiker"), "unknown string key 'labels.kiker'"),
        (("--reviewer", " "), "the reviewer must be a name"),
        (("--reviewer", "A", "--date", "2026-13-01"), "is not a date"),
        (("--reviewer", "A", "--date", "2999-01-01"), "is in the future"),
    ]:
        done = cli("--data", str(data), "strings", "approve", "--lang", "fr", *args)
        assert done.code == 1 and expected in done.err and "Traceback" not in done.err, done.err
    assert path.read_bytes() == before


def test_xliff_marks_drafts_unapproved_and_carries_reviews_back(cli, data: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _approve(cli, data, "de", "labels.kicker")
    exported = tmp_path / "de.xliff"
    assert cli("--data", str(data), "strings", "export", "--lang", "de", "--format", "xliff",
               "--output", str(exported)).code == 0  # fmt: skip
    text = exported.read_text(encoding="utf-8")
    assert re.search(
        r'id="labels.kicker" approved="yes">\s*<source>[^<]*</source>\s*<target state="signed-off"', text
    )
    assert re.search(
        r'id="labels.source" approved="no">\s*<source>[^<]*</source>\s*<target state="translated"', text
    )
    # the reviewer signs off one more unit in their tool
    text = re.sub(r'(id="labels.source" approved=)"no"', r'\1"yes"', text)
    exported.write_text(text, encoding="utf-8")
    done = cli("--data", str(data), "strings", "import", str(exported), "--lang", "de")
    assert done.code == 0 and 'note: 1 unit marked reviewed in the file; give --reviewer "Name"' in done.err
    total = len(load_language(data / "materials", "de", FIGURES).strings)
    assert _status(cli, data, "de").endswith(f"partly reviewed (1 of {total} strings)")
    done = cli("--data", str(data), "strings", "import", str(exported), "--lang", "de", "--reviewer",
               "Hans Weber", "--date", "2026-12-02")  # fmt: skip
    assert done.code == 0 and "recorded 1 review by Hans Weber" in done.out
    materials = load_language(data / "materials", "de", FIGURES)
    assert materials.reviewed == ("labels.kicker", "labels.source")
    assert materials.reviews["labels.kicker"].reviewer == "Marie Dupont"  # kept, not taken over
    # changed text in an import loses its review, with a warning
    text = exported.read_text(encoding="utf-8").replace("Kinder online schützen", "Kinder im Netz schützen")
    exported.write_text(text, encoding="utf-8")
    done = cli("--data", str(data), "strings", "import", str(exported), "--lang", "de")
    assert done.code == 0 and "warning: 1 reviewed string changed" in done.err
    assert load_language(data / "materials", "de", FIGURES).reviewed == ("labels.source",)


def test_a_po_import_names_its_reviewer(cli, data: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    exported = tmp_path / "fr.po"
    assert cli("--data", str(data), "strings", "export", "--lang", "fr", "--output", str(exported)).code == 0
    done = cli("--data", str(data), "strings", "import", str(exported), "--lang", "fr")
    assert done.code == 0 and "marked reviewed" not in done.err  # PO has no review state of its own
    assert _status(cli, data, "fr").endswith(", draft")
    done = cli("--data", str(data), "strings", "import", str(exported), "--lang", "fr",
               "--reviewer", "Marie Dupont", "--date", "2026-12-01")  # fmt: skip
    total = len(load_language(data / "materials", "fr", FIGURES).strings)
    assert done.code == 0 and f"recorded {total} reviews by Marie Dupont" in done.out
    assert _status(cli, data, "fr").endswith(", reviewed")
