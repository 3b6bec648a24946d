"""Loaders remembered by what they read: reused while every file read holds the same bytes and every file
looked for is still missing; an edit, a new overlay file or a fixed mistake is seen on the next call."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from awareprint.diagnostics import AwareprintError
from awareprint.load.content import load_source
from awareprint.load.folders import Folders, Shelf
from awareprint.load.materials import load_language
from awareprint.load.regions import load_region
from awareprint.load.templates import extends_chain, load_template
from awareprint.resources import DATA


def test_a_region_is_built_once_while_its_file_is_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "gb.yaml"
    shutil.copy(DATA / "regions" / "gb.yaml", path)
    first = load_region(path)
    assert load_region(path) is first
    text = path.read_text(encoding="utf-8")
    assert "United Kingdom" in text
    path.write_text(text.replace("United Kingdom", "United Kingdoms"), encoding="utf-8")
    edited = load_region(path)
    assert edited is not first and edited.name != first.name


def test_an_edit_of_the_same_length_is_seen(tmp_path: Path) -> None:
    """The key is the bytes, not the size or the time: a same-size edit in the same instant still counts."""
    path = tmp_path / "source.yaml"
    shutil.copy(DATA / "materials" / "source.yaml", path)
    first = load_source(path)
    text = path.read_text(encoding="utf-8")
    stat = path.stat()
    swapped = text.replace("Internet Watch Foundation", "Internet Watch Foundatiom", 1)
    assert swapped != text and len(swapped) == len(text)
    path.write_text(swapped, encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert load_source(path) != first


def test_a_mistake_is_never_remembered(tmp_path: Path) -> None:
    path = tmp_path / "gb.yaml"
    good = (DATA / "regions" / "gb.yaml").read_text(encoding="utf-8")
    path.write_text(good.replace("region:", "regio:", 1), encoding="utf-8")
    for _ in range(2):
        with pytest.raises(AwareprintError, match="unknown key 'regio'"):
            load_region(path)
    path.write_text(good, encoding="utf-8")
    assert load_region(path).code == "gb"


def test_an_overlay_file_put_there_later_is_used(tmp_path: Path) -> None:
    """A language first read from the built-in folder is read from the overlay once a copy appears there;
    and an edit of the English a translation falls back on reaches the translation too."""
    (tmp_path / "materials").mkdir()
    shelf = Folders.at(tmp_path).materials
    assert isinstance(shelf, Shelf)
    figures = load_source(DATA / "materials" / "source.yaml").figure_ids
    built_in = load_language(shelf, "fr", figures)
    assert load_language(shelf, "fr", figures) is built_in
    assert built_in.file == DATA / "materials" / "fr.yaml"
    shutil.copy(DATA / "materials" / "fr.yaml", tmp_path / "materials" / "fr.yaml")
    overlaid = load_language(shelf, "fr", figures)
    assert overlaid.file == tmp_path / "materials" / "fr.yaml"
    english = (DATA / "materials" / "en.yaml").read_text(encoding="utf-8")
    (tmp_path / "materials" / "en.yaml").write_text(english, encoding="utf-8")
    assert load_language(shelf, "fr", figures) is not overlaid  # read through the new English


def test_a_base_template_put_beside_later_is_the_base(tmp_path: Path) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_text("extends: poster-a3\ntemplate:\n  name: mine\n", encoding="utf-8")
    assert extends_chain(mine) == (mine, DATA / "templates" / "poster-a3.yaml")
    built_in = load_template(mine)
    assert load_template(mine) is built_in
    beside = tmp_path / "poster-a3.yaml"
    base = (DATA / "templates" / "poster-a3.yaml").read_text(encoding="utf-8")
    beside.write_text(base.replace("A3 poster", "A3 poster beside"), encoding="utf-8")
    assert extends_chain(mine) == (mine, beside)
    assert load_template(mine).description != built_in.description


def test_a_fallback_for_a_missing_file_ends_when_the_file_appears(tmp_path: Path) -> None:
    """A remembered loader that falls back on another's mistake (here: a file not there yet) read what that
    one read, so the file appearing, or being fixed, is seen on the next call."""
    from awareprint.load.remembered import remembered

    path = tmp_path / "gb.yaml"

    @remembered(maxsize=4)
    def region_name(region: Path) -> str | None:
        try:
            return load_region(region).name
        except AwareprintError:
            return None

    assert region_name(path) is None
    assert region_name(path) is None
    path.write_text("region: [\n", encoding="utf-8")
    assert region_name(path) is None
    shutil.copy(DATA / "regions" / "gb.yaml", path)
    assert region_name(path) == load_region(DATA / "regions" / "gb.yaml").name
