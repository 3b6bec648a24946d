"""Where the data lives. Light on purpose: the CLI needs it before any command, `--help` included."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from awareprint.diagnostics import user_error

PROJECT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True, slots=True)
class Folders:
    """Where the data lives: the project's own folders, or a user's copy (`--data`)."""

    materials: Path = PROJECT / "materials"
    regions: Path = PROJECT / "regions"
    templates: Path = PROJECT / "templates"
    fonts: Path = PROJECT / "fonts"

    @classmethod
    def at(cls, root: Path) -> Folders:
        """A data folder holding materials/, regions/ and templates/; fonts stay the vendored ones."""
        if not root.is_dir():
            raise user_error("data folder not found", file=root, hint="give a folder holding materials/")
        return cls(root / "materials", root / "regions", root / "templates")
