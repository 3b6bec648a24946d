"""Diagnostics are values: stages return them, only the CLI prints them.

Severity levels:
- ERROR: the output would be wrong or harmful (bad data, text that does not fit, a missing glyph);
  the command fails unless the user explicitly accepts it.
- WARNING: the output is usable but someone should act (a contact not verified for a year,
  a translation still in draft).
- INFO: worth knowing, nothing to do.
"""

from __future__ import annotations

import enum
import re
from pathlib import Path

import msgspec


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Diagnostic(msgspec.Struct, frozen=True):
    severity: Severity
    code: str
    message: str
    file: Path | None = None
    line: int | None = None
    key: str | None = None
    hint: str | None = None

    def one_line(self) -> str:
        """`file:line: key 'a.b': message (fix: hint)`, the single line a user sees."""
        where = ""
        if self.file is not None:
            where = _display_path(self.file)
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        key = f"key '{self.key}': " if self.key else ""
        hint = f" (fix: {self.hint})" if self.hint else ""
        return _CONTROL.sub(_escape, f"{where}{key}{self.message}{hint}")

    def labelled(self) -> str:
        """`error: …`, `warning: …` or `note: …`: how the CLI and the batch manifest show it."""
        return f"{_LABELS[self.severity]}: {self.one_line()}"


_LABELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # a line break in a user's value must not break the line


def _escape(match: re.Match[str]) -> str:
    return repr(match.group())[1:-1]


def _display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, RuntimeError, OSError):  # elsewhere; a NUL; a loop of links (RuntimeError < 3.13)
        return str(path)


class AwareprintError(Exception):
    """A user mistake or an unusable input: reported as one line, exit code 1.

    `more` are further mistakes found in the same pass (a template's), so they are all seen in one run;
    `diagnostic` stays the first, the one to fix first.
    """

    def __init__(self, diagnostic: Diagnostic, more: tuple[Diagnostic, ...] = ()) -> None:
        super().__init__(diagnostic.one_line())
        self.diagnostic = diagnostic
        self.diagnostics = (diagnostic, *more)


def user_error(
    message: str,
    *,
    code: str = "input",
    file: Path | None = None,
    line: int | None = None,
    key: str | None = None,
    hint: str | None = None,
) -> AwareprintError:
    return AwareprintError(Diagnostic(Severity.ERROR, code, message, file, line, key, hint))
