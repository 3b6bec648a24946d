"""What a batch worker runs in the tests that plant a dying worker: kept apart from the test modules so
that a worker imports only this, not pytest and the test suite."""

from __future__ import annotations

import os

from awareprint.batch import BatchItem, make_item


def dies_making_german(item: BatchItem, *args: object) -> object:
    """A file that kills its worker, as a file that needs more memory than the machine has would."""
    if item.language == "de":
        os._exit(9)
    return make_item(item, *args)  # type: ignore[arg-type]
