"""Many files in one run: a matrix of requests, a process pool, and a record that survives being killed.

Every output is content-addressed: its *inputs hash* covers the code, the fonts, the output profile, every
data file the item reads and the request itself. An item whose PDF still has the recorded sha256 and whose
inputs hash is unchanged is skipped, so a re-run after a small change redoes only what changed.

Nothing is lost on interruption, even `kill -9`:
- each PDF is written under a temporary name and renamed (`output.write_atomic`);
- each finished item is appended to a journal (`.awareprint-journal*.jsonl`), one fsync'd JSON line, so a
  line cut short by a kill is the only thing lost, and it is simply ignored;
- `manifest.json` is rewritten atomically at the end (and when interrupted), from the previous manifest,
  the journal and this run; the journal is removed only once the manifest holding it is written.

A record describes the bytes the run wrote (hashed and preflighted in memory), never what is at the path
by the time it is read back. Runs into one folder take turns: a lock file in it (`.awareprint-lock`) is
held exclusively by a run without `--shard`, and shared by shards, each of which also locks its own
journal, so two runs never write one journal, one manifest or one file at once.

Shards (`--shard K/N`) take every N-th item of the sorted matrix, so N machines share one campaign without
talking to each other. Each shard writes its own `manifest.shard-K-of-N.json` and journal; a final run
without `--shard` finds every file up to date through them and writes the complete `manifest.json`.

A worker that hangs or is stopped (SIGSTOP) is killed when its file takes longer than the time limit; the
file is made again alone in a fresh worker, and fails with a clear line if it hangs again.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.metadata
import json
import multiprocessing
import multiprocessing.connection
import multiprocessing.context
import multiprocessing.process
import os
import re
import select
import signal
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from multiprocessing import forkserver
from pathlib import Path

from awareprint import __version__
from awareprint.diagnostics import AwareprintError, Severity, user_error
from awareprint.load.folders import Folders
from awareprint.load.inputs import read_input
from awareprint.load.materials import AUDIENCES, language_codes
from awareprint.load.organisation import Organisation, load_organisation
from awareprint.load.roster import MATRIX_KEYS as ROSTER_KEYS
from awareprint.load.roster import OrgRow, Roster, load_roster
from awareprint.load.schema import Mapping, Node, as_list, as_path, as_text, load_yaml
from awareprint.load.templates import extends_chain, list_templates
from awareprint.pipeline import EDITIONS, PosterRequest, check_print_settings
from awareprint.render.output import make_folder, sweep_parts, write_atomic
from awareprint.render.pdfx import STANDARDS
from awareprint.resources import DATA

MANIFEST = "manifest.json"
MANIFEST_FORMAT = 1
MAX_RECORD_BYTES = 1 << 30  # a manifest or journal: about 1 KB an item
_JOURNAL_PREFIX = ".awareprint-journal"
_LOCK = ".awareprint-lock"
# A file takes well under 2 s (a trifold leaflet in a slow script, on a loaded machine); a worker that has
# not finished one after this long is hung or stopped, and is killed.
FILE_TIMEOUT = 120.0
_EXIT_GRACE = 10.0  # seconds a worker has to exit when its pool closes, before it is killed
_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
# Each language leaves fonts, dictionaries and locale data in a worker (German hyphenation alone is 20 MB).
# A fresh worker after this many files keeps each under 200 MB, at the cost of about 1 % in throughput.
TASKS_PER_WORKER = 100
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
_MATRIX_KEYS = ("languages", "templates", "audiences", "regions", "editions")


@dataclass(frozen=True, slots=True)
class BatchSpec:
    """What to make: every combination of the five lists, with one organisation and one print setting."""

    languages: tuple[str, ...]
    templates: tuple[str, ...]
    audiences: tuple[str, ...]
    regions: tuple[str, ...]
    editions: tuple[str, ...]
    output: Path
    organisation: Path | None = None
    organisations: Path | None = None  # an organisations file (CSV or YAML): the matrix once per row
    logo: Path | None = None
    standard: str = "x4"
    profile: Path | None = None
    allow_overflow: bool = False
    require_reviewed: bool = False  # items in a language not fully reviewed fail, the others are made
    allow_stale: bool = False


@dataclass(frozen=True, slots=True)
class BatchItem:
    language: str
    template: str
    audience: str
    region: str
    edition: str
    organisation: str | None = None  # the slug of its row in the organisations file

    @property
    def name(self) -> str:
        """The output file name: the same pattern as a single `poster` run writes into out/. For a row of
        an organisations file, in the row's folder, its slug first: `slug/slug-poster-a3-en-gb-parents.pdf`.
        """
        screen = "-screen" if self.edition == "screen" else ""
        name = f"{self.template}-{self.language}-{self.region}-{self.audience}{screen}.pdf"
        return f"{self.organisation}/{self.organisation}-{name}" if self.organisation else name


@dataclass(frozen=True, slots=True)
class ItemRecord:
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


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one item in this run."""

    record: ItemRecord
    action: str  # "made", "skipped" (up to date) or "failed"


