"""Speed of awareprint, measured here rather than in tests (tests must not fail on a slow machine).

Run from anywhere: `python benchmarks/run.py` (7 runs per measurement; `--repeat N`, or `--quick` for 3).
Prints the machine it ran on and a Markdown table of medians with min and max: cold CLI runs (a new process
each time), warm posters (the same process, per template and per language), output size and peak memory.
`--peers` adds WeasyPrint and Typst making the same poster in the same run (benchmarks/peers.py).
`--batch` adds the full default matrix (`generate.py batch`: 30 languages x 9 templates x 2 audiences) with
1 and 2 workers, the speed-up, the peak RSS of each worker process, and a re-run with nothing to do.
`--orgs` adds 500 organisations x 2 templates x 2 languages (2,000 files, `batch --orgs`) against one
organisation 500 times (the same matrix, where every organisation's own strings are the same), 2 workers.
"""

from __future__ import annotations

import argparse
import compileall
import csv
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
US_TEMPLATES = {"poster-letter", "poster-tabloid"}  # US paper sizes print US contacts
MORE_LANGUAGES = ("hi", "ar")  # complex scripts, warm A3 only: Devanagari shaping, Arabic RTL


def timed(action: Callable[[], object], repeat: int) -> list[float]:
    """Wall times in seconds of `repeat` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return times


def row(name: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return f"| {name} | {statistics.median(ms):.0f} | {min(ms):.0f} | {max(ms):.0f} |"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [
            line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines() if "model name" in line
        ]
        cpu = names[0] if names else cpu
    return f"{platform.platform()}; Python {platform.python_version()}; {os.cpu_count()} CPUs ({cpu})"


def compile_bytecode() -> None:
    """Byte-compile awareprint as `pip install` does for an installed package, before any cold run.

    An editable checkout with PYTHONDONTWRITEBYTECODE set (as on the machine these figures come from)
    compiles every module in every new process: about 65 ms of a cold poster that no user of an installed
    package pays, and that the peers, compiled when pip installed them, do not pay either.
    """
    compileall.compile_dir(ROOT / "awareprint", quiet=1)


def cli(*args: str, cache: Path | None = None) -> None:
    """One new Python process running generate.py from the repository root; raises if it fails.
    `cache`: the folder for its persistent cache (awareprint/cache.py) instead of the user's own."""
    env = {**os.environ, "AWAREPRINT_CACHE_DIR": str(cache)} if cache else None
    done = subprocess.run(
        [sys.executable, str(ROOT / "generate.py"), *args], cwd=ROOT, capture_output=True, text=True, env=env
    )
    if done.returncode != 0:
        raise SystemExit(f"generate.py {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")


def batch_report() -> list[str]:
    """One run each (a run is a minute or more): 1 worker, 2 workers, then 2 workers with nothing to do."""
    lines = [
        "| run | files | seconds | files/s | peak RSS per worker |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    seconds = {}
    with tempfile.TemporaryDirectory() as folder:
        for jobs, force, label in (
            (1, True, "1 worker"),
            (2, True, "2 workers"),
            (2, False, "re-run, no change"),
        ):
            command = [
                sys.executable,
                str(ROOT / "generate.py"),
                "batch",
                "--output",
                folder,
                "--jobs",
                str(jobs),
            ]
            start = time.perf_counter()
            with tempfile.TemporaryFile() as log:
                process = subprocess.Popen(
                    [*command, *(["--force"] if force else [])],
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                    stderr=log,
                )
                peaks = _watch_peaks(process)
                elapsed = time.perf_counter() - start
                if process.returncode != 0:
                    log.seek(0)
                    raise SystemExit(f"batch failed ({process.returncode}): {log.read().decode()[-2000:]}")
            files = len(list(Path(folder).glob("*.pdf")))
            # workers are the children of the forkserver, itself a child of the batch
            workers = [kb for pid, (ppid, kb) in peaks.items() if process.pid not in (pid, ppid)]
            peak = f"{max(workers) / 1024:.0f} MB" if workers and force else "-"
            seconds[label] = elapsed
            lines.append(f"| {label} | {files} | {elapsed:.1f} | {files / elapsed:.1f} | {peak} |")
    speedup = seconds["1 worker"] / seconds["2 workers"]
    lines.append(f"\nThroughput from 1 to 2 workers: {speedup:.2f}x.")
    return lines


ORGS = 500
ORGS_MATRIX = ("--template", "poster-a4,card-a6", "--lang", "en,ar", "--audience", "parents")


ORG_RUNS = {  # kind: what its ORGS rows are
    "one": "one organisation, 500 times",
    "same": "41 organisations (12 scripts), each about 12 times",
    "many": "500 organisations (12 scripts)",
}


def write_orgs(path: Path, kind: str) -> None:
    """ORGS rows built from examples/schools.csv (its names, leads, logos and colours, in many scripts): for
    `many`, each name numbered so that no two are alike; for `same`, its 41 schools over and over, as they
    are (the same scripts, fonts and logos as `many`, but each organisation's text repeats); for `one`,
    its first school ORGS times."""
    distinct = kind == "many"
    with (ROOT / "examples" / "schools.csv").open(encoding="utf-8-sig", newline="") as stream:
        schools = list(csv.DictReader(stream))
    logos = path.parent / "logos"  # logos sit beside the organisations file, as the batch requires
    if not logos.exists():
        shutil.copytree(ROOT / "examples" / "logos", logos)
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, ["name", "safeguarding_lead", "contact", "logo", "colour"])
        writer.writeheader()
        for number in range(ORGS):
            school = schools[0] if kind == "one" else schools[number % len(schools)]
            writer.writerow(
                {
                    "name": f"{school['name']} {number + 1}" if distinct else school["name"],
                    "safeguarding_lead": school["safeguarding_lead"],
                    "contact": f"020 7946 0{number:03d}|{school['contact'].split('|')[-1]}"
                    if distinct
                    else school["contact"],
                    "logo": school["logo"],
                    "colour": school["colour"],
                }
            )


