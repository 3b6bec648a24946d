"""Command-line values converted without pydantic, so that a command starts fast.

typer 0.29 converts every parameter's value through a pydantic `TypeAdapter` built on first use:
importing pydantic and building one adapter per option (`--help` and flags included, even when not
given) costs about 60 ms of every command, as much as the rest of the command line. awareprint's
parameters are plain (text, flags, paths and lists of them, no parser), and those are converted here
exactly as typer converts them: text as given, a path through typer's own path checks. Anything else
(numbers with bounds, a value from an unexpected source) goes to typer's adapter.

This leans on typer's private parameter hooks (`_runtime_param`, `type_descriptor`), hence the upper
bound on typer in pyproject.toml; without them `install` does nothing and typer converts everything.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

try:
    from typer._coercion import RuntimeParam, build_runtime_param
    from typer._param_types import coerce_cli_path
    from typer.core import _TyperParameter
except ImportError:  # another typer: it converts every value itself
    RuntimeParam = None  # type: ignore[assignment,misc]

_LEAVES = (str, Path)


def install() -> None:
    """From now on, plain parameters (`--help` and flags included) take the converter below (idempotent).

    At the class, not per parameter: typer makes a command's `--help` option only while it parses."""
    if RuntimeParam is None or getattr(_TyperParameter.get_runtime_param, "plain", False):
        return
    typers_own = _TyperParameter.get_runtime_param

    def get_runtime_param(param: Any) -> Any:
        descriptor = param.type_descriptor
        if param._runtime_param is None and _is_plain(descriptor):
            param._runtime_param = _PlainValue(
                parameter_info=descriptor.parameter_info, annotation=descriptor.annotation
            )
        return typers_own(param)

    get_runtime_param.plain = True  # type: ignore[attr-defined]
    _TyperParameter.get_runtime_param = get_runtime_param  # type: ignore[method-assign, assignment]


def _is_plain(descriptor: Any) -> bool:
    info = descriptor.parameter_info
    if info.parser is not None or info.path_type is not None or descriptor.file_annotation is not None:
        return False
    annotation = descriptor.annotation
    return annotation in (*_LEAVES, bool) or annotation in (list[str], list[Path])


if RuntimeParam is not None:

    class _PlainValue(RuntimeParam):
        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            annotation = self.annotation
            if annotation is bool and isinstance(value, bool):
                return value
            if isinstance(value, str) and annotation in _LEAVES:
                return self._leaf(annotation, value, param, ctx)
            if isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
                if annotation == list[str]:
                    return list(value)
                if annotation == list[Path]:
                    return [self._leaf(Path, item, param, ctx) for item in value]
            # anything else: typer's own conversion, from now on for this parameter
            param._runtime_param = build_runtime_param(param.type_descriptor)
            return param._runtime_param._coerce_value(value, param=param, ctx=ctx)

        def _leaf(self, annotation: type, value: str, param: Any, ctx: Any) -> Any:
            if annotation is str:
                return value
            # typer's checks (exists, file_okay, ...), with the path as text, then as pydantic makes it
            return Path(
                os.fsdecode(coerce_cli_path(value, self.parameter_info, path_type=None, param=param, ctx=ctx))
            )
