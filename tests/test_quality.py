"""Code habits the project holds itself to: ruff clean, reportlab only in the renderer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def test_ruff_is_clean() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--output-format", "concise", "."],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_only_the_renderer_imports_reportlab() -> None:
    importers = {
        path.relative_to(PROJECT).as_posix()
        for path in (PROJECT / "awareprint").rglob("*.py")
        if "import reportlab" in path.read_text() or "from reportlab" in path.read_text()
    }
    assert importers == {"awareprint/render/pdf.py"}
