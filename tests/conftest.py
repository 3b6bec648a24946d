"""Shared fixtures: the CLI run in-process, a writable copy of the data, PDF inspection helpers."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from awareprint.cli import main
from awareprint.resources import DATA

# the persistent cache (awareprint/load/cache.py) of this test run, never the user's own
os.environ["AWAREPRINT_CACHE_DIR"] = tempfile.mkdtemp(prefix="awareprint-test-cache-")


settings.register_profile("ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=600, deadline=None)
# the long fuzzing run (`pytest -m fuzz`): about 10,000 cases over the tests of test_fuzz.py
settings.register_profile(
    "fuzz", max_examples=2_500, deadline=None, suppress_health_check=list(HealthCheck), print_blob=True
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_configure(config: pytest.Config) -> None:
    if "fuzz" in (config.option.markexpr or ""):
        settings.load_profile("fuzz")


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Run `awareprint ARGS` in this process and return exit code and output."""

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        try:
            main(list(args))
            code = 0
        except SystemExit as done:
            code = int(done.code or 0)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A writable copy of materials/, regions/ and templates/ for planting faults."""
    root = tmp_path / "data"
    for folder in ("materials", "regions", "templates"):
        shutil.copytree(DATA / folder, root / folder)
    return root


@pytest.fixture
def plant():  # type: ignore[no-untyped-def]
    """Replace one exact piece of a data file: the way tests plant a fault."""

    def replace_once(path: Path, old: str, new: str) -> None:
        text = path.read_text(encoding="utf-8")
        assert old in text, f"fixture text {old!r} not found in {path}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return replace_once


@pytest.fixture(scope="session")
def a3_poster(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default A3 poster (en, gb, parents), generated once through the CLI."""
    path = tmp_path_factory.mktemp("poster") / "poster.pdf"
    code = 0
    try:
        main(["poster", "--output", str(path)])
    except SystemExit as done:
        code = int(done.code or 0)
    assert code == 0, f"poster generation failed with exit code {code}"
    return path


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    """Debian's Chromium driven by Playwright (never a downloaded browser build); headless, one per run."""
    from playwright.sync_api import sync_playwright
    from system_tools import debian_command

    executable = debian_command("chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def axe():  # type: ignore[no-untyped-def]
    """Run axe-core on a Playwright page and return its violations (id, impact, help, targets)."""
    from system_tools import axe_script

    def run(page) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
        page.add_script_tag(content=axe_script())
        result = page.evaluate("async () => await axe.run(document)")
        return [
            {"id": v["id"], "help": v["help"], "targets": [node["target"] for node in v["nodes"]]}
            for v in result["violations"]
        ]

    return run