@dataclass(slots=True)
class BatchReport:
    total: int
    outcomes: list[Outcome] = field(default_factory=list)
    interrupted: bool = False
    manifest: Path | None = None
    roster: Roster | None = None  # the organisations file, if the batch has one

    def count(self, action: str) -> int:
        return sum(1 for o in self.outcomes if o.action == action)

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.action == "failed"]

    @property
    def rejected(self) -> tuple[OrgRow, ...]:
        """Rows of the organisations file that could not be made at all (a missing logo, a bad colour)."""
        return self.roster.failed if self.roster else ()


# ---- the matrix


def load_batch_file(path: Path, folders: Folders) -> dict[str, object]:
    """A batch file's settings, as keyword overrides for `resolve_spec`; paths are relative to the file."""
    root = Mapping(load_yaml(path), {"batch"})
    batch = root.sub(
        "batch",
        set(),
        {
            *_MATRIX_KEYS,
            "output",
            "organisation",
            "organisations",
            "logo",
            "pdfx",
            "profile",
            "allow_overflow",
            "allow_stale",
            "require_reviewed",
        },
    )
    found: dict[str, object] = {}
    known = known_names(folders)
    for key in _MATRIX_KEYS:
        if batch.has(key):
            found[key] = _names(batch.get(key), key, known[key])
    for key in ("organisation", "organisations", "logo", "profile"):
        if batch.has(key):
            found[key] = _inside(path.parent, batch.get(key), must_exist=True)
    if "organisation" in found:  # the same rule one level down: its logo stays in the org file's folder
        load_organisation(found["organisation"], confined=True)  # type: ignore[arg-type]
    if batch.has("output"):
        found["output"] = _inside(path.parent, batch.get("output"), must_exist=False)
    if batch.has("pdfx"):
        found["standard"] = batch.choice("pdfx", tuple(STANDARDS))
    for flag in ("allow_overflow", "allow_stale", "require_reviewed"):
        if batch.has(flag):
            found[flag] = batch.choice(flag, ("true", "false")) == "true"
    return found


def _names(node: Node, key: str, known: list[str]) -> tuple[str, ...]:
    """`all`, one name, or a list of names; an unknown one is refused on its own line of the file."""
    items = [node] if isinstance(node.value, str) else as_list(node)
    if not items:
        raise node.error("the list is empty", hint="name at least one, or write 'all'")
    for item in items:
        name = as_text(item)
        if name != "all" and name not in known:
            raise item.error(f"unknown {key.removesuffix('s')} '{name}'", hint=_choices(known))
    return tuple(as_text(item) for item in items)


def _choices(known: list[str]) -> str:
    return "choose from: all, " + ", ".join(known)


def _inside(folder: Path, node: Node, must_exist: bool) -> Path:
    """A relative path that stays inside the batch file's folder: a shared batch file cannot reach out."""
    text = as_text(node)
    path = as_path(node, folder)
    if Path(text).is_absolute() or not path.is_relative_to(folder.resolve()):
        raise node.error(
            f"'{text}' points outside the batch file's folder",
            hint="give a path relative to the batch file, without '..', or pass it on the command line",
        )
    if must_exist and not path.is_file():
        raise node.error(f"file not found: {text}", hint="give the path relative to the batch file")
    return path


def known_names(folders: Folders) -> dict[str, list[str]]:
    """What each list of the matrix may name, `all` aside."""
    return {
        "languages": language_codes(folders.materials),
        "templates": [p.stem for p in list_templates(folders.templates)],
        "audiences": list(AUDIENCES),
        "regions": sorted(p.stem for p in folders.regions.glob("*.yaml")),
        "editions": list(EDITIONS),
    }


