"""Files in and out (issue 16): every input through one bounded reader, every output through one safe writer.

The invariant: exit 0 with a sound file, or one line and exit 1 with nothing written or changed; never a
traceback. Devices are planted with mknod in the test's own folder, never the system's /dev/null.
"""

from __future__ import annotations

import errno
import os
import resource
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from awareprint.diagnostics import AwareprintError
from awareprint.load.inputs import read_input
from awareprint.load.organisation import load_organisation
from awareprint.load.schema import load_yaml
from awareprint.render.images import open_logo
from awareprint.render.output import (
    PART_PREFIX,
    STALE_PART_SECONDS,
    output_file,
    sweep_parts,
    temporary_name,
    write_atomic,
)
from awareprint.render.pdfx import custom_profile

PROJECT = Path(__file__).resolve().parent.parent
DEFAULT_NAME = "poster-a3-en-gb-parents.pdf"


def one_error_line(err: str, *fragments: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err and "internal error" not in err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def refusal(action, *fragments: str) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(AwareprintError) as raised:
        action()
    line = raised.value.diagnostic.one_line()
    assert "\n" not in line
    for fragment in fragments:
        assert fragment in line, line
    return line


def parts(folder: Path) -> list[Path]:
    return sorted(folder.glob(".*.part"))


def null_device(folder: Path) -> Path:
    """A character device like /dev/null, in the test's folder: replacing it would harm nothing."""
    device = folder / "null"
    try:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device node needs root")
    return device


# ---- the writer


def test_a_device_as_output_is_refused_and_stays_a_device(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    device = null_device(tmp_path)
    result = cli("poster", "--output", str(device))
    assert result.code == 1
    one_error_line(result.err, "null", "is a device, not a file")
    assert stat.S_ISCHR(os.lstat(device).st_mode)
    assert parts(tmp_path) == []


@pytest.mark.parametrize("make", ["fifo", "folder"])
def test_a_fifo_or_folder_as_output_is_refused(tmp_path: Path, make: str) -> None:
    target = tmp_path / "target"
    if make == "fifo":
        os.mkfifo(target)
        expected = "is a pipe (FIFO), not a file"
    else:
        target.mkdir()
        expected = "the output path is a folder"
    refusal(lambda: write_atomic(target, b"%PDF"), expected)
    assert stat.S_ISFIFO(target.stat().st_mode) if make == "fifo" else target.is_dir()
    assert parts(tmp_path) == []


def test_a_link_to_a_fifo_is_refused_like_dev_stdout_in_a_pipe(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "stdout").symlink_to(tmp_path / "pipe")
    refusal(lambda: write_atomic(tmp_path / "stdout", b"%PDF"), "pipe")
    assert (tmp_path / "stdout").is_symlink()


def test_a_link_to_a_file_writes_the_file_and_keeps_the_link(tmp_path: Path) -> None:
    (tmp_path / "real.pdf").write_bytes(b"old")
    (tmp_path / "latest.pdf").symlink_to("real.pdf")
    write_atomic(tmp_path / "latest.pdf", b"new")
    assert (tmp_path / "latest.pdf").is_symlink()
    assert (tmp_path / "real.pdf").read_bytes() == b"new"


def test_a_full_disk_says_so_and_leaves_the_old_file(monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "poster.pdf"
    target.write_bytes(b"previous version")

    def no_space(handle: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", no_space)
    refusal(lambda: write_atomic(target, b"%PDF new"), "poster.pdf", "the disk is full")
    assert target.read_bytes() == b"previous version"
    assert parts(tmp_path) == []


def test_a_trailing_slash_writes_the_default_name_inside_a_new_folder(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("poster", "--output", f"{tmp_path / 'newdir'}/")
    assert result.code == 0, result.err
    assert (tmp_path / "newdir").is_dir()
    assert (tmp_path / "newdir" / DEFAULT_NAME).read_bytes().startswith(b"%PDF")


def test_an_existing_folder_without_a_slash_is_refused_with_the_way_out(tmp_path: Path) -> None:
    refusal(
        lambda: output_file(str(tmp_path), DEFAULT_NAME),
        "is a folder",
        f"end it with / to write {DEFAULT_NAME}",
    )
    assert output_file(f"{tmp_path}/", DEFAULT_NAME) == tmp_path / DEFAULT_NAME
    assert output_file("poster.pdf", DEFAULT_NAME) == Path("poster.pdf")


def test_the_longest_legal_name_is_written(tmp_path: Path) -> None:
    target = tmp_path / ("a" * 251 + ".pdf")  # 255 bytes: the temporary name must not add to it
    write_atomic(target, b"%PDF")
    assert target.read_bytes() == b"%PDF"
    assert len(temporary_name(target.name)) < 32


def test_a_name_too_long_is_one_line_and_makes_no_folder(tmp_path: Path) -> None:
    refusal(lambda: write_atomic(tmp_path / ("a" * 260 + ".pdf"), b"%PDF"), "264 bytes long", "255")
    refusal(lambda: write_atomic(tmp_path / "x" / ("b" * 260) / "y.pdf", b"%PDF"), "name of a folder")
    assert list(tmp_path.iterdir()) == []


def test_a_loop_of_links_or_a_nul_in_the_output_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "one").symlink_to("two")
    (tmp_path / "two").symlink_to("one")
    refusal(lambda: write_atomic(tmp_path / "one", b"%PDF"), "loop of symbolic links")
    refusal(lambda: write_atomic(tmp_path / "one" / "x.pdf", b"%PDF"), "loop of symbolic links")
    refusal(lambda: write_atomic(tmp_path / "a\0b.pdf", b"%PDF"), "NUL")
    assert (tmp_path / "one").is_symlink()


def test_what_is_in_the_way_of_the_output_folder_is_named(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    refusal(
        lambda: write_atomic(tmp_path / "pipe" / "x" / "a.pdf", b"%PDF"),
        "pipe is a pipe (FIFO), not a folder",
    )


# ---- temporary files: removed on SIGTERM and Ctrl-C, swept after SIGKILL

_SIGNAL_DURING_WRITE = """
import os, signal, sys
from awareprint.cli import main
fsync = os.fsync
def interrupted(handle):
    os.kill(os.getpid(), getattr(signal, sys.argv[2]))
    fsync(handle)
os.fsync = interrupted
main(["poster", "--output", sys.argv[1]])
"""


@pytest.mark.parametrize("name", ["SIGTERM", "SIGINT", "SIGHUP"])
def test_a_signal_during_the_write_removes_the_temporary_file(tmp_path: Path, name: str) -> None:
    target = tmp_path / "poster.pdf"
    target.write_bytes(b"previous version")
    command = [sys.executable, "-c", _SIGNAL_DURING_WRITE, str(target), name]
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=PROJECT, timeout=120)
    assert done.returncode == 130, done.stderr  # as for Ctrl-C: 128 + SIGINT
    assert "Traceback" not in done.stderr
    assert target.read_bytes() == b"previous version"
    assert parts(tmp_path) == []


def test_the_next_write_sweeps_what_a_kill_9_left_once_it_is_an_hour_old(tmp_path: Path) -> None:
    stale = tmp_path / temporary_name("killed.pdf")
    fresh = tmp_path / temporary_name("at-work.pdf")
    foreign = tmp_path / ".someone-elses.part"
    for part in (stale, fresh, foreign):
        part.write_bytes(b"%PDF half")
    hour_ago = time.time() - STALE_PART_SECONDS - 60
    os.utime(stale, (hour_ago, hour_ago))
    os.utime(foreign, (hour_ago, hour_ago))
    write_atomic(tmp_path / "poster.pdf", b"%PDF")
    assert set(parts(tmp_path)) == {
        foreign,
        fresh,
    }  # only our own, and only when no writer can still be at work


def test_a_batch_sweeps_the_temporary_files_of_its_own_items_only(tmp_path: Path) -> None:
    mine, theirs = tmp_path / temporary_name("a.pdf"), tmp_path / temporary_name("b.pdf")
    mine.write_bytes(b"")
    theirs.write_bytes(b"")
    sweep_parts(tmp_path, {"a.pdf"})
    assert parts(tmp_path) == [theirs]
    assert theirs.name.startswith(PART_PREFIX)


# ---- the reader


@pytest.mark.parametrize(
    "load",
    [
        load_yaml,
        load_organisation,
        open_logo,
        custom_profile,
        lambda path: read_input(path, 1000),
    ],
    ids=["data file", "organisation", "logo", "profile", "reader"],
)
@pytest.mark.parametrize("kind", ["link to /dev/zero", "fifo", "folder", "loop"])
def test_every_loader_refuses_what_is_not_a_regular_file(tmp_path: Path, load, kind: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "input"
    if kind == "link to /dev/zero":
        path.symlink_to("/dev/zero")
        expected = "is a device, not a file"
    elif kind == "fifo":
        os.mkfifo(path)  # opening it for reading must not wait for a writer
        expected = "is a pipe (FIFO), not a file"
    elif kind == "folder":
        path.mkdir()
        expected = "is a folder, not a file"
    else:
        path.symlink_to("input")
        expected = "loop of symbolic links"
    refusal(lambda: load(path), "input", expected)


def test_the_reader_reads_up_to_its_cap_and_refuses_one_byte_more(tmp_path: Path) -> None:
    path = tmp_path / "data.yaml"
    path.write_bytes(b"x" * 1000)
    assert read_input(path, 1000) == b"x" * 1000
    refusal(lambda: read_input(path, 999), "has more than 999 bytes")


@pytest.mark.parametrize(
    "args",
    [
        ["poster", "--org", "zero.yaml"],
        ["poster", "--logo", "zero.png"],
        ["poster", "--profile", "zero.icc"],
        ["strings", "import", "zero.po", "--lang", "fr"],
        ["strings", "import", "zero.xliff", "--lang", "fr"],
        ["batch", "--orgs", "zero.csv"],
        ["batch", "zero.yaml"],
        ["templates", "check", "zero.yaml"],
        ["preflight", "zero.pdf"],
        ["preview", "zero.pdf"],
    ],
)
def test_dev_zero_behind_any_input_is_one_line_not_all_memory(tmp_path: Path, args: list[str]) -> None:
    for name in ("zero.yaml", "zero.png", "zero.icc", "zero.po", "zero.xliff", "zero.csv", "zero.pdf"):
        (tmp_path / name).symlink_to("/dev/zero")

    def little_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    command = [sys.executable, str(PROJECT / "generate.py"), *args]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        preexec_fn=little_memory,
        timeout=120,
    )
    assert done.returncode == 1
    one_error_line(done.stderr, "zero.", "is a device, not a file")


@pytest.mark.parametrize("fault", ["a\\0b.png", "loop.png"])
def test_a_nul_or_a_loop_in_a_path_a_data_file_names_is_that_keys_error(tmp_path: Path, fault: str) -> None:
    (tmp_path / "loop.png").symlink_to("loop.png")
    org = tmp_path / "org.yaml"
    org.write_text(f'organisation:\n  name: Riverside\n  logo: "{fault}"\n', encoding="utf-8")
    line = refusal(lambda: load_organisation(org), "org.yaml:3", "organisation.logo")
    assert ("NUL" in line) if "\\0" in fault else ("loop of symbolic links" in line)


def test_a_po_file_with_plural_forms_is_refused_at_its_line(cli, data: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    before = (data / "materials" / "fr.yaml").read_bytes()
    exported = tmp_path / "fr.po"
    assert cli("--data", str(data), "strings", "export", "--lang", "fr", "--output", str(exported)).code == 0
    lines = exported.read_text(encoding="utf-8").splitlines()
    at = lines.index('msgctxt "labels.kicker"') + 2  # its msgstr
    lines[at : at + 1] = ['msgid_plural "Keeping children safe online"', 'msgstr[0] "Un"', 'msgstr[1] "Deux"']
    exported.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = cli("--data", str(data), "strings", "import", str(exported), "--lang", "fr")
    assert result.code == 1
    one_error_line(result.err, f"fr.po:{at + 1}:", "labels.kicker", "plural forms")
    assert (data / "materials" / "fr.yaml").read_bytes() == before


def test_a_write_that_fails_midway_leaves_the_last_good_file_intact(a3_poster: Path, tmp_path: Path) -> None:
    """The output is written to a temporary file and renamed, never in place: a write that fails part way
    (here a file size limit, as a full disk would) leaves the previous poster byte for byte as it was."""
    target = tmp_path / "poster.pdf"
    shutil.copyfile(a3_poster, target)
    good = target.read_bytes()

    def small_disk() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    command = [
        sys.executable,
        str(PROJECT / "generate.py"),
        "poster",
        "--lang",
        "pl",
        "--output",
        str(target),
    ]
    done = subprocess.run(command, capture_output=True, text=True, preexec_fn=small_disk, check=False)
    assert done.returncode == 1 and "cannot write the file" in done.stderr, done.stderr
    assert target.read_bytes() == good
    assert parts(tmp_path) == []
