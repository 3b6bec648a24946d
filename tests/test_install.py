"""Installed as a charity's IT person would (a wheel, not this checkout), the tool finds its own content:
build the wheel, install it into a clean virtual environment, make a poster in an empty folder and start the
server there.

No network: the wheel is built with this environment's setuptools, installed without its dependencies, and
the dependencies come from this environment's site-packages (a .pth line; not this checkout).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
import zipfile
from pathlib import Path

import pypdfium2 as pdfium

PROJECT = Path(__file__).resolve().parent.parent
_NOT_SHIPPED = shutil.ignore_patterns(
    ".git", ".venv*", "build", "dist", "out", "*.egg-info", "__pycache__", ".*cache", ".hypothesis", "tests"
)


def _run(*command: str | Path, cwd: Path) -> str:
    done = subprocess.run(
        [str(part) for part in command], cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def test_a_wheel_installed_in_a_clean_environment_makes_a_poster_in_an_empty_folder(tmp_path: Path) -> None:
    source = tmp_path / "source"  # a clean copy: no stale build/ from an earlier run slips into the wheel
    shutil.copytree(PROJECT, source, ignore=_NOT_SHIPPED)
    wheels = tmp_path / "wheels"
    _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "-q",
        "--no-deps",
        "--no-build-isolation",
        "-w",
        wheels,
        source,
        cwd=tmp_path,
    )
    (wheel,) = wheels.glob("awareprint-*.whl")
    shipped = zipfile.ZipFile(wheel).namelist()
    for data in (
        "materials/source.yaml",
        "regions/gb.yaml",
        "templates/poster-a3.yaml",
        "fonts/manifest.yaml",
    ):
        assert f"awareprint/data/{data}" in shipped
    assert "awareprint/data/profiles/FOGRA39L-coated.icc" in shipped

    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    _run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "-q",
        "--no-deps",
        "--no-index",
        wheel,
        cwd=tmp_path,
    )
    site = Path(
        _run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=tmp_path).strip()
    )
    (site / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")

    empty = tmp_path / "empty"
    empty.mkdir()
    awareprint = venv / "bin" / "awareprint"
    where = _run(python, "-c", "import awareprint; print(awareprint.__file__)", cwd=empty)
    assert where.startswith(str(site)), where  # the wheel's copy, not this checkout
    assert _run(awareprint, "--version", cwd=empty).strip() == "awareprint 0.1.0"
    assert "poster-a3" in _run(awareprint, "templates", cwd=empty)
    _run(awareprint, "poster", "--lang", "fr", "--region", "fr", "--output", "poster.pdf", cwd=empty)
    text = pdfium.PdfDocument(empty / "poster.pdf")[0].get_textpage().get_text_range()
    text = text.replace("\xa0", " ").replace("\u202f", " ")  # French spaces before : and %
    assert "Source : Internet Watch Foundation (IWF), 2018" in text
    assert "96 %" in text
    assert sorted(p.name for p in empty.iterdir()) == ["poster.pdf"]
    _serves_its_form(awareprint, empty)


def _serves_its_form(awareprint: Path, folder: Path) -> None:
    """The server's smoke test, from the installed copy: it starts, answers its form, and stops."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [str(awareprint), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as answer:
                    page = answer.read().decode("utf-8")
                break
            except OSError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline, "the installed server did not answer within 60 s"
                time.sleep(0.5)
        assert "<form" in page and 'name="template"' in page
    finally:
        server.terminate()
        server.wait(timeout=30)