def resolve_spec(folders: Folders, output: Path, **chosen: object) -> BatchSpec:
    """Fill in defaults and expand `all`; every name is checked before any work starts."""
    known = known_names(folders)
    defaults = {
        "languages": "all",
        "templates": "all",
        "audiences": "all",
        "regions": "gb",
        "editions": "print",
    }
    lists = {}
    for key in _MATRIX_KEYS:
        names: tuple[str, ...] = chosen.pop(key, None) or (defaults[key],)  # type: ignore[assignment]
        lists[key] = _expand(key, names, known[key])
    settings = {k: v for k, v in chosen.items() if v is not None}
    check_print_settings(lists["editions"], settings.get("standard"), settings.get("profile"))  # type: ignore[arg-type]
    if settings.get("organisations") and (settings.get("organisation") or settings.get("logo")):
        raise user_error(
            "an organisations file (--orgs) gives each organisation, with its own logo",
            hint="leave out --org and --logo, or add their details as a row of the file",
        )
    return BatchSpec(**lists, output=output, **settings)  # type: ignore[arg-type]


def load_spec_roster(spec: BatchSpec, folders: Folders) -> Roster | None:
    """The organisations file's rows, checked against what the batch knows, or None without one."""
    return load_roster(spec.organisations, known_names(folders)) if spec.organisations else None


def _expand(key: str, names: tuple[str, ...], known: list[str]) -> tuple[str, ...]:
    if "all" in names:
        return tuple(known)
    for name in names:
        if name not in known:
            raise user_error(f"unknown {key.removesuffix('s')} '{name}'", hint=_choices(known))
    return tuple(dict.fromkeys(names))


def matrix(spec: BatchSpec, roster: Roster | None = None) -> list[BatchItem]:
    """Every combination, in a fixed order, so shards are reproducible; with a roster, once per good row,
    with the lists the row chose.

    Language first, organisations inside it: a worker then meets the same strings, fonts and glyphs again
    while they are still in its caches, which keeps the caches small (a worker stays well under 200 MB
    with every script loaded), and every organisation reuses what the others shaped.
    """
    rows = roster.good if roster else (None,)
    lists = [(row, _lists(spec, row)) for row in rows]
    languages = dict.fromkeys(language for _, chosen in lists for language in chosen["languages"])
    return [
        BatchItem(language, template, audience, region, edition, row.slug if row else None)
        for language in languages
        for row, chosen in lists
        if language in chosen["languages"]
        for template in chosen["templates"]
        for region in chosen["regions"]
        for audience in chosen["audiences"]
        for edition in spec.editions
    ]


def _lists(spec: BatchSpec, row: OrgRow | None) -> dict[str, tuple[str, ...]]:
    """The batch's lists, with those the row sets in their place."""
    chosen = {key: getattr(spec, key) for key in ROSTER_KEYS}
    return chosen | (row.choices if row else {})


@dataclass(frozen=True, slots=True)
class BatchPlan:
    """What one `batch` command will do, before any work: the spec, its items (this shard's) and workers."""

    spec: BatchSpec
    roster: Roster | None
    items: list[BatchItem]
    shard_of: tuple[int, int] | None
    workers: int  # 0: the files are made in this process
    notes: tuple[str, ...] = ()  # "note: ..." lines for the user


def plan_batch(
    folders: Folders,
    batch_file: Path | None,
    given: dict[str, object],
    *,
    shard_text: str | None = None,
    jobs: int | None = None,
) -> BatchPlan:
    """The batch file's settings, with the options given on the command line (`given`, None = not
    given) in their place; the output folder defaults to out/batch."""
    chosen = load_batch_file(batch_file, folders) if batch_file else {}
    chosen.update({key: value for key, value in given.items() if value is not None})
    output = chosen.pop("output", None) or Path("out") / "batch"
    spec = resolve_spec(folders, Path(output), **chosen)  # type: ignore[arg-type]
    roster = load_spec_roster(spec, folders)
    items = matrix(spec, roster)
    shard_of = parse_shard(shard_text) if shard_text else None
    if shard_of:
        items = shard(items, *shard_of)
    workers, note = worker_count(jobs, len(items))
    return BatchPlan(spec, roster, items, shard_of, workers, (note,) if note else ())


