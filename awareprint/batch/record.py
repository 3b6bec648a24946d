"""What a batch promises: fingerprints of its inputs, the journal, the folder lock and the manifest."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.metadata
import json
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import msgspec
from msgspec.structs import asdict

from awareprint import __version__
from awareprint.batch.spec import BatchItem, BatchSpec
from awareprint.diagnostics import AwareprintError, user_error
from awareprint.load.folders import Folders
from awareprint.load.inputs import read_input
from awareprint.load.organisation import load_organisation
from awareprint.load.roster import Roster
from awareprint.load.templates import extends_chain
from awareprint.render.output import write_atomic
from awareprint.resources import DATA

MANIFEST = "manifest.json"
MANIFEST_FORMAT = 1
MAX_RECORD_BYTES = 1 << 30  # a manifest or journal: about 1 KB an item
_JOURNAL_PREFIX = ".awareprint-journal"
_LOCK = ".awareprint-lock"
# The libraries whose version can change a file's bytes: shaping, breaking, fonts, PDF writing and checking.
_LIBRARIES = (
    "reportlab",
    "uharfbuzz",
    "fonttools",
    "icu4py",
    "python-bidi",
    "pyphen",
    "babel",
    "pillow",
    "pikepdf",
    "zxing-cpp",
    "pypdfium2",
    "pyyaml",
)


class ItemRecord(msgspec.Struct, frozen=True):
    """One line of the journal and one entry of manifest.json."""

    output: str  # file name, relative to the manifest's folder
    language: str
    template: str
    audience: str
    region: str
    edition: str
    organisation: str | None  # the slug of its organisation, with an organisations file
    status: str  # "ok": the file is there and passed preflight; "failed": see diagnostics
    inputs: str  # the inputs hash the file was made from
    sha256: str | None = None
    bytes: int | None = None
    pages: int | None = None
    seconds: float | None = None
    standard: str | None = None  # what preflight found the file to be, e.g. "PDF/X-4"
    max_ink: float | None = None  # preflight's highest total ink, percent
    diagnostics: tuple[str, ...] = ()  # "error: …", "warning: …", "note: …": the lines a user would see

    @property
    def failed(self) -> bool:
        return self.status == "failed"


# ---- inputs hashes


class Fingerprints:
    """Hashes of everything an item reads, each file hashed once per run."""

    def __init__(self, folders: Folders, spec: BatchSpec, roster: Roster | None = None) -> None:
        self.folders = folders
        self.spec = spec
        # a row's own content, not the whole file's: editing one school makes only its files again
        self._rows = {row.slug: row.fingerprint for row in roster.good} if roster else {}
        self._files: dict[Path, str] = {}
        self._templates: dict[str, list[str]] = {}
        shared = [f"awareprint {__version__}", *self._tree(Path(__file__).resolve().parents[1], "*.py")]
        shared += [f"{name} {_version(name)}" for name in _LIBRARIES]  # a new shaper may set text differently
        shared += self._tree(DATA / "fonts", "*") + [self.file(p) for p in folders.fonts.overlaid()]
        shared += self._tree(DATA / "profiles", "*")
        for extra in (spec.organisation, spec.logo, spec.profile):
            if extra is not None:
                shared.append(self.file(extra))
        if spec.organisation is not None:
            logo = load_organisation(spec.organisation).logo
            if logo is not None:
                shared.append(self.file(logo))
        shared += [
            f"standard={spec.standard}",
            f"allow_overflow={spec.allow_overflow}",
            f"allow_stale={spec.allow_stale}",
        ]
        # a file made without a gate may fail it
        shared += [f"require_reviewed={spec.require_reviewed}", f"require_complete={spec.require_complete}"]
        shared += [self.file(folders.materials / "source.yaml"), self.file(folders.materials / "en.yaml")]
        self._shared = _digest(shared)

    def item(self, item: BatchItem) -> str:
        parts = [self._shared, *(f"{k}={v}" for k, v in sorted(asdict(item).items()))]
        if item.organisation:
            parts.append(self._rows[item.organisation])
        parts.append(self.file(self.folders.materials / f"{item.language}.yaml"))
        parts.append(self.file(self.folders.regions / f"{item.region}.yaml"))
        parts += self._template(item.template)
        return _digest(parts)

    def _template(self, name: str) -> list[str]:
        if name not in self._templates:
            chain = extends_chain(self.folders.templates / f"{name}.yaml")
            self._templates[name] = [self.file(path) for path in chain]
        return self._templates[name]

    def file(self, path: Path) -> str:
        path = path.resolve()
        if path not in self._files:
            self._files[path] = f"{path.name}:{_sha256(path)}"
        return self._files[path]

    def _tree(self, folder: Path, pattern: str) -> list[str]:
        return [
            self.file(p)
            for p in sorted(folder.rglob(pattern))
            if p.is_file() and "__pycache__" not in p.parts
        ]


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


def _digest(parts: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# ---- the record: manifests and journals


def suffix(shard_of: tuple[int, int] | None) -> str:
    return f".shard-{shard_of[0]}-of-{shard_of[1]}" if shard_of else ""


def previous_records(folder: Path) -> dict[str, list[ItemRecord]]:
    """Every record earlier runs and shards left for each file, from manifests and journals.

    All are kept: the one whose inputs and sha256 still match decides, whichever file it came from.
    """
    records: dict[str, list[ItemRecord]] = {}
    for path in sorted(folder.glob("manifest*.json")):
        with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
            for entry in json.loads(read_input(path, MAX_RECORD_BYTES))["items"]:
                record = _record(entry)
                records.setdefault(record.output, []).append(record)
    for path in sorted(folder.glob(f"{_JOURNAL_PREFIX}*.jsonl")):
        with contextlib.suppress(OSError):
            for line in read_input(path, MAX_RECORD_BYTES).decode(errors="replace").splitlines():
                with contextlib.suppress(ValueError, TypeError, KeyError):  # a line cut short by a kill
                    record = _record(json.loads(line))
                    records.setdefault(record.output, []).append(record)
    return records


def _record(entry: dict[str, object]) -> ItemRecord:
    entry = dict(entry)
    entry["diagnostics"] = tuple(entry.get("diagnostics", ()))  # type: ignore[arg-type]
    return ItemRecord(**entry)  # type: ignore[arg-type]


class Journal:
    """Append-only, one fsync'd line per finished item: what a kill cannot take back. Each run locks its
    journal for as long as it writes it: a second run of the same shard refuses (or waits) instead."""

    def __init__(self, folder: Path, shard_of: tuple[int, int] | None, wait: bool, note: Note | None) -> None:
        self.path = folder / f"{_JOURNAL_PREFIX}{suffix(shard_of)}.jsonl"
        running = f"shard {shard_of[0]}/{shard_of[1]}" if shard_of else "another batch"
        flags = os.O_WRONLY | os.O_APPEND
        self._handle = _hold(self.path, flags, exclusive=True, wait=wait, note=note, by=running)

    def append(self, record: ItemRecord) -> None:
        line = json.dumps(asdict(record), ensure_ascii=False, sort_keys=True) + "\n"
        with contextlib.suppress(OSError):  # a full disk: the item is made again next time, nothing breaks
            os.write(self._handle, line.encode())
            os.fsync(self._handle)

    def close(self, remove: bool) -> None:
        """Removed (still locked) once a manifest holds every record; kept otherwise, for the next run."""
        if remove:
            with contextlib.suppress(OSError):
                self.path.unlink()
        os.close(self._handle)


Note = Callable[[str], None]  # a line for the user: "note: ..." or "waiting for ..."


@contextlib.contextmanager
def folder_lock(
    folder: Path, shard_of: tuple[int, int] | None, wait: bool, note: Note | None
) -> Iterator[None]:
    """Take turns with other runs into `folder`: exclusive without `--shard`, shared between shards.

    A run that finds the folder taken refuses with one line, or with `wait` waits for its turn. The lock
    file is removed by the last run to leave, so a finished folder holds only its files and manifests.
    """
    path = folder / _LOCK
    handle = _hold(path, os.O_RDWR, exclusive=shard_of is None, wait=wait, note=note, by="another batch")
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # only if no other run holds it any more
            path.unlink()
        os.close(handle)


def _hold(path: Path, flags: int, *, exclusive: bool, wait: bool, note: Note | None, by: str) -> int:
    """`path` opened (created if need be) and locked with flock; refused with one line when another run
    holds it, unless `wait`. A lock file can be removed by its last holder while another run waits on it:
    the waiter then holds a file no longer in the folder, sees that, and tries again with the new one."""
    mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
    waiting = False
    while True:
        try:
            handle = os.open(path, flags | os.O_CREAT, 0o666)
        except OSError as exc:
            message = f"cannot write in the output folder ({exc.strerror})"
            raise user_error(message, file=path.parent, hint=_WRITABLE) from None
        try:
            if not _flock(handle, mode | fcntl.LOCK_NB):
                if not wait:
                    raise user_error(
                        f"{by} is writing into this folder",
                        file=path.parent,
                        hint="let it finish, or add --wait to start when it has "
                        "(shards of one campaign, --shard K/N, may run side by side)",
                    )
                if note and not waiting:
                    note(f"waiting for {by} to finish writing into {path.parent}")
                waiting = True
                _flock(handle, mode)
            if _same_file(handle, path):
                return handle
        except BaseException:
            os.close(handle)
            raise
        os.close(handle)  # removed by the run that held it: try again with a new one


def _flock(handle: int, operation: int) -> bool:
    """False if another run holds the lock (and LOCK_NB was asked for)."""
    try:
        fcntl.flock(handle, operation)
    except BlockingIOError:
        return False
    except OSError as exc:  # a file system without locks
        raise user_error(
            f"cannot lock the output folder ({exc.strerror})",
            hint="choose a folder on a file system with file locks (a local disk, or NFS with locking)",
        ) from None
    return True


def _same_file(handle: int, path: Path) -> bool:
    held = os.fstat(handle)
    try:
        current = os.stat(path)
    except FileNotFoundError:
        return False
    return (held.st_dev, held.st_ino) == (current.st_dev, current.st_ino)


_WRITABLE = "choose a writable folder with --output"


def write_manifest(path: Path, records: Iterable[ItemRecord], roster: Roster | None = None) -> None:
    entries = sorted((asdict(r) for r in records), key=lambda e: e["output"])
    document: dict[str, object] = {"awareprint": __version__, "format": MANIFEST_FORMAT}
    if roster:
        document["organisations"] = organisation_summary(roster, entries)
    document["items"] = entries
    write_atomic(path, (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode())


def organisation_summary(roster: Roster, entries: list[dict[str, object]]) -> list[dict[str, object]]:
    """One entry per row of the organisations file, from the items alone (so shards' manifests add up):
    where its files are, how many, how many failed and the first reason; or why the row was refused."""
    by_slug: dict[object, list[dict[str, object]]] = {}
    for entry in entries:  # one pass, not one per row: 500 organisations' files are 2,000 entries or more
        by_slug.setdefault(entry["organisation"], []).append(entry)
    summary = []
    for row in roster.rows:
        mine = by_slug.get(row.slug, [])
        failed = [e for e in mine if e["status"] == "failed"]
        reasons = [line for e in failed for line in e["diagnostics"]]  # type: ignore[attr-defined]
        reason = row.error or next((line for line in reasons if line.startswith("error")), None)
        summary.append(
            {
                "row": row.line,
                "name": row.name,
                "folder": row.slug,
                "status": "failed" if row.error or failed else "ok",
                "files": len(mine),
                "failed": len(failed),
                "error": reason,
            }
        )
    return summary


def save(manifest: Path, records: list[ItemRecord], roster: Roster | None, journal: Journal) -> None:
    """Write the manifest; only then may the journal go. If the manifest cannot be written (a folder in
    its place, a full disk), the journal keeps every record for the next run, and the user is told."""
    try:
        write_manifest(manifest, records, roster)
    except AwareprintError as error:
        journal.close(remove=False)
        raise user_error(
            f"the manifest was not written: {error.diagnostic.message}",
            file=manifest,
            hint=f"every finished file is recorded in {journal.path.name}: make room (or move what is in "
            "the way) and run the same command again",
        ) from None
    journal.close(remove=True)


def still_there(previous: dict[str, list[ItemRecord]], made: set[str], folder: Path) -> list[ItemRecord]:
    """Records of files this run did not cover whose file is still the one recorded.

    The manifest describes the folder: `--lang pl` after a full run must not forget the other languages,
    or the next full run would make them all again.
    """
    found = []
    for name, candidates in previous.items():
        if name in made:
            continue
        recorded = next((r for r in reversed(candidates) if up_to_date(r, r.inputs, folder)), None)
        if recorded:
            found.append(recorded)
    return found


def up_to_date(record: ItemRecord, inputs: str, folder: Path) -> bool:
    if record.failed or record.inputs != inputs or record.sha256 is None:
        return False
    path = folder / record.output
    try:
        return path.stat().st_size == record.bytes and _sha256(path) == record.sha256
    except OSError:
        return False
