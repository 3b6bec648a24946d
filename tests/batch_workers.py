"""What a batch worker runs in the tests that plant a fault in it (a death, a hang, slow work): kept apart
from the test modules so that a worker imports only this, not pytest and the test suite."""

from __future__ import annotations

import os
import signal
import time

from awareprint.batch import BatchItem, BatchSpec, make_item


def dies_making_german(item: BatchItem, *args: object) -> object:
    """A file that kills its worker, as a file that needs more memory than the machine has would."""
    if item.language == "de":
        os._exit(9)
    return make_item(item, *args)  # type: ignore[arg-type]


def stops_making_german(item: BatchItem, *args: object) -> object:
    """A file whose worker stops (SIGSTOP, as `kill -STOP` or a debugger would) and never finishes."""
    if item.language == "de":
        os.kill(os.getpid(), signal.SIGSTOP)
    return make_item(item, *args)  # type: ignore[arg-type]


def stops_once_making_german(item: BatchItem, inputs: str, spec: BatchSpec, *args: object) -> object:
    """The first worker to meet German stops; the next one makes it (a marker beside the output folder
    tells them apart, as workers share nothing else)."""
    marker = spec.output.parent / "stopped-once"
    if item.language == "de" and not marker.exists():
        marker.touch()
        os.kill(os.getpid(), signal.SIGSTOP)
    return make_item(item, inputs, spec, *args)  # type: ignore[arg-type]


def made_slowly(delay: float, item: BatchItem, *args: object) -> object:
    """A file that takes `delay` seconds longer, so that a signal reliably finds the batch at work."""
    time.sleep(delay)
    return make_item(item, *args)  # type: ignore[arg-type]
