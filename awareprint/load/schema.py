"""Strict YAML: every value stays a string until the schema types it, every error names file, line, key.

PyYAML's `safe_load` reads `no` as False, `9:30` as 570 and keeps the last of two equal keys; we compose
nodes instead (they carry line numbers), refuse duplicate keys, tags, anchors and aliases, and let each
loader say what it expects through `Mapping`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import hashlib
import importlib.util
import json
import math
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import msgspec

from awareprint.diagnostics import AwareprintError, user_error
from awareprint.resources import DATA as BUILTIN_DATA
from awareprint.units import Cmyk, Pt, parse_cmyk, parse_length

from .inputs import read_input
from .text_input import ONE_LINE, CharacterError, Field, clean_text, is_blank

if TYPE_CHECKING:
    import yaml

MAX_DATA_FILE_BYTES = 1_000_000
MAX_NESTING = 32  # the deepest real file nests 6 levels; a deeper one is a mistake or an attack
_PLAIN_TAGS = {"tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
_IMPLICIT_TAGS = _PLAIN_TAGS | {
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}

T = TypeVar("T")
N = TypeVar("N", int, float)
_PHONE = re.compile(r"^\+?[0-9A-Z][0-9A-Z ()\-.]{1,30}[0-9A-Z]$|^[0-9]{3,6}$")
_URL = re.compile(r"^https://[A-Za-z0-9.-]+\.[A-Za-z]{2,}(/[^\s]*)?$")
_EMAIL = re.compile(r"^[^@\s]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")


class Node(msgspec.Struct, frozen=True):
    """A YAML value with where it came from. `value` is str, list[Node] or dict[str, Node]."""

    value: str | list[Node] | dict[str, Node]
    file: Path
    line: int
    key: str

    def error(self, message: str, hint: str | None = None, code: str = "input") -> AwareprintError:
        return user_error(message, code=code, file=self.file, line=self.line, key=self.key or None, hint=hint)

    @property
    def kind(self) -> str:
        if isinstance(self.value, dict):
            return "a mapping"
        if isinstance(self.value, list):
            return "a list"
        return "text"


def load_yaml(path: Path) -> Node:
    """Read one data file into a Node tree, or raise an AwareprintError naming file and line."""
    data = read_input(path, MAX_DATA_FILE_BYTES)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise user_error(
            f"not UTF-8 text (byte {exc.start})", file=path, hint="save the file as UTF-8"
        ) from None
    return _nodes(_tree(text, path), path, "")


# A file's checked tree as plain data: [line, text], [line, [item, ...]] or [line, {key: item, ...}]. The
# keys of a Node follow from where it sits, and its file is the one read, so neither is stored.
_Tree = list[Any]


@functools.lru_cache(maxsize=64)
def _tree(text: str, path: Path) -> _Tree:
    """A file's checked tree, made once per process for each text (a batch reads the same language, region
    and template files for every poster). A built-in data file's is kept in the persistent cache too, so a
    new process reads it back as JSON instead of importing PyYAML (about 12 ms) and composing every file;
    a user's own files (an organisation, a roster, a data folder) are never copied into the cache. A file
    with a mistake is never kept: it is checked (and the mistake reported) every time."""

    if not path.is_absolute() or not path.is_relative_to(BUILTIN_DATA):
        return _plain(_checked(text, path))

    def checked() -> bytes:
        # surrogatepass: pure-Python PyYAML lets a lone surrogate escape through; the checks refuse it later
        return json.dumps(_plain(_checked(text, path)), ensure_ascii=False).encode("utf-8", "surrogatepass")

    from .cache import cached

    kept = cached("yaml-tree", (text, *_checker_identity()), checked)
    tree: _Tree = json.loads(kept.decode("utf-8", "surrogatepass"))
    return tree


@functools.cache
def _checker_identity() -> tuple[str, str]:
    """What makes a checked tree besides the text, without importing PyYAML: the installed PyYAML (its
    module's place, size and time, and whether its libyaml parser is there: the two differ on some
    inputs), and this module's own source (its checks change without a version number)."""
    spec = importlib.util.find_spec("yaml")
    if spec is None or spec.origin is None:
        yaml_identity = "no yaml"
    else:
        status = os.stat(spec.origin)
        libyaml = sorted(path.name for path in Path(spec.origin).parent.glob("_yaml*"))
        yaml_identity = f"{spec.origin} {status.st_size} {status.st_mtime_ns} {libyaml}"
    own = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
    return yaml_identity, own


