"""A repr that leaves fields out: msgspec has no `field(repr=False)`.

Secrets (a password, the CSRF key) must not reach a log or a traceback, and a file's bytes (megabytes of
PDF) would bury the rest of the repr.
"""

from __future__ import annotations

import msgspec


def repr_without(struct: msgspec.Struct, *hidden: str) -> str:
    """`Name(field=value, ...)` as msgspec writes it, without the `hidden` fields."""
    shown = (f"{name}={getattr(struct, name)!r}" for name in struct.__struct_fields__ if name not in hidden)
    return f"{type(struct).__qualname__}({', '.join(shown)})"
