"""Many files in one run: a matrix of requests, a process pool, and a record that survives being killed.

Every output is content-addressed: its *inputs hash* covers the code, the fonts, the output profile, every
data file the item reads and the request itself. An item whose PDF still has the recorded sha256 and whose
inputs hash is unchanged is skipped, so a re-run after a small change redoes only what changed.

Nothing is lost on interruption, even `kill -9`:
- each PDF is written under a temporary name and renamed (`output.write_atomic`);
- each finished item is appended to a journal (`.awareprint-journal*.jsonl`), one fsync'd JSON line, so a
  line cut short by a kill is the only thing lost, and it is simply ignored;
- `manifest.json` is rewritten atomically at the end (and when interrupted), from the previous manifest,
  the journal and this run; the journal is removed only once the manifest holding it is written.

A record describes the bytes the run wrote (hashed and preflighted in memory), never what is at the path
by the time it is read back. Runs into one folder take turns: a lock file in it (`.awareprint-lock`) is
held exclusively by a run without `--shard`, and shared by shards, each of which also locks its own
journal, so two runs never write one journal, one manifest or one file at once.

Shards (`--shard K/N`) take every N-th item of the sorted matrix, so N machines share one campaign without
talking to each other. Each shard writes its own `manifest.shard-K-of-N.json` and journal; a final run
without `--shard` finds every file up to date through them and writes the complete `manifest.json`.

A worker that hangs or is stopped (SIGSTOP) is killed when its file takes longer than the time limit; the
file is made again alone in a fresh worker, and fails with a clear line if it hangs again.

Three rooms: `spec` (what to make: the batch file, the matrix, shards), `record` (what was made: fingerprints,
journal, lock, manifest) and `run` (making it: the worker pool, time limits, signals).
"""

from awareprint.batch.record import (
    MANIFEST,
    Fingerprints,
    ItemRecord,
    Journal,
    folder_lock,
    previous_records,
    write_manifest,
)
from awareprint.batch.run import BatchReport, Outcome, Progress, make_item, run_batch
from awareprint.batch.spec import (
    BatchItem,
    BatchPlan,
    BatchSpec,
    check_shared_inputs,
    known_names,
    load_batch_file,
    load_spec_roster,
    matrix,
    parse_shard,
    plan_batch,
    resolve_spec,
    shard,
    usable_cpus,
    worker_count,
)

__all__ = [
    "MANIFEST",
    "BatchItem",
    "BatchPlan",
    "BatchReport",
    "BatchSpec",
    "Fingerprints",
    "ItemRecord",
    "Journal",
    "Outcome",
    "Progress",
    "check_shared_inputs",
    "folder_lock",
    "known_names",
    "load_batch_file",
    "load_spec_roster",
    "make_item",
    "matrix",
    "parse_shard",
    "plan_batch",
    "previous_records",
    "resolve_spec",
    "run_batch",
    "shard",
    "usable_cpus",
    "worker_count",
    "write_manifest",
]