def _plain(node: Node) -> _Tree:
    if isinstance(node.value, str):
        return [node.line, node.value]
    if isinstance(node.value, list):
        return [node.line, [_plain(item) for item in node.value]]
    return [node.line, {name: _plain(child) for name, child in node.value.items()}]


def _nodes(tree: _Tree, path: Path, key: str) -> Node:
    line, value = tree
    if isinstance(value, str):
        return Node(value, path, line, key)
    if isinstance(value, list):
        return Node([_nodes(item, path, f"{key}[{i}]") for i, item in enumerate(value)], path, line, key)
    return Node(
        {name: _nodes(child, path, f"{key}.{name}" if key else name) for name, child in value.items()},
        path,
        line,
        key,
    )


def _checked(text: str, path: Path) -> Node:
    """Compose and check a file's text with PyYAML: the Node tree, or an AwareprintError naming the line."""
    import yaml

    try:
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml: 10x faster
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise user_error(
            f"YAML syntax error: {problem}",
            file=path,
            line=line,
            hint="check indentation, colons and quotes on this line or the one before",
        ) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, e.g. NUL from a binary file
        raise user_error(
            f"character U+{exc.character:04X} is not allowed in YAML"
            if isinstance(exc.character, int)
            else "a character YAML does not allow",
            file=path,
            line=text.count("\n", 0, exc.position) + 1,
            hint="is this the right file? data files are plain UTF-8 text",
        ) from None
    except yaml.YAMLError as exc:
        raise user_error(f"YAML error: {str(exc).splitlines()[0]}", file=path) from None
    if root is None:
        raise user_error("file is empty", file=path)
    return _convert(root, path, "", seen=set(), depth=0)


def _convert(node: yaml.Node, path: Path, key: str, seen: set[int], depth: int) -> Node:
    import yaml  # (imported by _checked, the only caller)

    line = node.start_mark.line + 1
    if depth > MAX_NESTING:
        raise user_error(
            f"nested more than {MAX_NESTING} levels deep", file=path, line=line, hint="flatten the lists"
        )
    if id(node) in seen:
        raise user_error("anchors and aliases (& and *) are not supported", file=path, line=line, key=key)
    seen.add(id(node))
    if node.tag not in _IMPLICIT_TAGS:
        raise user_error(
            f"YAML tag '{node.tag}' is not allowed",
            file=path,
            line=line,
            key=key or None,
            hint="remove the '!' tag; data files hold plain text, lists and mappings",
        )
    if isinstance(node, yaml.ScalarNode):
        return Node(node.value, path, line, key)
    if isinstance(node, yaml.SequenceNode):
        items = [_convert(child, path, f"{key}[{i}]", seen, depth + 1) for i, child in enumerate(node.value)]
        return Node(items, path, line, key)
    assert isinstance(node, yaml.MappingNode)
    mapping: dict[str, Node] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise user_error(
                "a key must be plain text", file=path, line=key_node.start_mark.line + 1, key=key
            )
        name = key_node.value
        child_key = f"{key}.{name}" if key else name
        if key_node.value == "<<":
            raise user_error("merge keys (<<) are not supported", file=path, line=line, key=child_key)
        if name in mapping:
            raise user_error(
                f"duplicate key '{name}' (first on line {mapping[name].line})",
                file=path,
                line=key_node.start_mark.line + 1,
                key=child_key,
                hint="keep one of the two",
            )
        mapping[name] = _convert(value_node, path, child_key, seen, depth + 1)
    return Node(mapping, path, line, key)