def usable_cpus() -> int:
    """The CPUs this process may run on: a container's or a scheduler's share, not the whole machine's."""
    count = getattr(os, "process_cpu_count", None)  # Python 3.13
    if count is not None:
        return int(count() or 1)
    with contextlib.suppress(AttributeError):  # not Linux
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def worker_count(jobs: int | None, files: int) -> tuple[int, str | None]:
    """`--jobs`, or one worker per CPU; never more than the CPUs or the files (a worker more than that
    only costs memory: `--jobs 10000` once started one per file), with a note when capped."""
    if jobs == 0:
        return 0, None
    cpus = usable_cpus()
    workers = max(1, min(cpus if jobs is None else jobs, cpus, files))
    if jobs is None or jobs <= workers:
        return workers, None
    limit = f"the {cpus} CPUs this process may use" if workers == cpus else f"the {files} files to make"
    return workers, f"note: --jobs {jobs} is more than {limit}; using {_workers(workers)}"


def _workers(count: int) -> str:
    return f"{count} worker" + ("" if count == 1 else "s")


def parse_shard(text: str) -> tuple[int, int]:
    match = _SHARD.match(text)
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise user_error(f"--shard '{text}' is not K/N with 1 <= K <= N", hint="e.g. --shard 2/8")
    return int(match.group(1)), int(match.group(2))


def shard(items: Sequence[BatchItem], index: int, count: int) -> list[BatchItem]:
    """Every `count`-th item from the `index`-th (1-based): balanced across templates and languages."""
    return list(items[index - 1 :: count])


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
        shared.append(f"require_reviewed={spec.require_reviewed}")  # a file made without the gate may fail it
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


def _suffix(shard_of: tuple[int, int] | None) -> str:
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
        self.path = folder / f"{_JOURNAL_PREFIX}{_suffix(shard_of)}.jsonl"
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
    summary = []
    for row in roster.rows:
        mine = [e for e in entries if e["organisation"] == row.slug]
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


# ---- running


Progress = Callable[[Outcome, int], None]  # an outcome, and how many items have finished so far


def run_batch(
    spec: BatchSpec,
    folders: Folders,
    items: Sequence[BatchItem],
    *,
    jobs: int,
    shard_of: tuple[int, int] | None = None,
    force: bool = False,
    preflight: bool = True,
    on_start: Callable[[BatchItem], None] | None = None,
    on_done: Progress | None = None,
    roster: Roster | None = None,
    wait: bool = False,
    file_timeout: float = FILE_TIMEOUT,
    note: Note | None = None,
) -> BatchReport:
    """Make every item that is not up to date; never stops for one item's (or one organisation's) failure.

    Another run into the same folder is refused with one line, or with `wait` waited for (shards share).
    """
    folder = spec.output
    check_shared_inputs(spec)
    names = {item.name for item in items}
    _create_folders(folder, names)
    with folder_lock(folder, shard_of, wait, note):
        journal = Journal(folder, shard_of, wait, note)
        report = BatchReport(len(items), roster=roster)
        try:
            _sweep(folder, names)
            previous = previous_records(folder)
            fingerprints = Fingerprints(folders, spec, roster)
            todo = _not_up_to_date(items, fingerprints, previous, folder, force, report, on_done)
        except BaseException:
            journal.close(remove=False)
            raise
        kept = {outcome.record.output: outcome.record for outcome in report.outcomes}  # the skipped
        organisations = {row.slug: row.organisation for row in roster.good} if roster else {}

        def record(outcome: Outcome) -> None:
            journal.append(outcome.record)
            kept[outcome.record.output] = outcome.record
            report.outcomes.append(outcome)
            if on_done:
                on_done(outcome, len(report.outcomes))

        try:
            _make_all(todo, spec, folders, organisations, jobs, preflight, file_timeout, on_start, record)
        except KeyboardInterrupt:
            report.interrupted = True
        finally:
            report.manifest = folder / f"manifest{_suffix(shard_of)}.json"
            order = [item.name for item in items]
            # the folder's manifest also keeps the files of earlier runs with other options; a shard's,
            # its own
            others = [] if shard_of else _still_there(previous, set(order), folder)
            records = [kept[name] for name in order if name in kept] + others
            _save(report.manifest, records, roster, journal)
    return report


def _not_up_to_date(
    items: Sequence[BatchItem],
    fingerprints: Fingerprints,
    previous: dict[str, list[ItemRecord]],
    folder: Path,
    force: bool,
    report: BatchReport,
    on_done: Progress | None,
) -> list[tuple[BatchItem, str]]:
    """The items to make, with their inputs hashes; those up to date are reported as skipped."""
    todo = []
    for item in items:
        inputs = fingerprints.item(item)
        candidates = () if force else previous.get(item.name, ())
        current = next((r for r in candidates if _up_to_date(r, inputs, folder)), None)
        if current:
            report.outcomes.append(Outcome(current, "skipped"))
            if on_done:
                on_done(report.outcomes[-1], len(report.outcomes))
        else:
            todo.append((item, inputs))
    return todo


