"""Reading input files: only regular files, and never more than a cap, whatever the file claims.

`st_size` cannot be trusted: /dev/zero, a FIFO or a link to either says 0 bytes and never ends. Every file a
user gives (data files, organisation lists, translations, logos, colour profiles) is read here: opened
without blocking, refused unless it is a regular file, and read to at most `limit + 1` bytes.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from awareprint.diagnostics import AwareprintError, user_error

from .remembered import note

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a pipe (FIFO)"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


def read_input(path: Path, limit: int, what: str = "file") -> bytes:
    """The whole of a regular file of at most `limit` bytes, or one error line naming it.

    `what` names the file in the messages: "file not found", "logo file not found".
    """
    try:
        # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, forever
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        note(path, None)  # a loader remembered with a fallback for it sees the file when it appears
        raise user_error(f"{what} not found", file=path, hint="check the name and the folder") from None
    except (OSError, ValueError) as exc:
        raise path_error(exc, path, f"cannot read the {what}") from None
    try:
        kind = file_kind(os.fstat(handle).st_mode)
        if kind:
            raise _not_a_file(path, kind, what)
        os.set_blocking(handle, True)
        data = _read_at_most(handle, limit + 1)
    except OSError as exc:
        raise path_error(exc, path, f"cannot read the {what}") from None
    finally:
        os.close(handle)
    if len(data) > limit:
        raise user_error(
            f"the {what} has more than {limit:,} bytes, the most awareprint reads",
            file=path,
            hint="is this the right file?",
        )
    note(path, data)
    return data


def regular_file(path: Path, what: str = "file") -> None:
    """Refuse, in one line, a path that is not a regular file, for readers that take a file whole and
    may be large (a PDF to check or preview): a device would never end, a FIFO would wait forever."""
    try:
        kind = file_kind(os.stat(path).st_mode)
    except FileNotFoundError:
        raise user_error(f"{what} not found", file=path, hint="check the name and the folder") from None
    except (OSError, ValueError) as exc:
        raise path_error(exc, path, f"cannot read the {what}") from None
    if kind:
        raise _not_a_file(path, kind, what)


def _not_a_file(path: Path, kind: str, what: str) -> AwareprintError:
    wanted = "a regular file" if what == "file" else f"the {what} as a regular file"
    return user_error(f"is {kind}, not a file", file=path, hint=f"give {wanted}")


def file_kind(mode: int) -> str | None:
    """'a folder', 'a device', 'a pipe (FIFO)' or 'a socket'; None for a regular file."""
    return next((name for test, name in _KINDS if test(mode)), None)


def path_error(exc: OSError | ValueError, path: Path, doing: str) -> AwareprintError:
    """One line for a path the system refused: a loop of links, a name too long, a NUL, no permission."""
    if isinstance(exc, ValueError):  # os functions refuse a NUL in a name with ValueError
        return user_error("the name holds a NUL character", file=path, hint="check where the name came from")
    if exc.errno == errno.ELOOP:
        return user_error(
            "the path is a loop of symbolic links", file=path, hint="point the link at a real file"
        )
    if exc.errno == errno.ENAMETOOLONG:
        return user_error(
            "the path is too long for the file system",
            file=path,
            hint="shorten it: a name may have at most 255 bytes, a whole path 4,096",
        )
    if exc.errno == errno.EISDIR:
        return user_error(f"{doing}: it is a folder", file=path, hint="give the name of a file")
    return user_error(f"{doing} ({exc.strerror or exc})", file=path)


def _read_at_most(handle: int, size: int) -> bytes:
    chunks, left = [], size
    while left > 0:
        chunk = os.read(handle, min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
