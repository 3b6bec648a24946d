"""The command line as a user meets it: defaults, listings, one-line errors, nothing half-written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent


def assert_one_line_error(err: str, *fragments: str) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line, got: {err!r}"
    assert lines[0].startswith("error: ")
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.mark.parametrize(
    "command", [[], ["poster"], ["templates"], ["languages"], ["regions"], ["check"], ["strings", "export"]]
)
def test_help_everywhere(cli, command: list[str]) -> None:  # type: ignore[no-untyped-def]
    result = cli(*command, "--help")
    assert result.code == 0
    assert "Usage" in result.out


def test_listings(cli) -> None:  # type: ignore[no-untyped-def]
    templates = cli("templates")
    assert templates.code == 0
    assert "poster-a3" in templates.out and "A3 poster (297 x 420 mm)" in templates.out
    assert len(templates.out.splitlines()) == 12  # 9 printed designs and 3 social images
    assert "leaflet-a4-trifold   leaflet" in templates.out
    languages = cli("languages")
    assert "en       English (English), source" in languages.out
    regions = cli("regions")
    assert "gb   United Kingdom" in regions.out and "us   United States" in regions.out


def test_no_command_generates_the_default_posters(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    result = cli()
    assert result.code == 0, result.err
    made = sorted(p.name for p in (tmp_path / "out").glob("*.pdf"))
    assert "poster-a3-en-gb-parents.pdf" in made
    assert len(made) == 5
    assert str(tmp_path / "out") in result.out


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["poster", "--lang", "xx"], ["unknown language 'xx'", "choose one of: ar, ", " en, "]),
        (["poster", "--region", "zz"], ["unknown region 'zz'", " gb, ", " us"]),
        (["poster", "--template", "poster-a0"], ["unknown template 'poster-a0'"]),
        (["poster", "--audience", "kids"], ["parents or professionals"]),
        (["poster", "--colour", "red"], ["No such option"]),
        (["--data", "/no/such/folder", "templates"], ["data folder not found"]),
    ],
)
def test_user_mistakes_get_one_line_and_exit_1(cli, args: list[str], fragments: list[str]) -> None:  # type: ignore[no-untyped-def]
    result = cli(*args)
    assert result.code == 1
    assert_one_line_error(result.err, *fragments)


def test_broken_yaml_names_file_and_line(cli, data: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = data / "materials" / "en.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if line.startswith("  kicker:"))
    lines[number] = "  kicker: [Keeping children safe online"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = cli("--data", str(data), "poster", "--output", str(tmp_path / "p.pdf"))
    assert result.code == 1
    assert_one_line_error(result.err, "en.yaml:", "YAML syntax error")
    assert not (tmp_path / "p.pdf").exists()


def test_failure_leaves_the_previous_file_untouched(cli, data: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    output = tmp_path / "poster.pdf"
    output.write_bytes(b"previous version")
    path = data / "materials" / "en.yaml"
    text = path.read_text(encoding="utf-8")
    long_headline = "An extraordinarily long headline " * 12
    text = text.replace(
        "    headline: Live streaming can put children at risk, even at home",
        f"    headline: {long_headline}",
    )
    path.write_text(text, encoding="utf-8")
    result = cli("--data", str(data), "poster", "--output", str(output))
    assert result.code == 1
    assert_one_line_error(result.err, "does not fit slot 'headline'")
    assert output.read_bytes() == b"previous version"
    assert list(tmp_path.glob(".*.part")) == []
    accepted = cli("--data", str(data), "poster", "--output", str(output), "--allow-overflow")
    assert accepted.code == 0
    assert output.read_bytes().startswith(b"%PDF")
    assert "error: " in accepted.err  # still reported


def test_output_is_readable_by_others_as_the_umask_allows(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    output = tmp_path / "poster.pdf"
    previous = os.umask(0o022)
    try:
        assert cli("poster", "--output", str(output)).code == 0
    finally:
        os.umask(previous)
    assert output.stat().st_mode & 0o777 == 0o644


def test_unwritable_output_is_a_user_error(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = cli("poster", "--output", str(blocker / "poster.pdf"))
    assert result.code == 1
    assert_one_line_error(result.err, "cannot create the output folder")


def test_real_entry_point_is_reproducible_across_processes(tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "2"):
        output = tmp_path / f"{seed}.pdf"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, str(PROJECT / "generate.py"), "poster", "--output", str(output)],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert f"wrote {output}" in done.stdout
        outputs.append(output.read_bytes())
    assert outputs[0] == outputs[1]
