"""Speed of awareprint, measured here rather than in tests (tests must not fail on a slow machine).

Run from anywhere: `python benchmarks/run.py` (or `--repeat 3` for a quick look). Prints a Markdown table
of medians with min and max, and the machine it ran on.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from awareprint.pipeline import PosterRequest, make_poster  # noqa: E402

LANGUAGES = ("en", "hi", "ar")


def timed(action: Callable[[], object], repeat: int) -> list[float]:
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
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7, help="runs per measurement (default 7)")
    repeat = parser.parse_args().repeat
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)

        def cli(*args: str) -> None:
            subprocess.run(
                [sys.executable, str(ROOT / "generate.py"), *args],
                check=True,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )

        rows.append(row("cold `--help` (new process)", timed(lambda: cli("--help"), repeat)))
        rows.append(
            row(
                "cold poster, A3 en (new process)",
                timed(lambda: cli("poster", "--output", str(out / "cold.pdf")), repeat),
            )
        )
        for language in LANGUAGES:
            request = PosterRequest(language, "gb", "parents", "poster-a3", out / f"warm-{language}.pdf")
            make_poster(request)  # warm the caches: fonts, shaping, parsing
            rows.append(
                row(
                    f"warm poster, A3 {language} (same process)",
                    timed(lambda r=request: make_poster(r), repeat),
                )
            )
        sizes = {language: (out / f"warm-{language}.pdf").stat().st_size // 1024 for language in LANGUAGES}
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Machine: {machine()}; {repeat} runs each.\n")
    print("| measurement | median ms | min ms | max ms |")
    print("| --- | ---: | ---: | ---: |")
    print("\n".join(rows))
    print(f"\nOutput size, A3 poster: {', '.join(f'{k} {v} KB' for k, v in sizes.items())}.")
    print(f"Peak memory of the warm process: {peak:.0f} MB.")


if __name__ == "__main__":
    main()
