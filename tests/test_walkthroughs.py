"""The walkthroughs in docs/walkthroughs/ run as written, in an empty temporary folder: every file they say
to save, every line they say to add and every `awareprint` command, then a look at what was printed.

A page says "Save as `PATH`:" or "Add to the end of `PATH`:" before a ```yaml block; ```sh blocks hold the
commands. So the docs cannot drift from what the tool does.
"""

from __future__ import annotations

import datetime as dt
import re
import shlex
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from stand_in_font import make_font

from awareprint.resources import DATA

DOCS = Path(__file__).resolve().parent.parent / "docs" / "walkthroughs"
_BLOCK = re.compile(r"(?:(Save as|Add to the end of) `([^`]+)`:\s*\n)?```(\w*)\n(.*?)```", re.S)


def run_walkthrough(name: str, cli, folder: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:  # type: ignore[no-untyped-def]
    """Every step of docs/walkthroughs/NAME in `folder`; returns what the commands printed on stderr."""
    monkeypatch.chdir(folder)
    printed = []
    for action, path, language, body in _BLOCK.findall((DOCS / name).read_text(encoding="utf-8")):
        if action:
            target = folder / path
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("a" if action.startswith("Add") else "w", encoding="utf-8") as stream:
                stream.write(body)
        elif language == "sh":
            for line in body.splitlines():
                if line.strip():
                    command = shlex.split(line)
                    if command[0] == "mkdir":
                        (folder / command[1]).mkdir()
                        continue
                    assert command[0] == "awareprint", line
                    done = cli(*command[1:])
                    assert done.code == 0, f"{line}\n{done.err}"
                    printed.append(done.err)
    return printed


def page_text(path: Path) -> str:
    return "\n".join(page.get_textpage().get_text_range() for page in pdfium.PdfDocument(path))


def test_add_tigrinya_with_a_font(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    # no Ethiopic font may be downloaded: a stand-in with the name the page uses, and an OFL beside it
    make_font(tmp_path / "downloads", "Noto Sans Ethiopic")
    printed = run_walkthrough("add-a-language.md", cli, tmp_path, monkeypatch)
    text = page_text(tmp_path / "out" / "poster-ti.pdf")
    assert "ሓለዋ ቆልዑ ኣብ ኢንተርነት" in text  # the translated kicker, in the added font
    assert "Live streaming can put" in text  # the rest still in English
    manifest = (tmp_path / "my-data" / "fonts" / "manifest.yaml").read_text(encoding="utf-8")
    assert "family: Noto Sans Ethiopic" in manifest and "- Ethi" in manifest
    assert "materials/ti.yaml, fonts/noto-sans-ethiopic/" in printed[-2]  # the poster says what it used
    assert not (DATA / "materials" / "ti.yaml").exists()  # nothing written into the tool


def test_without_the_font_tigrinya_stops_with_one_line_naming_the_font(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    data.mkdir()
    assert cli("--data", str(data), "strings", "init", "ti").code == 0
    with (data / "materials" / "ti.yaml").open("a", encoding="utf-8") as stream:
        stream.write("labels:\n  kicker: ሓለዋ ቆልዑ ኣብ ኢንተርነት\n")
    done = cli("--data", str(data), "poster", "--lang", "ti", "--output", str(tmp_path / "ti.pdf"))
    errors = [line for line in done.err.splitlines() if line.startswith("error")]
    assert done.code == 1 and errors == [
        "error: Tigrinya needs an Ethiopic font, for example Noto Sans Ethiopic; see `fonts add`. "
        "(fix: add a font to your data folder (awareprint --data DIR fonts add FONT.ttf), or change the text)"
    ]
    check = cli("--data", str(data), "check", "--lang", "ti")
    assert check.err.count("needs an Ethiopic font") + check.out.count("needs an Ethiopic font") == 1


def test_add_an_a3_landscape_poster(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    run_walkthrough("add-a-template.md", cli, tmp_path, monkeypatch)
    document = pdfium.PdfDocument(tmp_path / "out" / "poster-a3-landscape.pdf")
    left, bottom, right, top = document[0].get_trimbox()
    assert (round((right - left) / 72 * 25.4), round((top - bottom) / 72 * 25.4)) == (420, 297)
    assert "What you can do" in page_text(tmp_path / "out" / "poster-a3-landscape.pdf")
    assert "poster-a3-landscape" in cli("--data", "my-data", "templates").out


def test_add_a_councils_own_contact(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    page = (DOCS / "add-a-local-contact.md").read_text(encoding="utf-8")
    # the page shows a month that was recent when it was written; checked today, it must stay recent
    this_month = dt.date.today().strftime("%Y-%m")
    (tmp_path / "page.md").write_text(page.replace("verified: 2026-11", f"verified: {this_month}"))
    monkeypatch.setattr("test_walkthroughs.DOCS", tmp_path)
    run_walkthrough("page.md", cli, tmp_path, monkeypatch)
    text = page_text(tmp_path / "out" / "poster-council.pdf")
    assert "Riverside Council children's services" in text and "020 7946 0999" in text
    assert "999" in text  # the emergency number still comes first
