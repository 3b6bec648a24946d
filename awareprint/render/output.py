"""Writing finished files: a temporary name in the target folder, then an atomic rename.

Every file awareprint writes goes through `write_atomic`: PDFs, manifests, previews, exported strings,
review pages and rewritten language files. It writes only over a regular file or a new name: renaming over
/dev/null (as root) would replace the device with a file. A crash leaves no half file under the name; a
SIGTERM or Ctrl-C removes the temporary file (the CLI turns both into KeyboardInterrupt), and what a
SIGKILL leaves is swept by a later run once it is an hour old.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import secrets
import stat
import time
from collections.abc import Collection
from pathlib import Path

from awareprint.diagnostics import AwareprintError, user_error
from awareprint.load.inputs import file_kind, path_error

PART_PREFIX = ".aw-"  # .aw-TAG+RANDOM.part: short, so any name the file system allows still has room for it
PART_SUFFIX = ".part"
STALE_PART_SECONDS = 3600  # no write takes an hour: a temporary file older than that lost its writer
_DEFAULT_NAME_MAX = 255
_swept: set[Path] = set()  # folders already swept by this process


def output_file(given: str, default_name: str) -> Path:
    """`--output` as typed: a path ending in / names a folder (made if missing) to write `default_name` in.

    `Path("newdir/")` drops the slash, so the CLI hands over the text as typed.
    """
    if not given:
        raise user_error("the output name is empty", hint=f"give a file name, e.g. {default_name}")
    if given.endswith(tuple(sep for sep in (os.sep, os.altsep) if sep)):
        return Path(given) / default_name
    path = Path(given)
    if _is_folder(path):
        raise user_error(
            "the output path is a folder",
            file=path,
            hint=f"end it with / to write {default_name} inside it, or give a file name",
        )
    return path


def write_atomic(path: Path, data: bytes) -> None:
    """Either the whole file appears under `path`, or nothing changes and one error line says why."""
    target = _writable_target(path)
    folder = target.parent
    make_folder(folder)
    _sweep_once(folder)
    temporary: Path | None = None
    try:
        candidate = folder / temporary_name(target.name)
        # os.open honours the umask (mkstemp would make the PDF readable by its owner only)
        handle = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
        temporary = candidate
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
        temporary = None
    except OSError as exc:
        raise _write_error(exc, path) from None
    finally:
        if temporary is not None:  # an error, Ctrl-C or SIGTERM: the old file stays as it was
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def make_folder(folder: Path) -> None:
    """The folder and its parents, or one line naming what is in the way (a file, a pipe, a loop of links)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocker, kind = _in_the_way(folder)
        raise user_error(
            f"cannot create the output folder: {blocker} is {kind}, not a folder",
            file=folder,
            hint="choose another folder, or move that away",
        ) from None
    except (OSError, ValueError) as exc:
        raise path_error(exc, folder, "cannot create the output folder") from None


def _in_the_way(folder: Path) -> tuple[Path, str]:
    """The first part of `folder` that exists but is not a folder, and what it is."""
    for part in (*reversed(folder.parents), folder):
        try:
            mode = os.stat(part).st_mode
        except FileNotFoundError:
            break
        except OSError as exc:
            return part, "a loop of symbolic links" if exc.errno == errno.ELOOP else "unusable"
        if not stat.S_ISDIR(mode):
            return part, file_kind(mode) or "a file"
    return folder, "in the way"


def temporary_name(name: str) -> str:
    """`.aw-` + a tag of the final name (so a batch finds its own items' leftovers) + a random part."""
    return f"{PART_PREFIX}{_tag(name)}{secrets.token_hex(4)}{PART_SUFFIX}"


