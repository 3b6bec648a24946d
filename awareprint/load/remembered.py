"""Loaders remembered in a process by the bytes they read, so a batch (or the web app's workers) builds a
template, a language, a region and the study's figures once, not once per file.

A remembered loader's result is kept with every file it read, byte for byte, and every file it looked
for and did not find (an overlay's copy, a base template beside the one extending it). It is used again
only while each of those files still holds the same bytes and each missing one is still missing, so an
edited data file is read again at once: the key is the content, as in the persistent cache, never a time
stamp. A loader that fails keeps nothing: its mistake is reported every time. Results are frozen data,
shared by every caller, and never changed.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable
from contextvars import ContextVar
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from awareprint.diagnostics import AwareprintError

Read = tuple[Path, bytes | None]  # a file and its bytes, or None: looked for and not there

P = ParamSpec("P")
T = TypeVar("T")

_reads: ContextVar[list[Read] | None] = ContextVar("awareprint_reads", default=None)


def note(path: Path, data: bytes | None) -> None:
    """Tell the loader being remembered, if any, that it read `path` (None: looked for it, found none)."""
    reads = _reads.get()
    if reads is not None:
        reads.append((path, data))


def remembered(maxsize: int) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Remember a loader's last `maxsize` results by its (hashable) arguments and what it read."""

    def decorate(load: Callable[P, T]) -> Callable[P, T]:
        entries: OrderedDict[Any, tuple[T, tuple[Read, ...]]] = OrderedDict()
        lock = threading.Lock()

        @functools.wraps(load)
        def remembering(*args: P.args, **kwargs: P.kwargs) -> T:
            key = (args, tuple(sorted(kwargs.items())))
            with lock:
                entry = entries.get(key)
            if entry is not None and all(_unchanged(read) for read in entry[1]):
                with lock:
                    if key in entries:
                        entries.move_to_end(key)
                _pass_on(entry[1])
                return entry[0]
            reads: list[Read] = []
            token = _reads.set(reads)
            try:
                value = load(*args, **kwargs)
            finally:
                _reads.reset(token)
                _pass_on(reads)  # a caller that falls back on this one's mistake read what it read too
            with lock:
                entries[key] = (value, tuple(dict.fromkeys(reads)))  # a file read twice is checked once
                while len(entries) > maxsize:
                    entries.popitem(last=False)
            return value

        remembering.cache_clear = entries.clear  # type: ignore[attr-defined]
        return remembering

    return decorate


def _pass_on(reads: list[Read] | tuple[Read, ...]) -> None:
    """A remembered loader called by another one: what it read, the caller read too."""
    outer = _reads.get()
    if outer is not None:
        outer.extend(reads)


def _unchanged(read: Read) -> bool:
    from .inputs import read_input  # (inputs notes its reads here)

    path, data = read
    if data is None:
        return not path.exists()
    token = _reads.set(None)  # a check, not a read of the loader running now
    try:
        return read_input(path, len(data)) == data
    except AwareprintError:  # gone, grown, no longer a regular file
        return False
    finally:
        _reads.reset(token)
