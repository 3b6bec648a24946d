"""Code habits the project holds itself to: ruff clean, reportlab only in the renderer."""

from __future__ import annotations

import os
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
    assert importers == {"awareprint/render/pdf.py", "awareprint/render/embedding.py"}  # and its fonts


def test_ci_runs_the_shaping_oracle() -> None:
    """The oracle in test_oracle.py skips where Pillow lacks libraqm; in CI that must be an error."""
    from PIL import features

    if os.environ.get("CI") and not features.check("raqm"):
        raise AssertionError("CI must run the shaping oracle: .ci/run installs libfribidi0 for libraqm")