def sweep_parts(folder: Path, names: Collection[str] | None = None, min_age: float = 0.0) -> None:
    """Remove temporary files killed writers left in `folder`: those for `names` if given, else any;
    only those at least `min_age` seconds old (a younger one may belong to a writer still at work)."""
    tags = {_tag(name) for name in names} if names is not None else None
    now = time.time()
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if not (entry.name.startswith(PART_PREFIX) and entry.name.endswith(PART_SUFFIX)):
                continue
            tag = entry.name[len(PART_PREFIX) : len(PART_PREFIX) + 8]
            if tags is not None and tag not in tags:
                continue
            with contextlib.suppress(OSError):
                info = entry.stat(follow_symlinks=False)
                if entry.is_file(follow_symlinks=False) and now - info.st_mtime >= min_age:
                    os.unlink(entry.path)


def _tag(name: str) -> str:
    return hashlib.blake2b(os.fsencode(name), digest_size=4).hexdigest()


def _sweep_once(folder: Path) -> None:
    if folder not in _swept:
        _swept.add(folder)
        sweep_parts(folder, min_age=STALE_PART_SECONDS)


def _is_folder(path: Path) -> bool:
    """Path.is_dir, except that a name too long or a loop of links is left for write_atomic to report."""
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def _writable_target(path: Path) -> Path:
    """The regular file to replace (through a symbolic link, the file it points to) or the new name."""
    _check_name_length(path)
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):  # a new name; making its folder says what is wrong
        return path
    except (OSError, ValueError) as exc:
        raise path_error(exc, path, "cannot write the file") from None
    kind = file_kind(mode)
    if kind == "a folder":
        raise user_error("the output path is a folder", file=path, hint="give a file name inside it")
    if kind:
        raise user_error(
            f"the output path is {kind}, not a file; awareprint writes only files",
            file=path,
            hint="give a file name, e.g. out/NAME",
        )
    _refuse_a_standard_stream(path)
    if not path.is_symlink():
        return path
    real = Path(os.path.realpath(path))
    try:
        same = os.path.samestat(os.stat(real), os.stat(path))
    except OSError:
        same = False
    if not same:  # e.g. /dev/stdout to a deleted file: no name to write a new version under
        raise user_error("cannot tell which file this link points to", file=path, hint="give a file name")
    return real


def _refuse_a_standard_stream(path: Path) -> None:
    """/dev/stdout while the shell sends the output to a file is that regular file: renaming over it would
    leave the shell writing to a deleted file and our messages lost. A PDF goes to a name, never a stream."""
    for number, stream in ((1, "output"), (2, "error output")):
        try:
            same = os.path.samestat(os.stat(path), os.fstat(number))
        except (OSError, ValueError):
            continue
        if same:
            raise user_error(
                f"the output path is awareprint's own standard {stream}; awareprint writes only named files",
                file=path,
                hint="give a file name, e.g. out/NAME: the PDF is never sent to a stream",
            )


def _check_name_length(path: Path) -> None:
    """A name the file system refuses, said plainly and before any folder is made (the temporary name is
    short, so it is never the cause)."""
    limit = _name_max(path.parent)
    for part in path.parts:
        length = len(os.fsencode(part))
        if length > limit:
            what = "file name" if part == path.name else "name of a folder in the path"
            raise user_error(
                f"the {what} is {length} bytes long, more than the {limit} the file system allows",
                file=path,
                hint="shorten the name",
            )


def _name_max(folder: Path) -> int:
    """The longest name the file system of `folder` (or of its nearest existing parent) allows."""
    for existing in (folder, *folder.parents):
        try:
            return os.pathconf(existing, "PC_NAME_MAX")
        except (OSError, ValueError):
            continue
    return _DEFAULT_NAME_MAX


def _write_error(exc: OSError, path: Path) -> AwareprintError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return user_error(
            "cannot write the file: the disk is full; nothing was changed",
            file=path,
            hint="free some space or write to another disk",
        )
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return user_error(
            f"cannot write the file ({exc.strerror})", file=path, hint="choose a folder you can write to"
        )
    return path_error(exc, path, "cannot write the file")