def _save(manifest: Path, records: list[ItemRecord], roster: Roster | None, journal: Journal) -> None:
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


def _still_there(previous: dict[str, list[ItemRecord]], made: set[str], folder: Path) -> list[ItemRecord]:
    """Records of files this run did not cover whose file is still the one recorded.

    The manifest describes the folder: `--lang pl` after a full run must not forget the other languages,
    or the next full run would make them all again.
    """
    found = []
    for name, candidates in previous.items():
        if name in made:
            continue
        recorded = next((r for r in reversed(candidates) if _up_to_date(r, r.inputs, folder)), None)
        if recorded:
            found.append(recorded)
    return found


def check_shared_inputs(spec: BatchSpec) -> None:
    """An unreadable org file, logo or profile would fail every item: say so once, before starting."""
    from awareprint.render.images import open_logo
    from awareprint.render.pdfx import custom_profile

    organisation = load_organisation(spec.organisation) if spec.organisation else None
    logo = spec.logo or (organisation.logo if organisation else None)
    if logo:
        open_logo(logo)
    if spec.profile:
        custom_profile(spec.profile)


def _create_folders(folder: Path, names: set[str]) -> None:
    """The output folder, and the organisations' folders in it."""
    for path in sorted({folder, *((folder / name).parent for name in names)}):
        make_folder(path)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise user_error("the output folder is not writable", file=folder, hint="choose a writable folder")


def _sweep(folder: Path, names: set[str]) -> None:
    """Remove the temporary files a killed run left of these items (with the folder locked: no other run
    is writing them)."""
    by_folder: dict[Path, set[str]] = {}
    for name in names:
        path = folder / name
        by_folder.setdefault(path.parent, set()).add(path.name)
    for path, mine in by_folder.items():
        sweep_parts(path, mine)  # another shard's files are not ours to touch


def _up_to_date(record: ItemRecord, inputs: str, folder: Path) -> bool:
    if record.failed or record.inputs != inputs or record.sha256 is None:
        return False
    path = folder / record.output
    try:
        return path.stat().st_size == record.bytes and _sha256(path) == record.sha256
    except OSError:
        return False


def _make_all(
    todo: list[tuple[BatchItem, str]],
    spec: BatchSpec,
    folders: Folders,
    organisations: dict[str, Organisation | None],
    jobs: int,
    preflight: bool,
    file_timeout: float,
    on_start: Callable[[BatchItem], None] | None,
    record: Callable[[Outcome], None],
) -> None:
    """Make the items, recording each outcome as it finishes.

    `jobs` 0 makes the files in this process: no start-up cost, but no limit on memory or time either.
    Otherwise each of `jobs` lanes has one worker process making one file at a time. A worker that dies
    (the out-of-memory killer, a crash in a library) takes its lane's file with it; so does one that has
    not finished it within `file_timeout` seconds (hung, or stopped with SIGSTOP), which is killed. That
    file is made again alone, in a worker of its own, and only a file that kills (or hangs) that worker
    too is recorded as failed; the lane goes on with a new worker.

    Ctrl-C or SIGTERM stops the batch between files: the files in hand are finished (within their time
    limit) and recorded, no other is started, and then KeyboardInterrupt is raised. A second one stops at
    once.
    """
    if not todo:
        return
    with _StopSignals() as stop:
        if jobs == 0:
            for item, inputs in todo:
                if stop.asked:
                    break
                if on_start:
                    on_start(item)
                organisation = organisations.get(item.organisation or "")
                record(make_item(item, inputs, spec, folders, preflight, organisation))
        else:
            _make_in_workers(
                todo, spec, folders, organisations, jobs, preflight, file_timeout, on_start, record, stop
            )
    if stop.asked:
        raise KeyboardInterrupt


class _StopSignals:
    """SIGINT and SIGTERM while files are made: noted, and acted on between files, so that no file is
    stopped half-way and no finished file goes unrecorded (an exception raised at any point could fall
    between a file's end and its record). A second signal raises KeyboardInterrupt at once."""

    _SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.asked = False
        self._previous: dict[int, object] = {}

    def __enter__(self) -> _StopSignals:
        if threading.current_thread() is threading.main_thread():  # only the main thread may set handlers
            self._previous = {number: signal.signal(number, self._note) for number in self._SIGNALS}
        return self

    def __exit__(self, *exc: object) -> None:
        for number, handler in self._previous.items():
            signal.signal(number, handler)  # type: ignore[arg-type]

    def _note(self, number: int, frame: object) -> None:
        if self.asked:
            raise KeyboardInterrupt
        self.asked = True


