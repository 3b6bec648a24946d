"""How a batch runs: a pool of worker processes with time limits, signals and a record of every file."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import multiprocessing
import multiprocessing.connection
import multiprocessing.context
import multiprocessing.process
import os
import select
import signal
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import forkserver
from pathlib import Path
from typing import Any

import msgspec
from msgspec.structs import asdict

from awareprint.batch.record import (
    Fingerprints,
    ItemRecord,
    Journal,
    Note,
    folder_lock,
    previous_records,
    save,
    still_there,
    suffix,
    up_to_date,
)
from awareprint.batch.spec import BatchItem, BatchSpec, check_shared_inputs
from awareprint.diagnostics import AwareprintError, Severity, user_error
from awareprint.load.folders import Folders
from awareprint.load.organisation import Organisation
from awareprint.load.roster import OrgRow, Roster
from awareprint.pipeline import EDITIONS
from awareprint.render.output import make_folder, sweep_parts

# A file takes well under 2 s (a trifold leaflet in a slow script, on a loaded machine); a worker that has
# not finished one after this long is hung or stopped, and is killed.
FILE_TIMEOUT = 120.0
_EXIT_GRACE = 10.0  # seconds a worker has to exit when its pool closes, before it is killed
# Each language leaves fonts, dictionaries and locale data in a worker (German hyphenation alone is 20 MB).
# A fresh worker after this many files keeps each under 200 MB, at the cost of about 1 % in throughput.
TASKS_PER_WORKER = 100


class Outcome(msgspec.Struct, frozen=True):
    """What happened to one item in this run."""

    record: ItemRecord
    action: str  # "made", "skipped" (up to date) or "failed"


class BatchReport(msgspec.Struct):
    total: int
    outcomes: list[Outcome] = msgspec.field(default_factory=list)
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
            making = _Making(spec, folders, organisations, preflight, file_timeout, on_start, record)
            _make_all(todo, making, jobs)
        except KeyboardInterrupt:
            report.interrupted = True
        finally:
            report.manifest = folder / f"manifest{suffix(shard_of)}.json"
            order = [item.name for item in items]
            # the folder's manifest also keeps the files of earlier runs with other options; a shard's,
            # its own
            others = [] if shard_of else still_there(previous, set(order), folder)
            records = [kept[name] for name in order if name in kept] + others
            save(report.manifest, records, roster, journal)
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
        current = next((r for r in candidates if up_to_date(r, inputs, folder)), None)
        if current:
            report.outcomes.append(Outcome(current, "skipped"))
            if on_done:
                on_done(report.outcomes[-1], len(report.outcomes))
        else:
            todo.append((item, inputs))
    return todo


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


class _Making(msgspec.Struct, frozen=True):
    """What every file of a run is made with, and where each outcome goes."""

    spec: BatchSpec
    folders: Folders
    organisations: dict[str, Organisation | None]  # by slug: each item's row of the organisations file
    preflight: bool
    file_timeout: float  # seconds a worker has for one file
    on_start: Callable[[BatchItem], None] | None
    record: Callable[[Outcome], None]

    def arguments(
        self, item: BatchItem, inputs: str
    ) -> tuple[BatchItem, str, BatchSpec, Folders, bool, Organisation | None]:
        """`make_item`'s arguments for one item (sent to a worker: plain, picklable values)."""
        organisation = self.organisations.get(item.organisation or "")
        return (item, inputs, self.spec, self.folders, self.preflight, organisation)


def _make_all(todo: list[tuple[BatchItem, str]], making: _Making, jobs: int) -> None:
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
                if making.on_start:
                    making.on_start(item)
                making.record(make_item(*making.arguments(item, inputs)))
        else:
            _make_in_workers(todo, making, jobs, stop)
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
    todo: list[tuple[BatchItem, str]], making: _Making, jobs: int, stop: _StopSignals
) -> None:
    """`_make_all` with worker processes, one per lane."""
    _start_forkserver()
    schedule = _Schedule(todo)
    lanes = [_Lane(_pool()) for _ in range(min(jobs, len(todo)))]

    def give_work(lane: _Lane) -> None:
        if not stop.asked:
            _give_work(lane, schedule, lanes, making)

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
                        making.record(_failed(item, inputs, _lost(lane, making.file_timeout)))
                    lane.broken = True
                    give_work(lane)
                else:
                    try:
                        give_work(lane)  # the worker starts its next file while the journal line is written
                    finally:
                        making.record(future.result())
    except BaseException:
        _stop(lanes, making.record)
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
    for process in list((pool._processes or {}).values()):
        with contextlib.suppress(OSError, ValueError):
            process.kill()


def _close(pool: ProcessPoolExecutor, grace: float = _EXIT_GRACE) -> None:
    """Shut a pool down without hanging on a stopped or hung worker: one that has not exited within
    `grace` seconds is killed (a plain `shutdown(wait=True)` would wait for it for ever)."""
    processes = list((pool._processes or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    left = _wait_ended(processes, grace)
    for process in left:
        with contextlib.suppress(OSError, ValueError):
            process.kill()
    _wait_ended(left, _EXIT_GRACE)  # reaped, so that no stopped worker outlives its pool
    pool.shutdown(wait=True)


def _wait_ended(
    processes: Sequence[multiprocessing.process.BaseProcess], timeout: float
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


class _Lane(msgspec.Struct, eq=False):
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


def _give_work(lane: _Lane, schedule: _Schedule, lanes: list[_Lane], making: _Making) -> None:
    """Hand a free lane its next file, if any is left, to be finished within its time limit.

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
            pool = lane.pool_for(suspect)
            future = pool.submit(_make_in_worker, *making.arguments(item, inputs))
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
        lane.deadline = time.monotonic() + making.file_timeout
        if making.on_start:
            making.on_start(item)


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


def _make_in_worker(*arguments: Any) -> Outcome:
    """`make_item(*arguments)` in a worker, which then sets aside what it keeps for its next files.

    A worker keeps its modules, fonts and shaping caches for all its files. Python's full garbage
    collections walked all of them again and again (about 30 ms each; 1.6 to 2.3 ms of CPU a file on a
    loaded machine, more the more organisations' text the caches held). After each file the worker collects
    what that file left in reference cycles and freezes the rest (`gc.freeze`), so later collections walk
    only what later files add. A frozen object is still freed when its last reference goes (an entry leaving
    a cache); a cycle among them would wait for the worker's end, after TASKS_PER_WORKER files.
    """
    outcome = make_item(*arguments)
    gc.collect()
    gc.freeze()
    return outcome


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
    from awareprint.api import FileRequest, make_file

    started = time.perf_counter()
    path = spec.output / item.name
    request = FileRequest(
        item.template,
        item.language,
        item.region,
        item.audience,
        item.edition,
        organisation=organisation or spec.organisation,
        logo=spec.logo,
        standard=spec.standard,
        profile=spec.profile,
        allow_overflow=spec.allow_overflow,
        allow_stale=spec.allow_stale,
        require_reviewed=spec.require_reviewed,
        require_complete=spec.require_complete,
    )
    try:
        result = make_file(request, folders, path)
        diagnostics = list(result.diagnostics)
        checked = None
        if preflight and EDITIONS[item.edition].extension == ".pdf":  # preflight reads PDF
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
