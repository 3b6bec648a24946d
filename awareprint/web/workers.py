"""Worker processes that make the files, so one heavy request cannot stall the rest.

Each worker is a process of its own with a pipe. A request waits for a free worker (within its time
limit), sends it the job and waits for the answer; a worker that does not answer in time is killed and
replaced, and the request gets a clear "took too long". A worker is also replaced after a number of
files, so memory stays flat however long the server runs. Workers are started with `spawn`: the server's
threads are never forked.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import time
from collections.abc import Sequence
from multiprocessing.connection import Connection
from typing import Literal

import anyio.to_thread
import msgspec
from msgspec.structs import replace

from awareprint.api import FileRequest
from awareprint.diagnostics import AwareprintError, Diagnostic
from awareprint.load.folders import Folders

PREVIEW_WIDTH = 520  # pixels: a page in the form's preview


class Job(msgspec.Struct, frozen=True):
    """What a worker makes: page images of one file, or the PDFs of several (one per language)."""

    kind: Literal["preview", "files"]
    requests: tuple[FileRequest, ...]
    folders: Folders = msgspec.field(default_factory=Folders)


class Answer(msgspec.Struct, frozen=True):
    """Per request, in order: its page images (a preview) or its files by name (a download), and its
    diagnostics; or its error."""

    files: tuple[tuple[bytes, ...], ...] = ()
    named: tuple[tuple[tuple[str, bytes], ...], ...] = ()
    diagnostics: tuple[tuple[Diagnostic, ...], ...] = ()
    error: Diagnostic | None = None
    failed_language: str | None = None


class TimedOutError(Exception):
    """No worker answered within the request's time limit."""


def run_job(job: Job) -> Answer:
    """In the worker: make every file of the job, stopping at the first error."""
    from awareprint.api import make_file

    files: list[tuple[bytes, ...]] = []
    named: list[tuple[tuple[str, bytes], ...]] = []
    diagnostics = []
    for request in job.requests:
        if job.kind == "preview" and request.edition == "html":  # a web page: preview its screen edition
            request = replace(request, edition="screen")
        try:
            made = make_file(request, job.folders)
        except AwareprintError as error:
            return Answer(error=error.diagnostic, failed_language=request.language)
        if job.kind == "preview":
            files.append(made.png_pages(PREVIEW_WIDTH))
        else:
            named.append(made.named(download_name(request)))
        diagnostics.append(made.diagnostics)
    return Answer(tuple(files), tuple(named), tuple(diagnostics))


def download_name(request: FileRequest) -> str:
    """Only names checked against the catalogue go into it: letters, digits and hyphens."""
    from awareprint.pipeline import file_name

    return file_name(
        str(request.template),
        request.language,
        request.region,
        request.audience,
        request.edition,
        request.ink,
    )


def _serve(connection: Connection) -> None:
    """The worker's loop: warm up (fonts, shaping, the output profile), then answer jobs until closed."""
    run_job(Job("preview", (FileRequest(),)))
    with contextlib.suppress(EOFError, OSError):  # the server closed the pipe: it stopped, or replaced us
        connection.send("ready")
        while True:
            connection.send(run_job(connection.recv()))


class Worker:
    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child,), daemon=True, name="awareprint-worker")
        self.process.start()
        child.close()
        self.done = 0
        self.ready = False

    def run(self, job: Job, deadline: float) -> Answer:
        """Blocking: the answer, or TimedOutError (and the worker killed) when the deadline passes first."""
        if not self.ready:
            if not self.connection.poll(max(0.0, deadline - time.monotonic())):
                self.stop()
                raise TimedOutError
            self.connection.recv()  # "ready"
            self.ready = True
        self.connection.send(job)
        if not self.connection.poll(max(0.0, deadline - time.monotonic())):
            self.stop()
            raise TimedOutError
        self.done += 1
        answer: Answer = self.connection.recv()
        return answer

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.connection.close()
        self.process.kill()
        self.process.join(5)

    @property
    def alive(self) -> bool:
        return self.process.is_alive() and not self.connection.closed


class WorkerPool:
    """`size` workers; each request holds one for the length of its job."""

    def __init__(self, size: int, files_per_worker: int) -> None:
        self.size = size
        self.files_per_worker = files_per_worker
        self._free: asyncio.Queue[Worker] | None = None
        self._all: list[Worker] = []

    async def start(self) -> None:
        self._free = asyncio.Queue()
        for _ in range(self.size):
            self._put(Worker())

    def _put(self, worker: Worker) -> None:
        assert self._free is not None
        self._all.append(worker)
        self._free.put_nowait(worker)

    async def run(self, job: Job, seconds: float) -> Answer:
        """The answer, or TimedOutError when no worker finished it within `seconds` (waiting included)."""
        assert self._free is not None, "start() the pool first"
        deadline = time.monotonic() + seconds
        try:
            worker = await asyncio.wait_for(self._free.get(), seconds)
        except TimeoutError:
            raise TimedOutError from None
        try:
            answer = await anyio.to_thread.run_sync(worker.run, job, deadline, abandon_on_cancel=True)
        except BaseException:
            self._replace(worker)
            raise
        if worker.done >= self.files_per_worker or not worker.alive:
            self._replace(worker)
        else:
            self._free.put_nowait(worker)
        return answer

    def _replace(self, worker: Worker) -> None:
        worker.stop()
        self._all.remove(worker)
        self._put(Worker())

    def stop(self) -> None:
        for worker in self._all:
            worker.stop()
        self._all.clear()

    @property
    def pids(self) -> Sequence[int | None]:
        return [worker.process.pid for worker in self._all]