def _make_in_workers(
    todo: list[tuple[BatchItem, str]],
    spec: BatchSpec,
    folders: Folders,
    organisations: dict[str, Organisation | None],
    jobs: int,
    preflight: bool,
    file_timeout: float,
    on_start: Callable[[BatchItem], None] | None,
    record: Callable[[Outcome], None],
    stop: _StopSignals,
) -> None:
    """`_make_all` with worker processes, one per lane."""
    _start_forkserver()
    schedule = _Schedule(todo)
    lanes = [_Lane(_pool()) for _ in range(min(jobs, len(todo)))]

    def give_work(lane: _Lane) -> None:
        if not stop.asked:
            _give_work(lane, schedule, lanes, spec, folders, organisations, preflight, file_timeout, on_start)

    try:
        for lane in lanes:
            give_work(lane)
        while busy := {lane.running[0]: lane for lane in lanes if lane.running}:
            deadlines = [lane.deadline for lane in busy.values() if not lane.overdue]
            timeout = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
            done, _ = wait(busy, timeout=timeout, return_when=FIRST_COMPLETED)
            for future, lane in busy.items():
                if future not in done and not lane.overdue and lane.deadline <= time.monotonic():
                    lane.overdue = lane.broken = True
                    _kill_workers(lane.pool)  # its pool then fails the file: below, as after a death
            for future in done:
                lane = busy[future]
                _, item, inputs = busy[future].running  # type: ignore[misc]
                lane.running = None
                if isinstance(future.exception(), BrokenProcessPool):
                    if not lane.alone:
                        schedule.suspects.append((item, inputs))
                    elif not stop.asked:  # a stop sent to the whole process group kills workers too
                        record(_failed(item, inputs, _lost(lane, file_timeout)))
                    lane.broken = True
                    give_work(lane)
                else:
                    try:
                        give_work(lane)  # the worker starts its next file while the journal line is written
                    finally:
                        record(future.result())
    except BaseException:
        _stop(lanes, record)
        raise
    for lane in lanes:
        _close(lane.pool)


def _lost(lane: _Lane, file_timeout: float) -> str:
    """Why a file made alone in its own worker failed."""
    if lane.overdue:
        return (
            f"error: not finished within {file_timeout:g} s, twice, so its worker was stopped (hung?); "
            "if it needs longer, raise --file-timeout"
        )
    return "error: the worker process died making this file (out of memory?)"


def _stop(lanes: list[_Lane], record: Callable[[Outcome], None]) -> None:
    """After an interrupt: the workers finish the file in hand, each within its time limit, and those
    files are recorded; then every worker is closed (killed if it will not exit)."""
    for lane in lanes:
        lane.pool.shutdown(wait=False, cancel_futures=True)
    for lane in lanes:
        if lane.running and not lane.overdue:
            wait([lane.running[0]], timeout=max(0.0, lane.deadline - time.monotonic()))
    for lane in lanes:
        _close(lane.pool)
        last = lane.running[0] if lane.running else None
        if last and last.done() and not last.cancelled() and last.exception() is None:
            record(last.result())


def _kill_workers(pool: ProcessPoolExecutor) -> None:
    """SIGKILL reaches a stopped process too. The pool's own `_processes` is the only list of its workers."""
    for process in list((pool._processes or {}).values()):  # type: ignore[attr-defined]
        with contextlib.suppress(OSError, ValueError):
            process.kill()


def _close(pool: ProcessPoolExecutor, grace: float = _EXIT_GRACE) -> None:
    """Shut a pool down without hanging on a stopped or hung worker: one that has not exited within
    `grace` seconds is killed (a plain `shutdown(wait=True)` would wait for it for ever)."""
    processes = list((pool._processes or {}).values())  # type: ignore[attr-defined]
    pool.shutdown(wait=False, cancel_futures=True)
    left = _wait_ended(processes, grace)
    for process in left:
        with contextlib.suppress(OSError, ValueError):
            process.kill()
    _wait_ended(left, _EXIT_GRACE)  # reaped, so that no stopped worker outlives its pool
    pool.shutdown(wait=True)