def closest_key(name: str, known: set[str] | frozenset[str]) -> str | None:
    """The key a person probably meant: the one the word names ('lead': safeguarding_lead, whose last word
    it is), a near spelling ('color': colour), or a key the word is part of."""
    word = name.lower()
    named = [key for key in sorted(known) if key.split("_")[-1] == word]
    close = difflib.get_close_matches(name, sorted(known), n=1)
    part = [key for key in sorted(known) if word in key.split("_")]
    return next(iter(named + close + part), None)


class Mapping:
    """Typed, strict access to a mapping node: unknown keys and missing required keys are errors."""

    def __init__(self, node: Node, required: set[str], optional: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        if not isinstance(node.value, dict):
            raise node.error(f"expected a mapping (key: value lines), got {node.kind}")
        self.node = node
        self.fields: dict[str, Node] = node.value
        known = required | optional
        for name, child in self.fields.items():
            if name not in known:
                close = closest_key(name, known)
                hint = f"did you mean '{close}'?" if close else "allowed: " + ", ".join(sorted(known))
                raise child.error(f"unknown key '{name}'", hint=hint)
        for name in sorted(required):
            if name not in self.fields:
                raise user_error(
                    f"missing key '{name}'",
                    file=node.file,
                    line=node.line,
                    key=node.key or None,
                    hint=f"add '{name}:' here",
                )

    def has(self, name: str) -> bool:
        return name in self.fields

    def get(self, name: str) -> Node:
        return self.fields[name]

    def sub(self, name: str, required: set[str], optional: set[str] = frozenset()) -> Mapping:  # type: ignore[assignment]
        return Mapping(self.fields[name], required, optional)

    def text(self, name: str, default: str | None = None, field: Field = ONE_LINE) -> str:
        if name not in self.fields:
            if default is None:
                raise KeyError(name)
            return default
        return as_text(self.fields[name], field)

    def optional_text(self, name: str, field: Field = ONE_LINE) -> str | None:
        return as_text(self.fields[name], field) if name in self.fields else None

    def texts(self, name: str, field: Field = ONE_LINE) -> list[str]:
        return [as_text(item, field) for item in as_list(self.fields[name])]

    def choice(self, name: str, choices: tuple[str, ...], default: str | None = None) -> str:
        node = self.fields.get(name)
        if node is None:
            if default is None:
                raise KeyError(name)
            return default
        value = as_text(node)
        if value not in choices:
            close = difflib.get_close_matches(value, choices, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "use one of: " + ", ".join(choices)
            raise node.error(f"'{value}' is not one of {', '.join(choices)}", hint=hint)
        return value

    def length(self, name: str, default: str | None = None) -> Pt:
        node = self.fields.get(name)
        return parse_node(node, parse_length) if node else parse_length(_required(default, name))

    def number(
        self,
        name: str,
        default: float | None = None,
        minimum: float | None = None,
        maximum: float | None = None,
    ) -> float:
        node = self.fields.get(name)
        if node is None:
            return _required(default, name)
        return _within(node, parse_node(node, _parse_number), minimum, maximum)

    def integer(
        self, name: str, default: int | None = None, minimum: int = 0, maximum: int | None = None
    ) -> int:
        node = self.fields.get(name)
        if node is None:
            return _required(default, name)
        return _within(node, parse_node(node, _parse_integer), minimum, maximum)

    def cmyk(self, name: str) -> Cmyk:
        node = self.fields[name]
        return parse_node(node, lambda _: parse_cmyk([as_text(v) for v in as_list(node)]))

    def date(self, name: str) -> dt.date:
        return parse_node(self.fields[name], parse_date)

    def items(self) -> Iterator[tuple[str, Node]]:
        return iter(self.fields.items())


def _within(node: Node, value: N, minimum: N | None, maximum: N | None) -> N:
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        if maximum is None:
            raise node.error(f"must be at least {minimum:g}, got {value:g}")
        if minimum is None:
            raise node.error(f"must be at most {maximum:g}, got {value:g}")
        raise node.error(f"must be from {minimum:g} to {maximum:g}, got {value:g}")
    return value


def _required(default: T | None, name: str) -> T:
    if default is None:
        raise KeyError(name)
    return default


def as_text(node: Node, field: Field = ONE_LINE) -> str:
    """The node's text, each character checked for what `field` may hold (see text_input)."""
    if not isinstance(node.value, str):
        raise node.error(f"expected text, got {node.kind}")
    try:
        text = clean_text(node.value, field)
    except CharacterError as error:
        raise node.error(error.message, error.hint, error.code) from None
    if is_blank(text):
        raise node.error("is empty", hint="write a value or remove the key")
    return text


def as_path(node: Node, folder: Path) -> Path:
    """A file named in a data file, relative to `folder`, resolved; a NUL or a link loop is its error."""
    text = as_text(node).strip()
    try:
        return (folder / text).resolve()
    except ValueError:
        raise node.error("the path holds a NUL character", hint="write the name as it is on disk") from None
    except RuntimeError:  # a loop of symbolic links (an OSError from Python 3.13)
        raise node.error(f"'{text}' is a loop of symbolic links", hint="point the link at a file") from None
    except OSError as exc:
        raise node.error(f"cannot use the path '{text}' ({exc.strerror})") from None


def web_address(node: Node) -> str:
    value = as_text(node).strip()
    if not _URL.match(value):
        raise node.error(f"'{value}' is not a web address", hint="write it in full, starting with https://")
    return value


def phone_number(node: Node) -> str:
    value = as_text(node).strip()
    if not _PHONE.match(value):
        raise node.error(f"'{value}' is not a phone number", hint="digits, spaces and dashes, e.g. 0800 1111")
    return value


def email_address(node: Node) -> str:
    value = as_text(node).strip()
    if not _EMAIL.match(value):
        raise node.error(f"'{value}' is not an e-mail address", hint="write it as name@example.org")
    return value


def plain_node(value: object, file: Path, line: int, key: str = "") -> Node:
    """A Node tree from already-parsed values (a CSV row, a dict): text, lists and mappings, all at `line`.

    So data that did not come from a YAML file goes through the same strict schema as data that did.
    """
    if isinstance(value, dict):
        return Node(
            {str(k): plain_node(v, file, line, f"{key}.{k}" if key else str(k)) for k, v in value.items()},
            file,
            line,
            key,
        )
    if isinstance(value, list | tuple):
        return Node([plain_node(v, file, line, f"{key}[{i}]") for i, v in enumerate(value)], file, line, key)
    return Node("" if value is None else str(value), file, line, key)


def as_list(node: Node) -> list[Node]:
    if not isinstance(node.value, list):
        raise node.error(f"expected a list (lines starting with '- '), got {node.kind}")
    return node.value


def parse_node(node: Node, parser: Callable[[str], T]) -> T:
    """Run a value parser, turning its ValueError into a one-line error at the node."""
    try:
        return parser(node.value if isinstance(node.value, str) else "")
    except ValueError as exc:
        raise node.error(str(exc)) from None


def _parse_number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):  # float() also reads 'nan', 'inf' and '1e999'
        raise ValueError(f"'{text}' is not a number")
    return value


def _parse_integer(text: str) -> int:
    if not re.fullmatch(r"-?\d{1,9}", text.strip()):
        raise ValueError(f"'{text[:20]}' is not a whole number (of at most 9 digits)")
    return int(text)


def parse_date(text: str) -> dt.date:
    """ISO date `2026-11-03`, or `2026-11` when only the month is known (read as its first day)."""
    try:
        if re.fullmatch(r"\d{4}-\d{2}", text):
            return dt.date.fromisoformat(text + "-01")
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a date; write YYYY-MM-DD (or YYYY-MM)") from None
