"""A persistent cache of derived bytes in the user's cache folder, so a new process reuses what an earlier
one worked out (the compressed output profile, a locale's digits, a logo converted for print, the checked
tree of each built-in data file) instead of doing it again. A user's own data files (an organisation, a
roster, a data folder) are never copied into it; a logo is kept only as converted for print.

Content-addressed: an entry's name is the SHA-256 of everything it is made from (the input bytes and the
versions of the code that made it), so a changed input or a new version simply looks up another name;
an entry never goes stale. Each entry carries the SHA-256 of its own value and is used only if that
matches, so a damaged file is made again, never used. Entries are written atomically (a temporary file,
then a rename); when the folder grows past MAX_BYTES the least recently used are removed. Deleting the
folder is always safe: it costs only the time to fill it again. Any error of the cache itself (a read-only
home, a full disk) falls back to doing the work.

Where: $AWAREPRINT_CACHE_DIR, else $XDG_CACHE_HOME/awareprint, else ~/.cache/awareprint (on macOS
~/Library/Caches/awareprint, on Windows %LOCALAPPDATA%\\awareprint\\Cache). AWAREPRINT_CACHE=off turns it off.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
from collections.abc import Callable
from pathlib import Path

from awareprint import __version__

MAX_BYTES = 32 * 1024 * 1024
LOW_WATER = 0.75  # a sweep removes entries down to this share of MAX_BYTES, so the next is far off
FORMAT = b"awareprint-cache-1\n"  # bump when the entry layout changes


def folder() -> Path | None:
    """The cache folder, or None when the user turned the cache off."""
    if os.environ.get("AWAREPRINT_CACHE", "").lower() in ("off", "0", "no"):
        return None
    if os.environ.get("AWAREPRINT_CACHE_DIR"):
        return Path(os.environ["AWAREPRINT_CACHE_DIR"])
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "awareprint"
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "awareprint" / "Cache"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "awareprint"


def cached(kind: str, key: tuple[bytes | str, ...], make: Callable[[], bytes]) -> bytes:
    """The bytes `make()` returns for `key`, from the cache if an earlier process made them.

    `key` must hold everything the result depends on: the input bytes (or their digest) and the version
    of every library that shapes the result; awareprint's own version is added here."""
    root = folder()
    if root is None:
        return make()
    digest = hashlib.sha256(FORMAT + kind.encode() + b"\0" + __version__.encode())
    for part in key:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big") + data)
    name = digest.hexdigest()
    path = root / kind / name[:2] / name
    value = _read(path)
    if value is None:
        value = make()
        _write(root, path, value)
    return value


def _read(path: Path) -> bytes | None:
    try:
        entry = path.read_bytes()
    except OSError:
        return None
    check, value = entry[:32], entry[32:]
    if hashlib.sha256(value).digest() != check:
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # last use, for the size bound
    return value


def _write(root: Path, path: Path, value: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(hashlib.sha256(value).digest() + value)
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink()
        return
    room = _room.get(root, 0) - len(value) - 32
    _room[root] = room if room >= 0 else _bound(root)


_room: dict[Path, int] = {}  # per folder: bytes this process may write before it sweeps the folder again


def _bound(root: Path) -> int:
    """Over MAX_BYTES, remove the least recently used entries down to LOW_WATER of it; the room left.

    A sweep lists the whole folder, so it runs only when this process's writes may have filled the room
    the last one left (other processes writing meanwhile can take the folder a little past the bound)."""
    entries = []
    with contextlib.suppress(OSError):
        for file in root.glob("*/*/*"):
            with contextlib.suppress(OSError):
                status = file.stat()
                entries.append((status.st_mtime, status.st_size, file))
    total = sum(size for _, size, _ in entries)
    if total > MAX_BYTES:
        for _, size, file in sorted(entries):
            if total <= MAX_BYTES * LOW_WATER:
                break
            with contextlib.suppress(OSError):
                file.unlink()
                total -= size
    return max(MAX_BYTES - total, 0)