def _wait_ended(
    processes: list[multiprocessing.process.BaseProcess], timeout: float
) -> list[multiprocessing.process.BaseProcess]:
    """Wait up to `timeout` seconds for the processes to end; those still running."""
    deadline = time.monotonic() + timeout
    running = list(processes)
    while running and (remaining := deadline - time.monotonic()) > 0:
        ended = multiprocessing.connection.wait([process.sentinel for process in running], timeout=remaining)
        running = [process for process in running if process.sentinel not in ended]
    return running


def _pool() -> ProcessPoolExecutor:
    """One worker, started by the first `submit` in this thread, where a failure to start is caught.

    No `max_tasks_per_child`: with it, Python 3.11 starts the replacement worker in the pool's own thread,
    and if that start fails the thread dies and the batch waits forever. The lane replaces the whole pool
    instead (`_Lane.pool_for`).
    """
    return ProcessPoolExecutor(1, _WORKERS, initializer=_start_worker, initargs=(os.getpid(),))


@dataclass(eq=False)
class _Lane:
    """One worker process, kept to one language while that language has files left.

    Each worker that meets a language pays once more for its shaping, line breaking and fitting: with one
    queue for all workers, every worker met every language (8 % more work with two). A lane holds one file
    at a time, so a broken pool names its file.
    """

    pool: ProcessPoolExecutor
    alone: bool = False  # making a suspect, in a worker of its own
    language: str | None = None
    running: tuple[Future[Outcome], BatchItem, str] | None = None
    deadline: float = 0.0  # time.monotonic() by which the running file must be finished
    made: int = 0  # files handed to this pool's worker
    broken: bool = False  # its worker died, could not start, or was killed
    overdue: bool = False  # its worker was killed for taking too long

    def pool_for(self, alone: bool) -> ProcessPoolExecutor:
        """The pool for the lane's next file. A new one, with a new worker: for a suspect and after one
        (no earlier file can have hurt it, and it hurts no later one), after a death, and every
        TASKS_PER_WORKER files (memory)."""
        if alone or self.alone or self.broken or self.made >= TASKS_PER_WORKER:
            _close(self.pool)
            self.pool, self.alone, self.broken, self.overdue, self.made = _pool(), alone, False, False, 0
        self.made += 1
        return self.pool


class _Schedule:
    """Which file a free lane makes next: a suspect first, then a file of the lane's own language, then
    of a language no other lane holds, and at the end a share of the language with the most left."""

    def __init__(self, todo: Sequence[tuple[BatchItem, str]]) -> None:
        self.streams: dict[str, deque[tuple[BatchItem, str]]] = {}
        for item, inputs in todo:
            self.streams.setdefault(item.language, deque()).append((item, inputs))
        self.suspects: deque[tuple[BatchItem, str]] = deque()

    def take(self, lane: _Lane, held: set[str | None]) -> tuple[BatchItem, str] | None:
        if self.suspects:
            return self.suspects.popleft()
        if not self.streams.get(lane.language or ""):
            left = [language for language, stream in self.streams.items() if stream]
            if not left:
                return None
            free = [language for language in left if language not in held]
            lane.language = free[0] if free else max(left, key=lambda language: len(self.streams[language]))
        return self.streams[lane.language or ""].popleft()

    def give_back(self, item: BatchItem, inputs: str, suspect: bool) -> None:
        (self.suspects if suspect else self.streams[item.language]).appendleft((item, inputs))


def _give_work(
    lane: _Lane,
    schedule: _Schedule,
    lanes: list[_Lane],
    spec: BatchSpec,
    folders: Folders,
    organisations: dict[str, Organisation | None],
    preflight: bool,
    file_timeout: float,
    on_start: Callable[[BatchItem], None] | None,
) -> None:
    """Hand a free lane its next file, if any is left, to be finished within `file_timeout` seconds.

    A worker can die between `wait` and `submit`: the pool then refuses new work. Starting a worker can
    fail too (the fork server cannot fork when memory is short). The file goes back to wait, and the
    lane gets a new pool; if that one cannot start a worker either, the batch stops with one clear error.
    """
    retried = False
    while lane.running is None:
        suspect = bool(schedule.suspects)
        taken = schedule.take(lane, {other.language for other in lanes if other is not lane})
        if taken is None:
            return
        item, inputs = taken
        try:
            organisation = organisations.get(item.organisation or "")
            pool = lane.pool_for(suspect)
            future = pool.submit(make_item, item, inputs, spec, folders, preflight, organisation)
        except (BrokenProcessPool, OSError, EOFError):
            schedule.give_back(item, inputs, suspect)
            if retried:
                raise user_error(
                    "could not start a worker process (out of memory?)",
                    hint="run again with fewer --jobs, or --jobs 0 to make the files in this process",
                ) from None
            retried = True
            lane.broken = True
            continue
        lane.running = (future, item, inputs)
        lane.deadline = time.monotonic() + file_timeout
        if on_start:
            on_start(item)


