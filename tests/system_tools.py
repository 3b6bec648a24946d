"""Tools outside Python that some tests drive: Debian's Chromium and poppler, and axe-core from npm.

The README's test command must pass on a fresh machine, so a missing tool is installed here, once per run,
by its ordinary client (apt-get as root, npm from package.json); nothing downloads a browser build. When
it cannot be installed, the test fails with one line saying what to install: never a silent skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
AXE = PROJECT / "node_modules" / "axe-core" / "axe.min.js"

# the command each Debian package brings
_DEBIAN = {"chromium": "chromium", "pdftotext": "poppler-utils", "pdfinfo": "poppler-utils"}


def _missing(message: str) -> None:
    pytest.fail(message, pytrace=False)


@cache
def _apt_updated() -> None:
    subprocess.run(["apt-get", "update", "-qq"], check=True, capture_output=True, timeout=600)


def debian_command(command: str) -> str:
    """The path of `command`, installing its Debian package first when it is missing and we are root."""
    found = shutil.which(command)
    if found:
        return found
    package = _DEBIAN[command]
    if os.geteuid() == 0 and shutil.which("apt-get"):
        try:
            _apt_updated()
            subprocess.run(
                ["apt-get", "install", "-y", "-qq", package],
                check=True,
                capture_output=True,
                timeout=900,
                env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
            )
        except (subprocess.SubprocessError, OSError) as failed:
            _missing(f"{command} is missing and `apt-get install {package}` failed: {failed}")
        found = shutil.which(command)
    if not found:
        _missing(f"{command} is missing: install Debian's {package} (apt-get install {package})")
    assert found
    return found


@cache
def axe_script() -> str:
    """axe-core's browser bundle, installed from package.json with npm when node_modules is missing."""
    if not AXE.is_file():
        npm = shutil.which("npm")
        if npm is None:
            _missing("axe-core is missing and so is npm: install Debian's npm, then `npm ci`")
            raise AssertionError
        lock = (PROJECT / "package-lock.json").is_file()
        command = [npm, "ci" if lock else "install", "--no-audit", "--no-fund", "--silent"]
        done = subprocess.run(command, cwd=PROJECT, capture_output=True, text=True, timeout=600)
        if done.returncode != 0 or not AXE.is_file():
            _missing(f"`npm {command[1]}` could not install axe-core: {done.stderr.strip()[-300:]}")
    return AXE.read_text(encoding="utf-8")
