"""The persistent cache: never a different byte, safe to damage or delete, bounded in size."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from awareprint.load import cache
from awareprint.pipeline import PosterRequest, make_poster
from awareprint.units import Cmyk


def _poster(tmp_path: Path, name: str) -> str:
    output = tmp_path / name
    make_poster(PosterRequest("bn", "gb", "parents", "poster-a3", output))
    return hashlib.sha256(output.read_bytes()).hexdigest()


def _fresh_process_caches() -> None:
    """Forget what this process worked out, as a new process would."""
    from awareprint.load import content, materials, regions, schema, templates
    from awareprint.render import colour, pdfx

    schema._tree.cache_clear()
    pdfx._compressed_profile.cache_clear()
    colour._luminance.cache_clear()
    for module in (materials, templates, regions, content):  # remembered loaders
        for function in vars(module).values():
            if hasattr(function, "cache_clear"):
                function.cache_clear()


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("AWAREPRINT_CACHE_DIR", str(folder))
    _fresh_process_caches()
    return folder


def _entries(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*/*/*") if not p.name.startswith("."))


def test_a_poster_is_the_same_without_the_cache_with_an_empty_one_and_a_full_one(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = _poster(tmp_path, "empty.pdf")
    kinds = {p.parent.parent.name for p in _entries(cache_dir)}
    assert kinds == {"digits", "profile-flate", "printed-rgb", "yaml-tree"}
    _fresh_process_caches()
    full = _poster(tmp_path, "full.pdf")
    monkeypatch.setenv("AWAREPRINT_CACHE", "off")
    _fresh_process_caches()
    assert _poster(tmp_path, "off.pdf") == empty == full


def test_colours_as_printed_come_from_the_cache_unchanged(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The contrast checks of every poster need no LittleCMS transform once a process has built one."""
    from awareprint.render import colour

    colours = [Cmyk(0, 1, 1, 0), Cmyk(0.9, 0.6, 0, 0.4), Cmyk(0, 0, 0, 0)]
    made = colour.as_printed_rgb(colours, colour.DEFAULT_PROFILE_PATH)
    assert made[Cmyk(0, 0, 0, 0)] == (1.0, 1.0, 1.0)  # paper white is screen white
    monkeypatch.setattr(colour, "cmyk_to_srgb", lambda profile: pytest.fail("a transform was built"))
    assert colour.as_printed_rgb(colours, colour.DEFAULT_PROFILE_PATH) == made


def test_a_damaged_entry_is_made_again_never_used(tmp_path: Path, cache_dir: Path) -> None:
    made = cache.cached("test", (b"input",), lambda: b"the value")
    (entry,) = _entries(cache_dir)
    entry.write_bytes(entry.read_bytes()[:-1] + b"X")
    assert cache.cached("test", (b"input",), lambda: b"the value") == made
    assert entry.read_bytes().endswith(b"the value")
    entry.write_bytes(b"short")
    assert cache.cached("test", (b"input",), lambda: b"the value") == made


def test_every_part_of_the_key_counts(cache_dir: Path) -> None:
    assert cache.cached("test", (b"a", b"bc"), lambda: b"1") == b"1"
    assert cache.cached("test", (b"ab", b"c"), lambda: b"2") == b"2"  # parts are length-prefixed
    assert cache.cached("other", (b"a", b"bc"), lambda: b"3") == b"3"
    assert cache.cached("test", (b"a", b"bc"), lambda: b"never made") == b"1"


def test_the_folder_stays_under_its_bound_dropping_the_least_recently_used(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "MAX_BYTES", 3000)
    for number in range(3):
        cache.cached("test", (str(number),), lambda: b"x" * 900)
    first = next(p for p in _entries(cache_dir) if p.read_bytes().endswith(b"x" * 900))
    os.utime(first, (1, 1))  # the least recently used
    cache.cached("test", ("3",), lambda: b"y" * 900)
    assert sum(p.stat().st_size for p in _entries(cache_dir)) <= 3000
    assert not first.exists()


def test_a_cache_folder_that_cannot_be_written_only_costs_time(tmp_path: Path, cache_dir: Path) -> None:
    cache_dir.write_text("a file where the folder should be")
    assert cache.cached("test", (b"input",), lambda: b"made") == b"made"
    assert _poster(tmp_path, "p.pdf")


def test_the_cache_folder_follows_the_platform_conventions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWAREPRINT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", "/somewhere")
    if os.name == "posix" and cache.sys.platform == "linux":
        assert cache.folder() == Path("/somewhere/awareprint")
    monkeypatch.setenv("AWAREPRINT_CACHE", "off")
    assert cache.folder() is None


def test_every_data_file_reads_back_from_the_cache_as_composed(cache_dir: Path) -> None:
    """The checked tree kept as JSON gives the Node tree PyYAML's composer and the checks give: values,
    lines, keys and file, for every built-in data file."""
    from awareprint.load import schema
    from awareprint.resources import DATA

    files = sorted(DATA.glob("*/*.yaml"))
    assert len(files) > 40
    for path in files:
        composed = schema._checked(path.read_text(encoding="utf-8"), path)
        assert schema.load_yaml(path) == composed, path  # fills the cache
        schema._tree.cache_clear()
        assert schema.load_yaml(path) == composed, path  # from it
    assert len([p for p in _entries(cache_dir) if p.parent.parent.name == "yaml-tree"]) == len(files)


def test_a_file_with_a_mistake_is_never_kept(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from awareprint.diagnostics import AwareprintError
    from awareprint.load import schema
    from awareprint.resources import DATA

    path = DATA / "regions" / "gb.yaml"  # a built-in file's tree is kept, so give it a mistake in memory
    monkeypatch.setattr(schema, "read_input", lambda *_: b"a: 1\na: 2\n")
    for _ in range(2):
        with pytest.raises(AwareprintError, match="duplicate key 'a'"):
            schema.load_yaml(path)
    assert not cache_dir.exists() or not _entries(cache_dir)


def test_a_users_own_files_are_never_copied_into_the_cache(tmp_path: Path, cache_dir: Path) -> None:
    """An organisation's file (names, phone numbers) or a data folder's is read, never kept: only the
    built-in data files' trees are."""
    from awareprint.load import schema
    from awareprint.resources import DATA

    mine = tmp_path / "org.yaml"
    mine.write_text("organisation:\n  name: Riverside Primary School\n", encoding="utf-8")
    assert schema.load_yaml(mine).value["organisation"].value["name"].value == "Riverside Primary School"  # type: ignore[index,union-attr]
    assert not cache_dir.exists() or not _entries(cache_dir)
    schema.load_yaml(DATA / "regions" / "gb.yaml")
    assert [p.parent.parent.name for p in _entries(cache_dir)] == ["yaml-tree"]