def _worker_context() -> multiprocessing.context.BaseContext:
    """Workers start from a clean process with the pipeline imported (not a fork of a threaded parent)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["awareprint.pipeline", "awareprint.batch"])
    return context


_WORKERS = _worker_context()


def _start_forkserver() -> None:
    """Start the fork server with Ctrl-C ignored, a setting it passes on to every worker it forks.

    Ctrl-C reaches the whole process group: the batch stops the workers itself, after they finish their
    file. Started without this, the fork server printed a traceback if Ctrl-C came while it was loading,
    and a worker not yet past its start-up died of it.
    """
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, previous)


def _start_worker(batch_pid: int) -> None:
    """Outlive the batch in no case.

    If the batch itself dies (`kill -9`), nothing would stop the worker: it holds both ends of its own
    task queue, so it never sees end-of-file. A watchdog thread exits with the batch, and a worker that
    starts after the batch is already gone exits at once. SIGTERM keeps its default: the pool stops
    workers with it.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        batch = os.pidfd_open(batch_pid)
    except ProcessLookupError:
        os._exit(1)
    except (AttributeError, OSError):  # no pidfd (not Linux): the batch's own shutdown still stops workers
        return

    def exit_with_the_batch() -> None:
        select.select([batch], [], [])
        os._exit(1)

    threading.Thread(target=exit_with_the_batch, daemon=True).start()


def make_item(
    item: BatchItem,
    inputs: str,
    spec: BatchSpec,
    folders: Folders,
    preflight: bool,
    organisation: Organisation | None = None,
) -> Outcome:
    """One PDF, then its preflight; any failure becomes a record instead of an exception. `organisation`
    is the item's row of the organisations file, sent with it (a worker never reads the whole file)."""
    from awareprint.pipeline import make_poster

    started = time.perf_counter()
    path = spec.output / item.name
    request = PosterRequest(
        item.language,
        item.region,
        item.audience,
        item.template,
        path,
        allow_overflow=spec.allow_overflow,
        allow_stale=spec.allow_stale,
        logo=spec.logo,
        organisation=organisation or spec.organisation,
        edition=item.edition,
        standard=spec.standard,
        profile=spec.profile,
        require_reviewed=spec.require_reviewed,
    )
    try:
        result = make_poster(request, folders)
        diagnostics = list(result.diagnostics)
        checked = None
        if preflight:
            from awareprint.preflight import preflight_pdf

            checked = preflight_pdf(path, data=result.pdf)
            diagnostics += checked.diagnostics
    except AwareprintError as error:
        return _failed(item, inputs, error.diagnostic.labelled())
    except Exception as error:  # an internal error in one item must not stop the others
        where = traceback.extract_tb(error.__traceback__)[-1]
        place = f"{Path(where.filename).name}:{where.lineno}"
        return _failed(item, inputs, f"error: internal error: {type(error).__name__}: {error} ({place})")
    errors = any(d.severity is Severity.ERROR and d.code not in request.tolerated for d in diagnostics)
    record = ItemRecord(
        **asdict(item),
        output=item.name,
        status="failed" if errors else "ok",
        inputs=inputs,
        sha256=hashlib.sha256(result.pdf).hexdigest(),  # what this run wrote, whatever is at `path` now
        bytes=len(result.pdf),
        pages=result.pages,
        seconds=round(time.perf_counter() - started, 3),
        standard=checked.standard if checked else None,
        max_ink=round(checked.max_ink_percent, 1) if checked and checked.max_ink_percent else None,
        diagnostics=tuple(d.labelled() for d in diagnostics),
    )
    return Outcome(record, "failed" if errors else "made")


def _failed(item: BatchItem, inputs: str, reason: str) -> Outcome:
    record = ItemRecord(
        **asdict(item), output=item.name, status="failed", inputs=inputs, diagnostics=(reason,)
    )
    return Outcome(record, "failed")
