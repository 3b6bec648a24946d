"""Writing finished files: a temporary name in the target folder, then an atomic rename."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from .diagnostics import user_error


def write_atomic(path: Path, data: bytes) -> None:
    """Either the whole file appears under `path`, or nothing does (a crash leaves no half PDF)."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise user_error(
            f"cannot create the output folder ({exc.strerror})", file=folder, hint="choose a writable folder"
        ) from None
    if path.is_dir():
        raise user_error("the output path is a folder", file=path, hint="give a file name ending in .pdf")
    temporary: Path | None = None
    try:
        candidate = folder / f".{path.name}.{secrets.token_hex(4)}.part"
        # os.open honours the umask (mkstemp would make the PDF readable by its owner only)
        handle = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        temporary = candidate
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
        temporary = None
    except OSError as exc:
        raise user_error(
            f"cannot write the file ({exc.strerror})",
            file=path,
            hint="check that the folder is writable and the disk is not full",
        ) from None
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
