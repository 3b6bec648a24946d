"""Where the data lives. Light on purpose: the CLI needs it before any command, `--help` included.

The built-in content ships inside the package (see awareprint/resources.py). A user's data folder
(`--data DIR`) is an overlay: each file in it overrides or extends the built-in file of the same name, and
everything it does not hold comes from the package.
"""

from __future__ import annotations

from pathlib import Path

import msgspec

from awareprint.diagnostics import Diagnostic, Severity, user_error
from awareprint.resources import DATA as BUILTIN

from .remembered import note

KINDS = ("materials", "regions", "templates", "fonts")


class Shelf(msgspec.Struct, frozen=True):
    """One kind of content (materials/, regions/, ...): the built-in folder, with an overlay folder on top.

    It answers the two questions a loader asks of a folder, `shelf / "fr.yaml"` and `shelf.glob("*.yaml")`,
    so loaders take a Shelf or a plain Path alike.
    """

    builtin: Path
    overlay: Path | None = None

    def __truediv__(self, name: str) -> Path:
        if self.overlay is not None:
            if (self.overlay / name).exists():
                return self.overlay / name
            note(self.overlay / name, None)  # a copy put there later replaces what a loader remembers
        return self.builtin / name

    def glob(self, pattern: str) -> list[Path]:
        """The files matching `pattern`, one per name: the overlay's where it has one."""
        found = {p.name: p for p in self.builtin.glob(pattern)}
        if self.overlay is not None:
            found |= {p.name: p for p in self.overlay.glob(pattern)}
        return [found[name] for name in sorted(found)]

    def holds(self, path: Path) -> bool:
        """Whether `path` is in this shelf: in the built-in folder or the overlay."""
        return path.is_relative_to(self.builtin) or (
            self.overlay is not None and path.is_relative_to(self.overlay)
        )

    def overlaid(self) -> list[Path]:
        """The overlay's files, each overriding or extending a built-in one."""
        if self.overlay is None or not self.overlay.is_dir():
            return []
        return sorted(p for p in self.overlay.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


Folder = Path | Shelf
"""What a loader reads a kind of content from: a plain folder, or the built-in one with an overlay."""


class Folders(msgspec.Struct, frozen=True):
    """Where the data lives: the built-in content, with a user's data folder (`--data`) on top of it."""

    overlay: Path | None = None

    def __post_init__(self) -> None:
        if not (BUILTIN / "materials" / "source.yaml").is_file():  # one stat: a broken install, said once
            raise user_error(
                "the built-in content is missing", file=BUILTIN, hint="reinstall awareprint (pip install .)"
            )

    @classmethod
    def at(cls, root: Path) -> Folders:
        """A data folder holding any of materials/, regions/, templates/ and fonts/."""
        if not root.is_dir():
            raise user_error(
                "data folder not found", file=root, hint="give a folder holding materials/, regions/, ..."
            )
        if any(root.iterdir()) and not any((root / kind).is_dir() for kind in KINDS):  # a wrong folder
            raise user_error(
                "the data folder holds none of " + ", ".join(f"{k}/" for k in KINDS),
                file=root,
                hint="put your files in those subfolders; what you leave out comes from the built-in content",
            )
        return cls(root)

    def _shelf(self, kind: str) -> Shelf:
        return Shelf(BUILTIN / kind, self.overlay / kind if self.overlay else None)

    @property
    def materials(self) -> Shelf:
        return self._shelf("materials")

    @property
    def regions(self) -> Shelf:
        return self._shelf("regions")

    @property
    def templates(self) -> Shelf:
        return self._shelf("templates")

    @property
    def fonts(self) -> Shelf:
        return self._shelf("fonts")

    def font_manifests(self) -> tuple[Path, Path | None]:
        """The built-in font manifest, and the data folder's (the fonts `fonts add` recorded), if any."""
        added = self.overlay / "fonts" / "manifest.yaml" if self.overlay else None
        return BUILTIN / "fonts" / "manifest.yaml", added if added and added.is_file() else None

    @property
    def writable(self) -> Path:
        """Where commands that make content (`strings init`, `fonts add`) write: never into the package."""
        return self.overlay if self.overlay is not None else Path.cwd()

    def used_from_overlay(self, paths: list[Path]) -> Diagnostic | None:
        """A note naming the files of the data folder among those a file was made from: what overrode or
        extended the built-in content this time."""
        if self.overlay is None:
            return None
        root = self.overlay.resolve()
        own = [p.resolve().relative_to(root).as_posix() for p in paths if p.resolve().is_relative_to(root)]
        if not own:
            return None
        return Diagnostic(
            Severity.INFO,
            "data-folder",
            "from your data folder: " + ", ".join(dict.fromkeys(own)),
            file=self.overlay,
        )
