"""Batch production: the matrix, shards, skipping what is up to date, and nothing lost when interrupted."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pikepdf
import pytest
from hypothesis import given
from hypothesis import strategies as st

from awareprint.batch import BatchItem, BatchSpec, load_batch_file, matrix, parse_shard, resolve_spec, shard
from awareprint.diagnostics import AwareprintError, Diagnostic, Severity
from awareprint.load.folders import Folders

PROJECT = Path(__file__).resolve().parent.parent
SMALL = ["--template", "card-a6", "--audience", "parents", "--no-preflight"]


def manifest(folder: Path, name: str = "manifest.json") -> dict[str, dict[str, object]]:
    return {item["output"]: item for item in json.loads((folder / name).read_text())["items"]}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---- the matrix, without making anything


def test_all_expands_from_the_data_folders() -> None:
    spec = resolve_spec(Folders(), Path("out"))
    assert spec.languages[0] == "en" and len(spec.languages) == 30
    assert "poster-a3" in spec.templates and "leaflet-a4-trifold" in spec.templates
    assert "_leaflet" not in spec.templates
    assert spec.audiences == ("parents", "professionals")
    assert spec.regions == ("gb",) and spec.editions == ("print",)
    items = matrix(spec)
    # social designs are made only in the social edition
    assert spec.social_templates == ("social-link", "social-portrait", "social-square")
    assert len(items) == 30 * (len(spec.templates) - len(spec.social_templates)) * 2
    assert len({item.name for item in items}) == len(items)
    social = matrix(resolve_spec(Folders(), Path("out"), languages=("en",), editions=("print", "social")))
    assert {item.template for item in social if item.edition == "social"} == set(spec.social_templates)
    assert not {item.template for item in social if item.edition == "print"} & set(spec.social_templates)


def test_unknown_names_are_refused_before_any_work() -> None:
    with pytest.raises(AwareprintError, match=r"unknown language .xx..*choose from: all, en, "):
        resolve_spec(Folders(), Path("out"), languages=("en", "xx"))
    with pytest.raises(AwareprintError, match="unknown edition 'paper'"):
        resolve_spec(Folders(), Path("out"), editions=("paper",))


@given(st.integers(min_value=0, max_value=60), st.integers(min_value=1, max_value=9))
def test_shards_split_the_matrix_exactly_once(size: int, count: int) -> None:
    items = [BatchItem(f"l{i}", "t", "parents", "gb", "print") for i in range(size)]
    shards = [shard(items, k, count) for k in range(1, count + 1)]
    assert sorted(i.language for s in shards for i in s) == sorted(i.language for i in items)
    assert max(map(len, shards)) - min(map(len, shards)) <= 1
    assert shards == [shard(items, k, count) for k in range(1, count + 1)]  # the same every time


@pytest.mark.parametrize("text", ["0/4", "5/4", "2", "a/b", "1/0"])
def test_a_bad_shard_is_one_clear_error(text: str) -> None:
    with pytest.raises(AwareprintError, match="is not K/N"):
        parse_shard(text)


def test_batch_file_lists_and_relative_paths(tmp_path: Path) -> None:
    (tmp_path / "org.yaml").write_text("organisation:\n  name: Riverside Primary\n")
    batch = tmp_path / "school.yaml"
    batch.write_text(
        "batch:\n  languages: [en, pl]\n  templates: card-a6\n  organisation: org.yaml\n  output: pdfs\n"
    )
    found = load_batch_file(batch, Folders())
    assert found["languages"] == ("en", "pl") and found["templates"] == ("card-a6",)
    assert found["organisation"] == tmp_path / "org.yaml" and found["output"] == tmp_path / "pdfs"


@pytest.mark.parametrize(
    ("body", "fragments"),
    [
        (
            "batch:\n  langauges: [en]\n",
            ["school.yaml:2", "unknown key 'langauges'", "did you mean 'languages'"],
        ),
        ("batch:\n  output: ../../elsewhere\n", ["school.yaml:2", "points outside the batch file's folder"]),
        ("batch:\n  output: /tmp/x\n", ["points outside"]),
        ("batch:\n  organisation: missing.yaml\n", ["file not found: missing.yaml"]),
        ("batch:\n  languages: []\n", ["the list is empty"]),
        ("batch:\n  pdfx: x3\n", ["'x3' is not one of x4, x1a"]),
        ("batch: !!python/object/apply:os.system [echo]\n", ["YAML tag", "is not allowed"]),
    ],
)
def test_bad_batch_files_name_file_line_and_fix(tmp_path: Path, body: str, fragments: list[str]) -> None:
    batch = tmp_path / "school.yaml"
    batch.write_text(body)
    with pytest.raises(AwareprintError) as raised:
        load_batch_file(batch, Folders())
    for fragment in fragments:
        assert fragment in str(raised.value)


# ---- running, in this process (one worker) and in a pool


def test_batch_makes_checks_and_records_every_file(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "campaign"
    result = cli(
        "batch",
        "--lang",
        "en,ar",
        "--template",
        "card-a6",
        "--audience",
        "parents",
        "--jobs",
        "1",
        "--output",
        str(folder),
    )
    assert result.code == 0, result.err
    assert "2 files (2 languages x 1 templates x 1 audiences x 1 regions x 1 editions)" in result.err
    records = manifest(folder)
    assert sorted(records) == ["card-a6-ar-gb-parents.pdf", "card-a6-en-gb-parents.pdf"]
    for name, record in records.items():
        path = folder / name
        assert record["status"] == "ok" and record["sha256"] == sha256(path)
        assert record["bytes"] == path.stat().st_size and record["pages"] == 2
        assert record["standard"] == "PDF/X-4" and 200 < record["max_ink"] <= 300  # preflight ran
        with pikepdf.open(path) as pdf:
            assert len(pdf.pages) == 2
            assert str(pdf.Root.Lang).startswith(str(record["language"]))
    assert any(
        "Arabic translation: draft, not yet reviewed by a native speaker" in line
        for line in records["card-a6-ar-gb-parents.pdf"]["diagnostics"]
    )
    assert "made" in result.out and "manifest:" in result.out
    assert not list(folder.glob(".*"))  # no temporary files, no journal left after a full run


def test_a_rerun_skips_what_is_up_to_date_and_redoes_what_changed(cli, data: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "campaign"
    args = (
        "--data",
        str(data),
        "batch",
        "--lang",
        "en,pl,de",
        *SMALL,
        "--jobs",
        "1",
        "--output",
        str(folder),
    )
    assert cli(*args).code == 0
    times = {p.name: p.stat().st_mtime_ns for p in folder.glob("*.pdf")}

    again = cli(*args)
    assert again.code == 0 and "0 made, 3 up to date, 0 failed" in again.out
    assert times == {p.name: p.stat().st_mtime_ns for p in folder.glob("*.pdf")}

    polish = data / "materials" / "pl.yaml"
    polish.write_text(polish.read_text(encoding="utf-8") + "\n# a reviewer's note\n", encoding="utf-8")
    (folder / "card-a6-de-gb-parents.pdf").write_bytes(b"%PDF-1.6 damaged")  # a file changed by hand
    third = cli(*args)
    assert third.code == 0
    assert "2 made, 1 up to date, 0 failed" in third.out
    assert times["card-a6-en-gb-parents.pdf"] == (folder / "card-a6-en-gb-parents.pdf").stat().st_mtime_ns
    assert manifest(folder)["card-a6-de-gb-parents.pdf"]["sha256"] == sha256(
        folder / "card-a6-de-gb-parents.pdf"
    )


def test_one_failure_does_not_stop_the_others(cli, data: Path, tmp_path: Path, plant) -> None:  # type: ignore[no-untyped-def]
    plant(data / "materials" / "pl.yaml", "  direction: ltr", "  directionn: ltr")
    folder = tmp_path / "campaign"
    result = cli(
        "--data", str(data), "batch", "--lang", "en,pl,de", *SMALL, "--jobs", "0", "--output", str(folder)
    )
    assert result.code == 1
    assert "failed: card-a6-pl-gb-parents.pdf: error: " in result.err
    assert "unknown key 'directionn'" in result.err
    assert "Traceback" not in result.err
    records = manifest(folder)
    assert records["card-a6-pl-gb-parents.pdf"]["status"] == "failed"
    assert {records[n]["status"] for n in ("card-a6-en-gb-parents.pdf", "card-a6-de-gb-parents.pdf")} == {
        "ok"
    }
    assert not (folder / "card-a6-pl-gb-parents.pdf").exists()


def test_shards_share_a_folder_and_a_final_run_gathers_them(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "campaign"
    args = ("batch", "--lang", "en,fr,de", *SMALL, "--jobs", "0", "--output", str(folder))
    assert cli(*args, "--shard", "1/2").code == 0
    assert cli(*args, "--shard", "2/2").code == 0
    first, second = (
        manifest(folder, "manifest.shard-1-of-2.json"),
        manifest(folder, "manifest.shard-2-of-2.json"),
    )
    assert len(first) == 2 and len(second) == 1 and not set(first) & set(second)
    gathered = cli(*args)
    assert gathered.code == 0 and "0 made, 3 up to date, 0 failed" in gathered.out
    assert sorted(manifest(folder)) == sorted({**first, **second})


def test_an_unwritable_output_folder_is_one_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = cli("batch", "--lang", "en", *SMALL, "--output", str(blocker / "sub"))
    assert result.code == 1
    lines = [line for line in result.err.splitlines() if line.startswith("error")]
    assert len(lines) == 1 and "cannot create the output folder" in lines[0] and "Traceback" not in result.err


def run_batch_process(
    folder: Path, *extra: str, languages: str = "en,fr,de,es,it,pl", slow: float | None = None
) -> subprocess.Popen[str]:
    """`awareprint batch` in a process of its own; with `slow`, each file takes that many seconds longer
    (tests/slow_batch.py), so that a signal sent after the first file certainly finds the batch at work."""
    start = [str(PROJECT / "tests" / "slow_batch.py"), str(slow)] if slow else [str(PROJECT / "generate.py")]
    command = [sys.executable, *start, "batch", "--lang", languages]
    command += [*SMALL, "--jobs", "2", "--output", str(folder), *extra]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_journal_lines(folder: Path, count: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        journals = list(folder.glob(".awareprint-journal*.jsonl"))
        if journals and journals[0].read_text().count("\n") >= count:
            return
        time.sleep(0.02)
    pytest.fail("the batch did not get going")


def assert_nothing_half_written(folder: Path) -> None:
    for path in folder.glob("*.pdf"):
        with pikepdf.open(path) as pdf:  # a truncated PDF would not open
            assert len(pdf.pages) == 2
    if (folder / "manifest.json").exists():
        json.loads((folder / "manifest.json").read_text())


def test_kill_9_loses_nothing_and_the_next_run_makes_only_the_rest(tmp_path: Path) -> None:
    folder = tmp_path / "campaign"
    process = run_batch_process(folder)
    wait_for_journal_lines(folder, 2, process)
    process.kill()
    process.wait()
    assert_nothing_half_written(folder)
    recorded = [
        json.loads(line)
        for line in next(folder.glob(".awareprint-journal*")).read_text().splitlines()
        if line.endswith("}")
    ]

    resumed = run_batch_process(folder)
    out, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err
    records = manifest(folder)
    assert len(records) == 6 and all(r["status"] == "ok" for r in records.values())
    assert (
        f"{6 - len(recorded)} made, {len(recorded)} up to date, 0 failed" in out
    )  # what was recorded before the kill is not made again
    assert_nothing_half_written(folder)
    assert not list(folder.glob(".*"))
    for name, record in records.items():
        assert sha256(folder / name) == record["sha256"]


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_ends_cleanly_with_a_manifest_of_what_is_done(tmp_path: Path, stop: int) -> None:
    """A scheduler's SIGTERM (or Ctrl-C): the files in hand are finished and recorded, nothing else is
    started. Each file takes 0.5 s more here, so a batch that ignored the signal would still be at work
    for seconds, and then end with 0 instead of 130."""
    folder = tmp_path / "campaign"
    process = run_batch_process(folder, languages="en,fr,de,es,it,pl,pt,nl", slow=0.5)
    wait_for_journal_lines(folder, 1, process)
    process.send_signal(stop)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert "interrupted after" in err and "run the same command again" in err and "Traceback" not in err
    done = manifest(folder)
    assert 1 <= len(done) < 8
    assert_nothing_half_written(folder)
    # the files the workers finished after the signal are recorded too: every file there is in the manifest
    assert {p.name for p in folder.glob("*.pdf")} == set(done)
    assert not list(folder.glob(".awareprint-journal*"))  # the manifest holds them all


def test_workers_do_not_outlive_a_killed_batch(tmp_path: Path) -> None:
    folder = tmp_path / "campaign"
    process = run_batch_process(folder, slow=0.5)
    wait_for_journal_lines(folder, 1, process)
    children = [str(pid) for pid in _descendants(process.pid)]
    assert len(children) >= 3  # the fork server and the two workers it forked
    process.kill()
    process.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid in children):
        time.sleep(0.1)
    alive = [pid for pid in children if Path(f"/proc/{pid}").exists() and _not_zombie(pid)]
    assert not alive


def _not_zombie(pid: str) -> bool:
    try:
        return " Z " not in Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False


def test_spec_is_plain_data() -> None:
    spec = resolve_spec(Folders(), Path("out"), languages=("en",), templates=("card-dl",))
    assert isinstance(spec, BatchSpec) and matrix(spec)[0] == BatchItem(
        "en", "card-dl", "parents", "gb", "print"
    )
    assert os.fspath(spec.output) == "out"


def test_a_preflight_error_fails_the_file(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import awareprint.preflight as preflight

    def rgb_found(path: Path, *, data: bytes | None = None) -> preflight.PreflightReport:
        found = Diagnostic(Severity.ERROR, "preflight-rgb", "page 1 paints in RGB", path, hint="use CMYK")
        return preflight.PreflightReport(path, "print", "PDF/X-4", 2, 241.0, None, (found,))

    monkeypatch.setattr(preflight, "preflight_pdf", rgb_found)
    folder = tmp_path / "campaign"
    result = cli(
        "batch",
        "--lang",
        "en",
        "--template",
        "card-a6",
        "--audience",
        "parents",
        "--jobs",
        "0",
        "--output",
        str(folder),
    )
    assert result.code == 1
    assert "failed: card-a6-en-gb-parents.pdf: error: " in result.err and "page 1 paints in RGB" in result.err
    assert manifest(folder)["card-a6-en-gb-parents.pdf"]["status"] == "failed"
    assert "0 made, 0 up to date, 1 failed" in result.out


def test_batch_preview_shows_every_file_in_a_gallery(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "campaign"
    result = cli("batch", "--lang", "en,ar", *SMALL, "--jobs", "0", "--output", str(folder), "--preview")
    assert result.code == 0, result.err
    index = (folder / "preview" / "index.html").read_text()
    for name in manifest(folder):
        assert name in index
    assert (folder / "preview" / "sheet-card-a6-parents-gb-print.png").is_file()
    assert f"previews: {folder / 'preview' / 'index.html'}" in result.out


def test_a_run_for_one_language_keeps_the_others_in_the_manifest(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "campaign"
    everything = ("batch", "--lang", "en,fr,de", *SMALL, "--jobs", "0", "--output", str(folder))
    assert cli(*everything).code == 0
    assert cli("batch", "--lang", "fr", *SMALL, "--jobs", "0", "--output", str(folder), "--force").code == 0
    assert len(manifest(folder)) == 3
    again = cli(*everything)
    assert "0 made, 3 up to date" in again.out


@pytest.mark.parametrize("empty", [",", "", " , "])
def test_an_empty_list_is_a_mistake_not_all(cli, tmp_path: Path, empty: str) -> None:  # type: ignore[no-untyped-def]
    result = cli("batch", "--lang", empty, "--output", str(tmp_path / "x"))
    assert result.code == 1 and "--lang" in result.err and "is empty" in result.err
    assert not (tmp_path / "x").exists()


def test_an_unknown_name_in_a_batch_file_names_its_line(tmp_path: Path) -> None:
    batch = tmp_path / "school.yaml"
    batch.write_text("batch:\n  languages:\n    - en\n    - klingon\n")
    with pytest.raises(AwareprintError) as raised:
        load_batch_file(batch, Folders())
    assert "school.yaml:4" in str(raised.value) and "unknown language 'klingon'" in str(raised.value)


def test_a_worker_that_dies_is_replaced_and_its_file_made_again(tmp_path: Path) -> None:
    """The out-of-memory killer's way: SIGKILL to one worker in the middle of a batch (each file takes
    0.5 s more, so the batch is certainly still at work when the worker is killed)."""
    folder = tmp_path / "campaign"
    process = run_batch_process(folder, slow=0.5)
    wait_for_journal_lines(folder, 1, process)
    workers = [pid for pid in _descendants(process.pid) if _parent(pid) != process.pid]  # the fork server's
    assert workers, "no worker found"
    os.kill(workers[0], signal.SIGKILL)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err  # its file was made again in a new worker
    records = manifest(folder)
    assert len(records) == 6 and "Traceback" not in err
    assert "6 made, 0 up to date, 0 failed" in out
    assert_nothing_half_written(folder)


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def _descendants(ancestor: int) -> list[int]:
    """Every living process below `ancestor`: its children, theirs (the fork server's workers) and so on."""
    pids = [int(path.name) for path in Path("/proc").iterdir() if path.name.isdigit()]
    found: list[int] = []
    for pid in pids:
        above = _parent(pid)
        while above > 1 and above != ancestor:
            above = _parent(above)
        if above == ancestor:
            found.append(pid)
    return found


def test_a_pool_that_breaks_between_wait_and_submit_loses_no_file(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """A worker can die after `wait` returns and before the next `submit`: the pool then refuses work
    before it has failed the files in flight. The refused file must wait for the next pool, not crash
    the batch."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    import awareprint.batch as batch

    submits = {"count": 0}

    class RefusesTheThirdFile(ProcessPoolExecutor):
        def submit(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            submits["count"] += 1
            if submits["count"] == 3:
                raise BrokenProcessPool("a worker died")
            return super().submit(*args, **kwargs)

    monkeypatch.setattr(batch.run, "ProcessPoolExecutor", RefusesTheThirdFile)
    folder = tmp_path / "campaign"
    result = cli("batch", "--lang", "en,fr,de", *SMALL, "--jobs", "1", "--output", str(folder))
    assert result.code == 0, result.err
    assert "3 made, 0 up to date, 0 failed" in result.out and "Traceback" not in result.err
    assert len(manifest(folder)) == 3 and submits["count"] == 4


def test_only_the_file_that_kills_its_worker_fails(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """A worker death takes its lane's file; made again alone in a fresh worker, only the culprit fails."""
    from concurrent.futures import ProcessPoolExecutor

    import awareprint.batch as batch

    class GermanKillsItsWorker(ProcessPoolExecutor):
        def submit(self, function, /, *args, **kwargs):  # type: ignore[no-untyped-def]
            from batch_workers import dies_making_german

            return super().submit(dies_making_german, *args, **kwargs)

    monkeypatch.setattr(batch.run, "ProcessPoolExecutor", GermanKillsItsWorker)
    folder = tmp_path / "campaign"
    result = cli("batch", "--lang", "en,de,fr,es", *SMALL, "--jobs", "2", "--output", str(folder))
    assert result.code == 1 and "Traceback" not in result.err
    assert "3 made, 0 up to date, 1 failed" in result.out
    records = manifest(folder)
    failed = {name for name, record in records.items() if record["status"] != "ok"}
    assert len(records) == 4 and len(failed) == 1 and "-de-" in failed.pop()
    assert "the worker process died making this file" in result.out + result.err


def test_workers_that_cannot_start_are_one_clear_error(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """The fork server cannot fork when memory is short: one line and a hint, not a traceback or a loop."""
    from concurrent.futures import ProcessPoolExecutor

    import awareprint.batch as batch

    class CannotFork(ProcessPoolExecutor):
        def submit(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            raise OSError(12, "Cannot allocate memory")

    monkeypatch.setattr(batch.run, "ProcessPoolExecutor", CannotFork)
    result = cli("batch", "--lang", "en,fr", *SMALL, "--jobs", "2", "--output", str(tmp_path / "campaign"))
    assert result.code == 1 and "Traceback" not in result.err
    errors = [line for line in result.err.splitlines() if line.startswith("error")]
    assert len(errors) == 1 and "could not start a worker process" in errors[0] and "--jobs 0" in errors[0]


def test_a_lane_keeps_to_one_language_and_shares_only_at_the_end() -> None:
    """Each worker that meets a language pays for its shaping and fitting once more: lanes keep apart."""
    from awareprint.batch.run import _Lane, _Schedule

    items = [BatchItem(language, "card-a6", "parents", "gb", "print") for language in "aaabbbc"]
    schedule = _Schedule([(item, "inputs") for item in items])
    first, second = _Lane(pool=None), _Lane(pool=None)  # type: ignore[arg-type]
    lanes = [first, second]

    def take(lane: _Lane) -> str:
        taken = schedule.take(lane, {other.language for other in lanes if other is not lane})
        return taken[0].language if taken else "-"

    order = [take(first), take(second), take(first), take(first), take(first), take(second), take(first)]
    assert order == ["a", "b", "a", "a", "c", "b", "b"]  # c is free when a runs out; then b is shared
    assert take(second) == "-" and take(first) == "-"


def test_a_suspect_is_made_before_anything_else() -> None:
    from awareprint.batch.run import _Lane, _Schedule

    items = [BatchItem(language, "card-a6", "parents", "gb", "print") for language in ("en", "fr")]
    schedule = _Schedule([(items[0], "inputs")])
    schedule.suspects.append((items[1], "inputs"))
    lane = _Lane(pool=None)  # type: ignore[arg-type]
    assert [schedule.take(lane, set()), schedule.take(lane, set())] == [
        (items[1], "inputs"),
        (items[0], "inputs"),
    ]


def test_a_lane_takes_a_new_worker_every_so_many_files(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """Memory stays bounded: a worker makes TASKS_PER_WORKER files, then a new pool starts a new one (not
    Python's max_tasks_per_child, whose replacement worker starts in a thread where a failure hangs)."""
    from concurrent.futures import ProcessPoolExecutor

    import awareprint.batch as batch

    pools: list[int] = []

    class Counted(ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            assert kwargs.get("max_tasks_per_child") is None
            pools.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(batch.run, "ProcessPoolExecutor", Counted)
    monkeypatch.setattr(batch.run, "TASKS_PER_WORKER", 2)
    result = cli("batch", "--lang", "en,fr,de,es,it", *SMALL, "--jobs", "1", "--output", str(tmp_path / "c"))
    assert result.code == 0 and "5 made, 0 up to date, 0 failed" in result.out
    assert len(pools) == 3  # files 1-2, 3-4, 5
