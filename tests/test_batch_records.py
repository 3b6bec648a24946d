"""Records that cannot lie: runs into one folder take turns, a record describes the bytes its run wrote,
a manifest that cannot be written keeps the journal, and a hung or stopped worker costs one file, not the
run."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pikepdf
import pytest
from test_batch import SMALL, manifest, run_batch_process, sha256, wait_for_journal_lines

from awareprint.batch import load_batch_file, resolve_spec, worker_count
from awareprint.diagnostics import AwareprintError, user_error
from awareprint.load.folders import Folders

LOGO = Path(__file__).resolve().parent.parent / "examples" / "logos" / "school-01.png"


def standard_of(path: Path) -> str:
    """The PDF/X version the file itself claims (not what a manifest says about it)."""
    with pikepdf.open(path) as pdf:
        return str(pdf.trailer.Info.get("/GTS_PDFXVersion", ""))


def errors(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("error")]


# ---- two runs into one folder


def test_a_second_batch_into_a_busy_folder_refuses_or_waits_its_turn(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Two batches with different settings and the same file names: the second refuses with one line
    (nothing touched), or with --wait makes its files after the first; every record then matches the
    file it names, and the file is what the record says."""
    folder = tmp_path / "campaign"
    # 4 s a file keeps the first at work long enough for a second process to start, even on a loaded machine
    first = run_batch_process(folder, "--pdfx", "x4", languages="en,fr,de,es", slow=4.0)
    wait_for_journal_lines(folder, 1, first)

    refused = cli("batch", "--lang", "en,fr,de,es", *SMALL, "--pdfx", "x1a", "--output", str(folder))
    assert refused.code == 1 and len(errors(refused.err)) == 1, refused.err
    assert "another batch is writing into this folder" in refused.err and "--wait" in refused.err

    second = run_batch_process(folder, "--pdfx", "x1a", "--wait", languages="en,fr,de,es")
    first_out, first_err = first.communicate(timeout=120)
    second_out, second_err = second.communicate(timeout=120)
    assert first.returncode == 0 and "4 made" in first_out, first_err
    assert second.returncode == 0 and "4 made" in second_out, second_err
    assert "waiting for another batch to finish" in second_err

    records = manifest(folder)
    assert len(records) == 4
    for name, record in records.items():
        assert record["sha256"] == sha256(folder / name) and standard_of(folder / name) == "PDF/X-1:2003"
    assert not list(folder.glob(".*"))  # no journal, no lock file, no temporary file left
    again = ("batch", "--lang", "en,fr,de,es", *SMALL, "--jobs", "0", "--output", str(folder))
    assert "0 made, 4 up to date" in cli(*again, "--pdfx", "x1a").out  # the records are of these files
    assert "4 made, 0 up to date" in cli(*again, "--pdfx", "x4").out


