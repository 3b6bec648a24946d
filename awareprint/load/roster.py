"""An organisations file (`batch --orgs FILE`) → one row per organisation, each with its own folder name.

The file is a spreadsheet saved as CSV (UTF-8, with or without the byte order mark Excel writes; commas or
semicolons; a header row) or YAML (`organisations:`, a list of org.yaml mappings). Columns are the keys of
org.yaml (`name`, `safeguarding_lead`, `contact`, `logo`, `colour`, ...), plus `languages`, `templates`,
`audiences` and `regions`, which replace the batch's lists for that row. In a cell, `|` or a line break
separates the items of a list (`020 7946 0000 | office@school.example.org`, `0|80|70|35`).

Every row goes through `organisation_from_mapping`, the builder org.yaml uses, so a row can say what an org
file can, and errors read the same: file, line (the CSV line where the row starts), key. A bad row fails
alone and is reported; the others are made.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import re
import unicodedata
from pathlib import Path

import msgspec

from awareprint.diagnostics import AwareprintError, user_error
from awareprint.render.images import open_logo

from .inputs import read_input
from .organisation import LIST_KEYS, OPTIONAL_KEYS, REQUIRED_KEYS, Organisation, organisation_from_mapping
from .schema import MAX_DATA_FILE_BYTES, Mapping, Node, as_list, as_text, closest_key, load_yaml

MATRIX_KEYS = ("languages", "templates", "audiences", "regions")  # a row's own lists, instead of the batch's
MAX_SLUG_BYTES = 80  # the folder name; a file name adds up to 56 bytes: far below the usual 255
_SEPARATOR = re.compile(r"\s*(?:\||\r?\n)\s*")
_NAME_SEPARATOR = re.compile(r"[\s,|]+")  # names never hold spaces or commas: `en, ar` and `en|ar` both work
_APOSTROPHES = "'\u2019\u02bc"  # St Mary's → st-marys
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


class OrgRow(msgspec.Struct, frozen=True):
    """One organisation of the file, or the reason it cannot be made (`error`)."""

    line: int  # where the row starts in the file: the CSV line (the header is line 1) or the YAML line
    name: str  # as written; "" when the row has none
    slug: str  # its folder, and the first part of each of its file names; unique in the file
    organisation: Organisation | None
    choices: dict[str, tuple[str, ...]] = msgspec.field(default_factory=dict)  # MATRIX_KEYS the row sets
    fingerprint: str = ""  # what the row says, and its logo's bytes: part of each of its files' inputs hash
    error: str | None = None  # "error: schools.csv:7: key 'colour': ..." when the row failed


class Roster(msgspec.Struct, frozen=True):
    file: Path
    rows: tuple[OrgRow, ...]

    @property
    def good(self) -> tuple[OrgRow, ...]:
        return tuple(row for row in self.rows if row.error is None)

    @property
    def failed(self) -> tuple[OrgRow, ...]:
        return tuple(row for row in self.rows if row.error is not None)


def load_roster(path: Path, known: dict[str, list[str]]) -> Roster:
    """Read every row; `known` lists what the matrix columns may name. A problem of the whole file (not
    found, not UTF-8, an unknown column) is raised; a problem of one row is kept in that row."""
    raw = _yaml_rows(path) if path.suffix.lower() in (".yaml", ".yml") else _csv_rows(path)
    slugs = unique_slugs([_row_name(node) for node, _ in raw])
    rows = [_row(node, problem, slug, path, known) for (node, problem), slug in zip(raw, slugs, strict=True)]
    return Roster(path, tuple(rows))


def _row(
    node: Node, problem: AwareprintError | None, slug: str, path: Path, known: dict[str, list[str]]
) -> OrgRow:
    name = _row_name(node)
    assert isinstance(node.value, dict)
    cells = {key: child for key, child in node.value.items() if key not in MATRIX_KEYS}
    try:
        if problem:
            raise problem
        choices = {key: _names(node.value[key], key, known[key]) for key in MATRIX_KEYS if key in node.value}
        row = Node(cells, node.file, node.line, node.key)
        organisation = organisation_from_mapping(row, path.parent, confined=True)
        # not an image: this row's problem, said before any work starts; the digest it was read with goes
        # into the row's fingerprint, so the file is read and hashed once
        logo = open_logo(organisation.logo).digest if organisation.logo is not None else ""
    except AwareprintError as error:
        return OrgRow(node.line, name, slug, None, error=error.diagnostic.labelled())
    said = repr(sorted((key, _plain(child)) for key, child in node.value.items()))
    fingerprint = hashlib.sha256(f"{said}\nlogo:{logo}".encode()).hexdigest()
    return OrgRow(node.line, name, slug, organisation, choices, fingerprint)


def _plain(node: Node) -> object:
    """A node's value without where it was written: moving a row does not make its files again."""
    if isinstance(node.value, list):
        return [_plain(item) for item in node.value]
    if isinstance(node.value, dict):
        return sorted((key, _plain(child)) for key, child in node.value.items())
    return node.value


def _row_name(node: Node) -> str:
    value = node.value.get("name") if isinstance(node.value, dict) else None
    return value.value.strip() if value is not None and isinstance(value.value, str) else ""


def _names(node: Node, key: str, known: list[str]) -> tuple[str, ...]:
    """A row's own list: `all`, or names the batch knows, refused one by one with the row's line."""
    items = as_list(node) if isinstance(node.value, list) else [node]
    names = [name for item in items for name in _NAME_SEPARATOR.split(as_text(item)) if name]
    for name in names:
        if name != "all" and name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "choose from: all, " + ", ".join(known)
            raise node.error(f"unknown {key.removesuffix('s')} '{name}'", hint=hint)
    return tuple(known) if "all" in names else tuple(dict.fromkeys(names))


