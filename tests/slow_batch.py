"""`python tests/slow_batch.py SECONDS ARGS...` runs `awareprint ARGS` with every file of a batch taking
SECONDS longer in its worker. A test's signal then reliably arrives while the batch is at work, so a batch
that ignored it would run to its end and fail the test (instead of the test skipping as "too late")."""

from __future__ import annotations

import sys
from concurrent.futures import Future, ProcessPoolExecutor

from batch_workers import made_slowly

import awareprint.batch.run as batch_run
from awareprint.cli import main

DELAY = float(sys.argv[1])


class SlowPool(ProcessPoolExecutor):
    def submit(self, function, /, *args, **kwargs) -> Future:  # type: ignore[no-untyped-def, override]
        return super().submit(made_slowly, DELAY, *args, **kwargs)


if __name__ == "__main__":
    batch_run.ProcessPoolExecutor = SlowPool  # type: ignore[misc]
    main(sys.argv[2:])