def orgs_report(repeat: int) -> list[str]:
    """`repeat` runs of each, alternating, 2 workers, preflight on: files per second and peak memory."""
    lines = [
        "| run | files | median s | min-max s | files/s | peak RSS per worker | batch process |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    results: dict[str, list[tuple[float, int, int, int]]] = {kind: [] for kind in ORG_RUNS}
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(repeat):
            for kind in ORG_RUNS:
                table = Path(folder) / f"{kind}.csv"
                write_orgs(table, kind)
                output = Path(folder) / kind
                command = [
                    sys.executable,
                    str(ROOT / "generate.py"),
                    "batch",
                    "--orgs",
                    str(table),
                    *ORGS_MATRIX,
                    "--jobs",
                    "2",
                    "--force",
                    "--output",
                    str(output),
                ]
                # a new, empty persistent cache for each run: no run reuses what an earlier one converted
                cache = Path(tempfile.mkdtemp(dir=folder, prefix=f"cache-{kind}-"))
                environment = {**os.environ, "AWAREPRINT_CACHE_DIR": str(cache)}
                start = time.perf_counter()
                with tempfile.TemporaryFile() as log:
                    process = subprocess.Popen(
                        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log, env=environment
                    )
                    peaks = _watch_peaks(process)
                    elapsed = time.perf_counter() - start
                    if process.returncode != 0:
                        log.seek(0)
                        raise SystemExit(
                            f"batch failed ({process.returncode}): {log.read().decode()[-2000:]}"
                        )
                files = len(list(output.glob("*/*.pdf")))
                workers = [kb for pid, (ppid, kb) in peaks.items() if process.pid not in (pid, ppid)]
                results[kind].append((elapsed, files, max(workers), peaks[process.pid][1]))
    for kind, label in ORG_RUNS.items():
        runs = results[kind]
        times = [run[0] for run in runs]
        median = statistics.median(times)
        files = runs[0][1]
        worker = max(run[2] for run in runs) / 1024
        parent = max(run[3] for run in runs) / 1024
        lines.append(
            f"| {label} | {files} | {median:.1f} | {min(times):.1f}-{max(times):.1f} | {files / median:.1f} "
            f"| {worker:.0f} MB | {parent:.0f} MB |"
        )
    many = statistics.median(r[0] for r in results["many"])
    for kind in ("one", "same"):
        ratio = statistics.median(r[0] for r in results[kind]) / many
        lines.append(f"\nFiles per second, {ORG_RUNS['many']} / {ORG_RUNS[kind]}: {ratio:.2f}.")
    return lines


def _watch_peaks(process: subprocess.Popen[bytes]) -> dict[int, tuple[int, int]]:
    """Parent and peak RSS (VmHWM, KB) of the batch and each descendant, sampled until the batch exits."""
    peaks: dict[int, tuple[int, int]] = {}
    while process.poll() is None:
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                text = status.read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
            pid, ppid = int(fields.get("Pid", 0)), int(fields.get("PPid", 0))
            if "VmHWM" in fields and (pid == process.pid or _descends_from(ppid, process.pid)):
                peak = int(fields["VmHWM"].split()[0])
                peaks[pid] = (ppid, max(peaks.get(pid, (ppid, 0))[1], peak))
        time.sleep(0.2)
    return peaks


def _descends_from(pid: int, ancestor: int) -> bool:
    while pid > 1:
        if pid == ancestor:
            return True
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return False
        pid = int(stat.rsplit(")", 1)[1].split()[1])
    return False


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=7, metavar="N", help="runs per measurement (default 7)")
    parser.add_argument("--quick", action="store_true", help="3 runs per measurement")
    parser.add_argument(
        "--peers", action="store_true", help="also WeasyPrint and Typst on the same poster (the bench extra)"
    )
    parser.add_argument(
        "--batch", action="store_true", help="also the full batch matrix with 1 and 2 workers (a few minutes)"
    )
    parser.add_argument(
        "--orgs", action="store_true", help="also 500 organisations x 2 templates x 2 languages (minutes)"
    )
    parser.add_argument("--only-orgs", action="store_true", help="only the organisations runs")
    options = parser.parse_args()
    repeat = 3 if options.quick else options.repeat
    if repeat < 1:
        parser.error("--repeat must be at least 1")
    if options.only_orgs:
        print(f"Machine: {machine()}\n")
        print("\n".join(orgs_report(repeat)))
        return

    sys.path.insert(0, str(ROOT))  # the checkout, even without an installed package
    from awareprint.pipeline import PosterRequest, make_poster

    templates = sorted(
        path.stem
        for path in (ROOT / "awareprint" / "data" / "templates").glob("*.yaml")
        if not path.stem.startswith("_") and not path.stem.startswith("social-")
    )
    rows: list[str] = []
    compile_bytecode()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        poster = ("poster", "--lang", "en", "--region", "gb", "--template", "poster-a3")
        cold = timed(lambda: cli(*poster, "--output", str(out / "p.pdf")), repeat)
        cold_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # before any --help run
        rows.append(row("cold poster, A3 en (new process)", cold))
        empty = iter(range(repeat))  # each run with a new, empty cache folder: a first run on a machine
        first = timed(
            lambda: cli(*poster, "--output", str(out / "p.pdf"), cache=out / f"c{next(empty)}"), repeat
        )
        rows.append(row("cold poster, A3 en, empty cache (new process)", first))
        rows.append(row("cold `--help` (new process)", timed(lambda: cli("--help"), repeat)))

        def warm(language: str, template: str) -> Path:
            region = "us" if template in US_TEMPLATES else "gb"
            output = out / f"warm-{template}-{language}.pdf"
            request = PosterRequest(
                language=language, region=region, audience="parents", template=template, output=output
            )
            make_poster(request)  # warm-up: fonts, shaping and parsing caches
            rows.append(
                row(
                    f"warm poster, {template} {language} {region} (same process)",
                    timed(lambda: make_poster(request), repeat),
                )
            )
            return output

        outputs = {template: warm("en", template) for template in templates}
        more = {language: warm(language, "poster-a3") for language in MORE_LANGUAGES}
        sizes = {"en": outputs["poster-a3"], **more}
        size_kb = {language: path.stat().st_size / 1024 for language, path in sizes.items()}
    warm_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KB

    print(f"Machine: {machine()}")
    print(f"Runs: {repeat} per measurement (after one warm-up call for warm rows); times in ms.\n")
    print("| measurement | median ms | min ms | max ms |")
    print("| --- | ---: | ---: | ---: |")
    print("\n".join(rows))
    print(f"\nOutput size, A3 poster: {', '.join(f'{k} {v:.0f} KB' for k, v in size_kb.items())}.")
    print(f"Peak RSS: warm process {warm_peak:.0f} MB; cold poster process {cold_peak:.0f} MB.")
    if options.batch:
        print("\n## Batch: the full default matrix\n")
        print("\n".join(batch_report()))
    if options.orgs:
        print("\n## Batch: 500 organisations\n")
        print("\n".join(orgs_report(repeat)))
    if options.peers:
        import peers  # next to this file

        print("\n## Peers: the same A3 poster in WeasyPrint and Typst\n")
        print("\n".join(peers.peer_report(repeat)))


if __name__ == "__main__":
    main()
