"""Load on `awareprint serve`, on loopback only and bounded in count and time.

Starts the server as a user would (`awareprint serve --port P --workers W`), sends `--concurrent` preview
requests at once (no errors allowed; latencies -> p50/p95), then `--total` requests `--concurrent` at a
time while sampling the resident memory of the server and its workers, and writes the figures to
benchmarks/serve-load.md (and prints them). Run: python benchmarks/serve_load.py [--total 1000].
"""

from __future__ import annotations

import argparse
import asyncio
import re
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

PROJECT = Path(__file__).resolve().parent.parent
FORM = {"template": "poster-a3", "languages": "en", "region": "gb", "audience": "parents", "edition": "print"}
TIME_LIMIT = 900.0  # seconds for the whole run: a bounded test, whatever happens


@dataclass(frozen=True)
class Figures:
    concurrent: int
    workers: int
    burst_seconds: tuple[float, ...]
    errors: int
    total: int
    memory_mb: tuple[float, ...]  # server + workers, sampled through the run

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.burst_seconds, n=20)[-1] if len(self.burst_seconds) > 1 else 0.0

    @property
    def p50(self) -> float:
        return statistics.median(self.burst_seconds)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _rss_mb(root: int) -> float:
    """Resident memory of `root` and its descendants, from /proc."""
    parents: dict[int, int] = {}
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
            parents[int(status.parent.name)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
    family, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in family} - family
        grew = bool(more)
        family |= more
    total = 0
    for pid in family:
        try:
            match = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
        except OSError:
            continue
        total += int(match.group(1)) if match else 0
    return total / 1024


async def _preview(client: httpx.AsyncClient, token: str) -> float:
    started = time.perf_counter()
    response = await client.post("/", data={"csrf": token, "action": "preview", **FORM})
    if response.status_code != 200 or "data:image/png" not in response.text:
        raise RuntimeError(f"preview failed: {response.status_code}")
    return time.perf_counter() - started


async def _run(base: str, concurrent: int, total: int, server: int) -> tuple[list[float], int, list[float]]:
    async with httpx.AsyncClient(base_url=base, timeout=120, trust_env=False) as client:
        page = await client.get("/")
        token = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)
        await _preview(client, token)  # every worker is warm before the clock starts
        results = await asyncio.gather(
            *(_preview(client, token) for _ in range(concurrent)), return_exceptions=True
        )
        burst = [r for r in results if isinstance(r, float)]
        errors = len(results) - len(burst)
        memory = [_rss_mb(server)]
        done = 0
        while done < total:
            batch = min(concurrent, total - done)
            results = await asyncio.gather(
                *(_preview(client, token) for _ in range(batch)), return_exceptions=True
            )
            errors += sum(1 for r in results if not isinstance(r, float))
            done += batch
            if done % 100 < concurrent:
                memory.append(_rss_mb(server))
        return burst, errors, memory


def measure(concurrent: int = 20, total: int = 1000, workers: int = 2) -> Figures:
    port = _free_port()
    serve = ["serve", "--port", str(port), "--workers", str(workers)]
    command = [
        sys.executable,
        "-c",
        "import sys; from awareprint.cli import main; main(sys.argv[1:])",
        *serve,
    ]
    server = subprocess.Popen(command, cwd=PROJECT, stdin=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                httpx.get(base + "/", timeout=2, trust_env=False)
                break
            except httpx.HTTPError as error:
                print("waiting for the server:", error, file=sys.stderr)
                time.sleep(0.3)
        burst, errors, memory = asyncio.run(
            asyncio.wait_for(_run(base, concurrent, total, server.pid), TIME_LIMIT)
        )
    finally:
        server.terminate()
        server.wait(30)
    return Figures(concurrent, workers, tuple(burst), errors, total, tuple(memory))


def report(figures: Figures) -> str:
    memory = figures.memory_mb
    return "\n".join(
        [
            "# `awareprint serve` under load (loopback)",
            "",
            f"Written by `python benchmarks/serve_load.py` on {time.strftime('%Y-%m-%d')}, "
            f"{figures.workers} worker processes, {_cores()} cores; A3 poster preview (en, gb, parents), "
            "one page rendered to PNG.",
            "",
            "| measure | value |",
            "|---|---|",
            f"| concurrent preview requests | {figures.concurrent} |",
            f"| errors (burst and run) | {figures.errors} |",
            f"| latency p50 / p95 under the burst | {figures.p50:.2f} s / {figures.p95:.2f} s |",
            f"| requests in the memory run | {figures.total} |",
            f"| memory, server + workers: first / peak / last | {memory[0]:.0f} / {max(memory):.0f} / "
            f"{memory[-1]:.0f} MB |",
            "",
            "A burst of N requests on W workers queues: p95 is about N / W times one preview. Workers are "
            "replaced after `files_per_worker` files (200), which keeps memory flat.",
            "",
        ]
    )


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrent", type=int, default=20)
    parser.add_argument("--total", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    arguments = parser.parse_args()
    text = report(measure(arguments.concurrent, arguments.total, arguments.workers))
    (PROJECT / "benchmarks" / "serve-load.md").write_text(text, encoding="utf-8")
    print(text)
