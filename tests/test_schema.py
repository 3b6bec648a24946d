"""Strict YAML: values stay text, surprises are errors naming file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from awareprint.diagnostics import AwareprintError
from awareprint.load.schema import Mapping, as_list, load_yaml


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "data.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path, required: set[str] = frozenset({"a"}), optional: set[str] = frozenset()) -> str:
    with pytest.raises(AwareprintError) as caught:
        Mapping(load_yaml(path), set(required), set(optional))
    return caught.value.diagnostic.one_line()


def test_values_stay_text_no_implicit_typing(tmp_path: Path) -> None:
    node = load_yaml(write(tmp_path, "lang: no\ntime: 9:30\nflags: [en, on, off]\n"))
    assert node.value["lang"].value == "no"
    assert node.value["time"].value == "9:30"
    assert [n.value for n in as_list(node.value["flags"])] == ["en", "on", "off"]


def test_unknown_key_suggests_the_close_one(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, "headline: x\nheadlin: y\n"), {"headline"})
    assert "data.yaml:2" in message
    assert "unknown key 'headlin'" in message
    assert "did you mean 'headline'" in message


def test_missing_key_is_named(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, "a: 1\n"), {"a", "b"})
    assert "missing key 'b'" in message


def test_duplicate_key_names_both_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "a: 1\nb: 2\na: 3\n")
    with pytest.raises(AwareprintError) as caught:
        load_yaml(path)
    message = caught.value.diagnostic.one_line()
    assert "data.yaml:3" in message
    assert "duplicate key 'a' (first on line 1)" in message


def test_syntax_error_has_line(tmp_path: Path) -> None:
    path = write(tmp_path, "a: 1\nb: [unclosed\nc: 3\n")
    with pytest.raises(AwareprintError) as caught:
        load_yaml(path)
    diagnostic = caught.value.diagnostic
    assert diagnostic.line is not None
    assert "YAML syntax error" in diagnostic.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: !!python/object:os.system echo\n", "tag"),
        ("a: &x 1\nb: *x\n", "anchors and aliases"),
        ("", "empty"),
        ("a: " + "[" * 900 + "]" * 900 + "\n", "nested more than"),
        ("a: " + "[" * 5000 + "\n", "YAML syntax error"),
        ("a: 1\n<<: {b: 2}\n", "merge keys"),
        ("\x00\x01\x02", "character U+0000 is not allowed"),
    ],
)
def test_unsafe_or_empty_yaml_is_refused(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(AwareprintError) as caught:
        load_yaml(write(tmp_path, text))
    assert expected in caught.value.diagnostic.message


def test_wrong_type_is_reported(tmp_path: Path) -> None:
    node = load_yaml(write(tmp_path, "a:\n  - x\n"))
    with pytest.raises(AwareprintError) as caught:
        Mapping(node, {"a"}).text("a")
    assert "key 'a': expected text, got a list" in caught.value.diagnostic.one_line()


def test_not_utf8_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("a: caf\xe9\n".encode("latin-1"))
    with pytest.raises(AwareprintError, match="UTF-8"):
        load_yaml(path)
    with pytest.raises(AwareprintError, match="file not found"):
        load_yaml(tmp_path / "absent.yaml")


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "a: " + "x" * 1_100_000 + "\n")
    with pytest.raises(AwareprintError, match="more than"):
        load_yaml(path)


def test_a_data_file_read_again_gives_its_new_content(tmp_path: Path) -> None:
    """Parsed YAML is remembered by the file's text, so an edited file is never answered from memory."""
    path = tmp_path / "data.yaml"
    path.write_text("name: first\n", encoding="utf-8")
    assert load_yaml(path).value["name"].value == "first"  # type: ignore[index, union-attr]
    path.write_text("name: second\n", encoding="utf-8")
    assert load_yaml(path).value["name"].value == "second"  # type: ignore[index, union-attr]
    again = tmp_path / "again.yaml"
    again.write_text("name: second\n", encoding="utf-8")
    assert load_yaml(again).file == again  # the same text in another file names that file