# ---- reading the file


_RawRow = tuple[Node, AwareprintError | None]  # a row's cells, or what makes the row unreadable


def _yaml_rows(path: Path) -> list[_RawRow]:
    root = Mapping(load_yaml(path), {"organisations"})
    rows = as_list(root.get("organisations"))
    if not rows:
        raise root.get("organisations").error("the list is empty", hint="add one organisation per item")
    found: list[_RawRow] = []
    for row in rows:
        if not isinstance(row.value, dict):
            found.append(
                (Node({}, path, row.line, row.key), row.error(f"expected a mapping, got {row.kind}"))
            )
            continue
        for key, child in row.value.items():
            _check_column(key, child.file, child.line)
        found.append((row, None))
    return found


def _csv_rows(path: Path) -> list[_RawRow]:
    """Rows as mappings of their non-empty cells, each at the CSV line where its row starts."""
    text = _read_text(path)
    header_line = text.split("\n", 1)[0]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [name.strip().lower() for name in next(reader, [])]
        named = [name for name in header if name]
        for name in named:
            _check_column(name, path, 1)
        if len(set(named)) < len(named):
            twice = next(name for name in named if named.count(name) > 1)
            raise user_error(f"column '{twice}' appears twice", file=path, line=1, hint="keep one of the two")
        if "name" not in named:
            raise user_error("no 'name' column", file=path, line=1, hint="the first row names the columns")
        rows = []
        start = reader.line_num + 1
        for cells in reader:
            line, start = start, reader.line_num + 1
            if any(cell.strip() for cell in cells):  # spreadsheets export empty rows below the data
                rows.append(_csv_row(header, cells, path, line))
    except csv.Error as exc:
        raise user_error(f"not readable as CSV: {exc}", file=path, line=reader.line_num) from None
    if not rows:
        raise user_error("no organisations below the header", file=path, hint="add one row per organisation")
    return rows


def _csv_row(header: list[str], cells: list[str], path: Path, line: int) -> _RawRow:
    mapping: dict[str, Node] = {}
    for index, cell in enumerate(cell.strip() for cell in cells):
        if not cell:
            continue
        if index >= len(header) or not header[index]:
            unnamed = user_error(
                f"a value in column {index + 1}, which has no name in the header: '{cell}'",
                file=path,
                line=line,
                hint="put the value in its column, or quote a value that holds the separator",
            )
            return Node(mapping, path, line, ""), unnamed
        key = header[index]
        parts = [part for part in _SEPARATOR.split(cell) if part]
        if key in LIST_KEYS or len(parts) > 1:
            items = [Node(part, path, line, f"{key}[{i}]") for i, part in enumerate(parts)]
            mapping[key] = Node(items, path, line, key)
        else:
            mapping[key] = Node(cell, path, line, key)
    return Node(mapping, path, line, ""), None


def _read_text(path: Path) -> str:
    data = read_input(path, MAX_DATA_FILE_BYTES)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise user_error(
            f"not UTF-8 text (byte {exc.start})",
            file=path,
            hint="save it from the spreadsheet as 'CSV UTF-8' (Excel) or with the UTF-8 character set",
        ) from None


def _check_column(name: str, file: Path, line: int) -> None:
    known = sorted(REQUIRED_KEYS | OPTIONAL_KEYS | set(MATRIX_KEYS))
    if name not in known:
        close = closest_key(name, set(known))
        hint = f"did you mean '{close}'?" if close else "allowed: " + ", ".join(known)
        raise user_error(f"unknown column '{name}'", file=file, line=line, hint=hint)


# ---- folder names


def slug(name: str) -> str:
    """A readable folder name in the name's own script: letters, marks and digits, words joined by '-'.

    `Riverside Primary School` → `riverside-primary-school`, `مدرسة النور` → `مدرسة-النور`. Marks are kept
    (Devanagari vowel signs are part of the word), invisible format characters (bidi controls, joiners)
    and everything else (slashes, dots, emoji) dropped, so the name is safe on every file system.
    """
    kept = []
    for char in unicodedata.normalize("NFC", name).lower():
        category = unicodedata.category(char)
        if category[0] in "LMN":
            kept.append(char)
        elif category != "Cf" and char not in _APOSTROPHES:
            kept.append("-")
    text = re.sub(r"-+", "-", "".join(kept)).strip("-")
    text = _cut(text, MAX_SLUG_BYTES).strip("-")
    if not text:
        return "organisation"
    return f"{text}-org" if text in _RESERVED else text


def _cut(text: str, limit: int) -> str:
    """At most `limit` UTF-8 bytes: at the end of a word if one ends in the second half, else between
    letters, never after a virama or before a mark (a letter keeps its vowel signs and conjuncts)."""
    if len(text.encode()) <= limit:
        return text
    end = len(text)
    while len(text[:end].encode()) > limit:
        end -= 1
    word_end = text.rfind("-", 0, end + 1)
    if word_end > end // 2:
        return text[:word_end]
    while end > 0 and (
        unicodedata.category(text[end])[0] == "M" or unicodedata.combining(text[end - 1]) == 9
    ):
        end -= 1
    return text[:end]


def unique_slugs(names: list[str]) -> list[str]:
    """Slugs in file order; a slug already taken (ignoring case) gets -2, -3, ..."""
    taken: set[str] = set()
    result = []
    for name in names:
        base = slug(name)
        candidate, number = base, 1
        while candidate.casefold() in taken:
            number += 1
            candidate = f"{base}-{number}"
        taken.add(candidate.casefold())
        result.append(candidate)
    return result