def test_shards_run_side_by_side_and_a_whole_run_waits_for_them(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "campaign"
    languages = "en,fr,de,es,it,pl,pt,nl"
    args = ("batch", "--lang", languages, *SMALL, "--jobs", "0", "--output", str(folder))
    first = run_batch_process(folder, "--shard", "1/2", languages=languages, slow=1.5)
    wait_for_journal_lines(folder, 1, first)

    again = cli(*args, "--shard", "1/2")  # the same shard twice would share a journal and a manifest
    assert again.code == 1 and "shard 1/2 is writing into this folder" in again.err
    whole = cli(*args)
    assert whole.code == 1 and "another batch is writing into this folder" in whole.err
    assert cli(*args, "--shard", "2/2").code == 0  # another shard shares the folder
    assert first.poll() is None  # ... while the first is still at work

    assert first.wait(timeout=120) == 0
    gathered = cli(*args)
    assert gathered.code == 0 and "0 made, 8 up to date, 0 failed" in gathered.out
    assert len(manifest(folder)) == 8 and not list(folder.glob(".*"))


def test_a_record_describes_the_bytes_its_run_wrote(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """Another run may replace a file between its rename and its check: the record must still be of the
    bytes this run wrote (and preflight must have checked those), so that the next run sees the change."""
    import awareprint.pipeline as pipeline

    written: dict[str, bytes] = {}
    real_write = pipeline.write_atomic

    def replaced_at_once(path: Path, data: bytes) -> None:
        real_write(path, data)
        written[path.name] = data
        path.write_bytes(b"%PDF-1.6\n% another run's file\n%%EOF\n")

    monkeypatch.setattr(pipeline, "write_atomic", replaced_at_once)
    folder = tmp_path / "campaign"
    args = ("batch", "--lang", "en", "--template", "card-a6", "--audience", "parents", "--jobs", "0")
    result = cli(*args, "--output", str(folder))
    assert result.code == 0, result.err
    record = manifest(folder)["card-a6-en-gb-parents.pdf"]
    data = written["card-a6-en-gb-parents.pdf"]
    assert record["sha256"] == hashlib.sha256(data).hexdigest() and record["bytes"] == len(data)
    assert record["status"] == "ok" and record["standard"] == "PDF/X-4"

    monkeypatch.undo()
    again = cli(*args, "--output", str(folder))
    assert "1 made, 0 up to date" in again.out  # the file there is not the one recorded


# ---- the manifest cannot be written


def test_a_folder_in_the_way_of_the_manifest_is_said_before_any_file_is_made(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The previous manifest is read first, so a folder in its way stops the run before it makes anything
    (the journal that a manifest failing at the end keeps is tested with a full disk, below)."""
    folder = tmp_path / "campaign"
    (folder / "manifest.json").mkdir(parents=True)
    args = ("batch", "--lang", "en,fr", *SMALL, "--jobs", "0", "--output", str(folder))
    result = cli(*args)
    assert result.code == 1
    [line] = errors(result.err)
    assert "manifest.json" in line and "is a folder" in line
    assert not list(folder.glob("*.pdf"))

    (folder / "manifest.json").rmdir()
    again = cli(*args)
    assert again.code == 0 and "2 made" in again.out
    assert len(manifest(folder)) == 2 and not (folder / ".awareprint-journal.jsonl").exists()


def test_a_full_disk_for_the_manifest_is_said_and_the_journal_kept(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    import awareprint.batch as batch

    def disk_full(path: Path, data: bytes) -> None:
        raise user_error("cannot write the file (No space left on device)", file=path, hint="give a .pdf")

    monkeypatch.setattr(batch.record, "write_atomic", disk_full)
    folder = tmp_path / "campaign"
    result = cli("batch", "--lang", "en", *SMALL, "--jobs", "0", "--output", str(folder))
    [line] = errors(result.err)
    assert result.code == 1 and "No space left on device" in line and "give a .pdf" not in line
    assert (folder / ".awareprint-journal.jsonl").read_text().count("\n") == 1


# ---- hung and stopped workers


def test_a_stopped_worker_is_killed_and_its_file_made_again_alone(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """SIGSTOP to a worker (or a hang): after --file-timeout it is killed, its file made again in a new
    worker, and the other lanes go on."""
    from concurrent.futures import ProcessPoolExecutor

    import awareprint.batch as batch

    class GermanStopsOnce(ProcessPoolExecutor):
        def submit(self, function, /, *args, **kwargs):  # type: ignore[no-untyped-def]
            from batch_workers import stops_once_making_german

            return super().submit(stops_once_making_german, *args, **kwargs)

    monkeypatch.setattr(batch.run, "ProcessPoolExecutor", GermanStopsOnce)
    folder = tmp_path / "campaign"
    started = time.monotonic()
    result = cli(
        "batch", "--lang", "en,de,fr", *SMALL, "--jobs", "2", "--file-timeout", "4", "--output", str(folder)
    )
    assert result.code == 0, result.err
    assert "3 made, 0 up to date, 0 failed" in result.out and (tmp_path / "stopped-once").exists()
    assert time.monotonic() - started < 60


def test_a_worker_that_hangs_again_fails_only_its_file(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from concurrent.futures import ProcessPoolExecutor

    import awareprint.batch as batch

    class GermanAlwaysStops(ProcessPoolExecutor):
        def submit(self, function, /, *args, **kwargs):  # type: ignore[no-untyped-def]
            from batch_workers import stops_making_german

            return super().submit(stops_making_german, *args, **kwargs)

    monkeypatch.setattr(batch.run, "ProcessPoolExecutor", GermanAlwaysStops)
    folder = tmp_path / "campaign"
    result = cli(
        "batch", "--lang", "en,de,fr", *SMALL, "--jobs", "2", "--file-timeout", "3", "--output", str(folder)
    )
    assert result.code == 1 and "Traceback" not in result.err
    assert "2 made, 0 up to date, 1 failed" in result.out
    assert "failed: card-a6-de-gb-parents.pdf: error: not finished within 3 s, twice" in result.err
    assert "--file-timeout" in result.err
    assert manifest(folder)["card-a6-de-gb-parents.pdf"]["status"] == "failed"


# ---- workers, batch files, editions


def test_jobs_beyond_the_cpus_are_capped_with_a_note(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from concurrent.futures import ProcessPoolExecutor

    import awareprint.batch as batch

    pools: list[int] = []

    class Counted(ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            pools.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(batch.run, "ProcessPoolExecutor", Counted)
    monkeypatch.setattr(batch.spec, "usable_cpus", lambda: 1)
    result = cli("batch", "--lang", "en,fr,de", *SMALL, "--jobs", "10000", "--output", str(tmp_path / "c"))
    assert result.code == 0 and "3 made" in result.out
    assert "3 files (" in result.err and ", 1 worker\n" in result.err
    assert "note: --jobs 10000 is more than the 1 CPUs this process may use; using 1 worker" in result.err
    assert len(pools) == 1


def test_workers_never_outnumber_the_files_or_the_cpus(monkeypatch: pytest.MonkeyPatch) -> None:
    import awareprint.batch as batch

    monkeypatch.setattr(batch.spec, "usable_cpus", lambda: 8)
    assert worker_count(None, 100) == (8, None)
    assert worker_count(None, 3) == (3, None)
    assert worker_count(0, 100) == (0, None)
    assert worker_count(10000, 12) == (
        8,
        "note: --jobs 10000 is more than the 8 CPUs this process may use; using 8 workers",
    )
    assert worker_count(10000, 2)[1] == "note: --jobs 10000 is more than the 2 files to make; using 2 workers"


@pytest.mark.parametrize("logo", ["../outside.png", "/tmp/outside.png", "sub/../../outside.png"])
def test_a_batch_files_organisation_cannot_reach_outside_for_its_logo(tmp_path: Path, logo: str) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "org.yaml").write_text(f"organisation:\n  name: Riverside Primary\n  logo: {logo}\n")
    (shared / "school.yaml").write_text("batch:\n  organisation: org.yaml\n")
    with pytest.raises(AwareprintError) as raised:
        load_batch_file(shared / "school.yaml", Folders())
    text = str(raised.value)
    assert "org.yaml:3" in text and f"the logo '{logo}' points outside the folder of org.yaml" in text


def test_a_batch_files_organisation_may_have_its_logo_beside_it(tmp_path: Path) -> None:
    (tmp_path / "logos").mkdir()
    (tmp_path / "logos" / "riverside.png").write_bytes(LOGO.read_bytes())
    (tmp_path / "org.yaml").write_text("organisation:\n  name: Riverside\n  logo: logos/riverside.png\n")
    (tmp_path / "school.yaml").write_text("batch:\n  organisation: org.yaml\n")
    assert load_batch_file(tmp_path / "school.yaml", Folders())["organisation"] == tmp_path / "org.yaml"


def test_a_row_of_an_organisations_file_cannot_reach_outside_for_its_logo(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "outside.png").write_bytes(LOGO.read_bytes())
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "schools.csv").write_text("name,logo\nRiverside,../outside.png\nHillside,\n")
    result = cli(
        "batch",
        "--orgs",
        str(shared / "schools.csv"),
        "--lang",
        "en",
        *SMALL,
        "--jobs",
        "0",
        "--output",
        str(tmp_path / "out"),
    )
    assert result.code == 1
    assert "(nothing made for Riverside)" in result.err
    assert "the logo '../outside.png' points outside the folder of schools.csv" in result.err
    assert "1 made" in result.out  # the other row is made


@pytest.mark.parametrize("given", [{"standard": "x1a"}, {"profile": Path("profiles/any.icc")}])
def test_print_settings_for_the_screen_edition_alone_are_refused(given: dict[str, object]) -> None:
    with pytest.raises(AwareprintError, match="--profile and --pdfx are for the print edition"):
        resolve_spec(Folders(), Path("out"), editions=("screen",), **given)
    resolve_spec(Folders(), Path("out"), editions=("print", "screen"), **given)  # the print files use it


def test_batch_and_poster_refuse_a_screen_pdfx_alike(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    batch = cli("batch", "--edition", "screen", "--pdfx", "x1a", "--output", str(tmp_path / "b"))
    poster = cli("poster", "--edition", "screen", "--pdfx", "x1a", "--output", str(tmp_path / "p.pdf"))
    assert batch.code == poster.code == 1
    assert errors(batch.err) == errors(poster.err) and len(errors(batch.err)) == 1
    assert "for the print edition" in batch.err
    assert not (tmp_path / "b").exists()
    (tmp_path / "school.yaml").write_text("batch:\n  editions: screen\n  pdfx: x1a\n")
    from_file = cli("batch", str(tmp_path / "school.yaml"), "--output", str(tmp_path / "b"))
    assert from_file.code == 1 and errors(from_file.err) == errors(batch.err)


def test_closing_a_pool_does_not_wait_for_a_stopped_idle_worker() -> None:
    """A worker stopped between files holds no file, so no time limit finds it; closing its pool (at the
    end of the run, or every 100 files) must not wait for it for ever."""
    import os
    import signal
    import threading

    from awareprint.batch.run import _close, _pool, _start_forkserver

    _start_forkserver()
    pool = _pool()
    pid = pool.submit(os.getpid).result(timeout=60)
    os.kill(pid, signal.SIGSTOP)
    closing = threading.Thread(target=_close, args=(pool, 1.0), daemon=True)
    closing.start()
    closing.join(timeout=20)
    assert not closing.is_alive()
    assert not Path(f"/proc/{pid}").exists() or " Z " in Path(f"/proc/{pid}/stat").read_text()


# ---- the format other runs read


def test_the_manifest_and_the_journal_keep_their_bytes(tmp_path: Path) -> None:
    """Earlier runs' manifests and journals are read back (and by other tools): the JSON is pinned byte for
    byte, from an item as a run records it (its fields copied into the record) to the line written."""
    from awareprint import __version__
    from awareprint.batch.record import Journal, previous_records, write_manifest
    from awareprint.batch.run import _failed
    from awareprint.batch.spec import BatchItem

    item = BatchItem("ar", "card-a6", "parents", "gb", "print", organisation="riverside")
    record = _failed(item, "ab" * 32, "error: لا يتسع النص (the text does not fit)").record
    journal = Journal(tmp_path, None, wait=False, note=None)
    journal.append(record)
    journal.close(remove=False)
    write_manifest(tmp_path / "manifest.json", [record])

    line = (
        '{"audience": "parents", "bytes": null, '
        '"diagnostics": ["error: لا يتسع النص (the text does not fit)"], '
        '"edition": "print", "inputs": "' + "ab" * 32 + '", "language": "ar", "max_ink": null, '
        '"organisation": "riverside", "output": "riverside/riverside-card-a6-ar-gb-parents.pdf", '
        '"pages": null, "region": "gb", "seconds": null, "sha256": null, "standard": null, '
        '"status": "failed", "template": "card-a6"}\n'
    )
    assert (tmp_path / ".awareprint-journal.jsonl").read_text(encoding="utf-8") == line
    manifest_text = (tmp_path / "manifest.json").read_text(encoding="utf-8")
    head = f'{{\n "awareprint": "{__version__}",\n "format": 1,\n "items": [\n  {{\n'
    assert manifest_text.startswith(head)
    assert manifest_text.endswith(
        '   "output": "riverside/riverside-card-a6-ar-gb-parents.pdf",\n   "language": "ar",\n'
        '   "template": "card-a6",\n   "audience": "parents",\n   "region": "gb",\n   "edition": "print",\n'
        '   "organisation": "riverside",\n   "status": "failed",\n   "inputs": "' + "ab" * 32 + '",\n'
        '   "sha256": null,\n   "bytes": null,\n   "pages": null,\n   "seconds": null,\n'
        '   "standard": null,\n   "max_ink": null,\n   "diagnostics": [\n'
        '    "error: لا يتسع النص (the text does not fit)"\n   ]\n  }\n ]\n}\n'
    )
    assert previous_records(tmp_path)[record.output] == [record, record]  # both read back as written
