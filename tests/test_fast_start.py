"""A fast start: what a command imports, and the plain conversion of its values that replaces pydantic.

Speed itself is measured in benchmarks/, never here; these tests pin the causes: modules a command must
not load, and values converted exactly as typer would convert them.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer._coercion import build_runtime_param, resolve_type_descriptor
from typer.models import OptionInfo

from awareprint.cli_values import _PlainValue
from awareprint.resources import DATA


def _loaded_after(tmp_path: Path, *args: str, cache: Path | None = None) -> set[str]:
    """Modules loaded by `awareprint ARGS` in a new process (with the given cache folder), each by its
    full name and its package's (`PIL.ImageCms` and `PIL`)."""
    script = (
        "import sys\nfrom awareprint.cli import main\n"
        f"try:\n    main({list(args)!r})\nexcept SystemExit:\n    pass\n"
        "print(' '.join(sorted(set(sys.modules) | {name.split('.')[0] for name in sys.modules})))"
    )
    env = {**os.environ, "AWAREPRINT_CACHE_DIR": str(cache)} if cache else None
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True, env=env
    )
    return set(done.stdout.split())


def test_a_poster_loads_neither_pydantic_nor_fonttools_tables(tmp_path: Path) -> None:
    """Nor pikepdf (the renderer writes PDF/X itself) nor rich (its one line is plain text)."""
    args = ("--data", str(DATA), "poster", "--output", str(tmp_path / "p.pdf"))
    assert "yaml" in _loaded_after(tmp_path, *args, cache=tmp_path / "cache")  # fills the cache
    loaded = _loaded_after(tmp_path, *args, cache=tmp_path / "cache")
    assert (tmp_path / "p.pdf").stat().st_size > 10_000
    assert not loaded & {"pydantic", "pikepdf", "rich", "yaml"}  # data files read back from the cache
    assert not loaded & {"PIL.ImageCms", "awareprint.render.images"}  # Pillow's colour management: logos
    assert "reportlab" in loaded
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, awareprint.pipeline, awareprint.render.pdf; print('fontTools.ttLib' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "False"


@pytest.mark.parametrize("args", [("--help",), ("templates", "check", "templates/poster-a3.yaml")])
def test_help_and_check_load_no_renderer(tmp_path: Path, args: tuple[str, ...]) -> None:
    """Help renders nothing; `templates check` renders to read its text back, but never finishes a PDF/X."""
    if args[0] == "templates":
        args = (*args[:2], str(DATA / args[2]))
    loaded = _loaded_after(tmp_path, *args)
    assert not loaded & {"pydantic", "pikepdf"}
    assert ("reportlab" in loaded) == (args[0] == "templates")
    assert ("msgspec" in loaded) == (args[0] == "templates")  # 8 ms, for the records help has none of
    if args == ("--help",):
        assert "rich" not in loaded and "awareprint.pipeline" not in loaded


@pytest.mark.parametrize(
    "line",
    [
        "wrote out/poster-a3-en-gb-parents.pdf",
        "",
        "  trailing and leading spaces  ",
        "error: ar.yaml: key 'tips': لا تنشر [صورًا] (fix: see `awareprint check`)",
        "two\nlines",
        "a tab\there, a bell \a and a return\r",  # rich expands and strips these
        "an :warning: code and 12:30:45",  # rich replaces emoji codes
        "[bold]markup[/bold] as text",
    ],
)
@pytest.mark.parametrize("markup", [False, None])
def test_a_plain_line_is_printed_as_rich_prints_it(
    line: str, markup: bool | None, capsys: pytest.CaptureFixture[str]
) -> None:
    from rich.console import Console  # noqa: TID251 (what the plain lines are held to)

    from awareprint.cli import _Terminal

    options = {"markup": markup} if markup is False else {}
    for stderr in (False, True):
        _Terminal(stderr).print(line, **options)
        ours = capsys.readouterr()
        Console(stderr=stderr, highlight=False, soft_wrap=True).print(line, **options)
        assert ours == capsys.readouterr()


def _both(annotation: object, value: object, info: OptionInfo | None = None) -> tuple[object, object]:
    """The plain conversion's result and typer's own, for one value."""
    import typer

    info = info or OptionInfo()
    descriptor = resolve_type_descriptor(annotation, info)
    is_list = isinstance(value, tuple)
    param = typer.core.TyperOption(param_decls=["--x"], type_descriptor=descriptor, multiple=is_list)
    ctx = typer.Context(typer.core.TyperCommand("x"))
    plain = _PlainValue(parameter_info=info, annotation=annotation).coerce(value, param, ctx)
    typers = build_runtime_param(descriptor).coerce(value, param, ctx)
    return plain, typers


@pytest.mark.parametrize(
    ("annotation", "value"),
    [
        (str, "en"),
        (str, ""),
        (str, " zh-Hans "),
        (Path, "out/poster.pdf"),
        (Path, "out/"),
        (Path, ""),
        (Path, "~/x.pdf"),
        (Path, "-"),
        (bool, True),
        (bool, False),
        (bool, " yes "),  # not a flag's bool: left to typer's own conversion
        (list[str], ("en", "fr")),
        (list[str], ()),
        (list[Path], ("a.pdf", "b/")),
        (str, None),
        (Path, None),
    ],
)
def test_plain_values_convert_as_typer_converts_them(annotation: object, value: object) -> None:
    plain, typers = _both(annotation, value)
    assert plain == typers
    assert type(plain) is type(typers)


def _every_command(group: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and group's path under `group` (typer's own click: a group has `commands`)."""
    found = []
    for name, command in group.commands.items():
        found.append((*path, name))
        if hasattr(command, "commands"):
            found += _every_command(command, (*path, name))
    return found


def _output(app: object, args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[object, str, str]:
    try:
        result: object = app(args=args, prog_name="awareprint", standalone_mode=False)  # type: ignore[operator]
    except Exception as error:  # a usage error, raised as the whole app raises it
        result = (type(error).__name__, getattr(error, "format_message", str)())
    captured = capsys.readouterr()
    return result, captured.out, captured.err


def test_the_app_built_for_one_command_answers_as_the_whole_app(capsys: pytest.CaptureFixture[str]) -> None:
    """main() builds only the command it runs (typer reads every command's signature first): its help,
    its usage errors and its group's listing must be the whole app's."""
    import typer.main

    from awareprint.cli import _app_for, app

    commands = _every_command(typer.main.get_command(app))
    assert {"poster", "batch", "serve", "templates", "strings"} <= {c[0] for c in commands}
    cases = [[*command, "--help"] for command in commands]
    cases += [
        ["poster", "--bogus"],
        ["--data", str(DATA), "batch", "--help"],
        ["--data=/nowhere", "poster"],
        ["templates", "chek"],
    ]
    cases += [["postr"], ["--help"], ["--version"]]
    for args in cases:
        pruned = _app_for(args)
        if args[0] in {c[0] for c in commands} and "postr" not in args:
            assert pruned is not app, args
            assert len(pruned.registered_commands) + len(pruned.registered_groups) == 1, args
        whole = _output(app, args, capsys)
        assert _output(pruned, args, capsys) == whole, args
        assert "--help" not in args or "Usage: awareprint" in whole[1], args


def test_the_package_defines_its_data_as_structs_not_dataclasses() -> None:
    """Python 3.11 compiles each dataclass's methods with exec, 0.6 to 0.75 ms a class at import (a cold
    poster makes 93 of them: a sixth of its time); a msgspec Struct is made in C in about 0.02 ms."""
    package = Path(__file__).resolve().parent.parent / "awareprint"
    imports = re.compile(r"^\s*(from dataclasses |import dataclasses)", re.MULTILINE)
    using = [p.name for p in package.rglob("*.py") if imports.search(p.read_text(encoding="utf-8"))]
    assert using == []
