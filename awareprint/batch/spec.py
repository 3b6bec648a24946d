"""What a batch makes: the batch file, the matrix of requests, and shards of it."""

from __future__ import annotations

import contextlib
import os
import re
from collections import abc
from collections.abc import Sequence
from pathlib import Path

import msgspec

from awareprint.diagnostics import user_error
from awareprint.load.folders import Folders
from awareprint.load.materials import AUDIENCES, language_codes
from awareprint.load.organisation import load_organisation
from awareprint.load.roster import MATRIX_KEYS as ROSTER_KEYS
from awareprint.load.roster import OrgRow, Roster, load_roster
from awareprint.load.schema import Mapping, Node, as_list, as_path, as_text, load_yaml
from awareprint.load.templates import list_templates, template_kind
from awareprint.pipeline import EDITIONS, check_print_settings, file_name, fits
from awareprint.render.pdfx import STANDARDS

_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
_MATRIX_KEYS = ("languages", "templates", "audiences", "regions", "editions")


class BatchSpec(msgspec.Struct, frozen=True):
    """What to make: every combination of the five lists, with one organisation and one print setting."""

    languages: tuple[str, ...]
    templates: tuple[str, ...]
    audiences: tuple[str, ...]
    regions: tuple[str, ...]
    editions: tuple[str, ...]
    output: Path
    organisation: Path | None = None
    organisations: Path | None = None  # an organisations file (CSV or YAML): the matrix once per row
    logo: Path | None = None
    standard: str = "x4"
    profile: Path | None = None
    allow_overflow: bool = False
    require_reviewed: bool = False  # items in a language not fully reviewed fail, the others are made
    require_complete: bool = False  # items in a language with strings left in English fail
    allow_stale: bool = False
    # templates made only in the social edition (and the only ones it makes): other pairs are skipped
    social_templates: tuple[str, ...] = ()


class BatchItem(msgspec.Struct, frozen=True):
    language: str
    template: str
    audience: str
    region: str
    edition: str
    organisation: str | None = None  # the slug of its row in the organisations file

    @property
    def name(self) -> str:
        """The output file name: the same pattern as a single `poster` run writes into out/. For a row of
        an organisations file, in the row's folder, its slug first: `slug/slug-poster-a3-en-gb-parents.pdf`.
        """
        name = file_name(self.template, self.language, self.region, self.audience, self.edition, "normal")
        return f"{self.organisation}/{self.organisation}-{name}" if self.organisation else name


# ---- the matrix


def load_batch_file(path: Path, folders: Folders) -> dict[str, object]:
    """A batch file's settings, as keyword overrides for `resolve_spec`; paths are relative to the file."""
    root = Mapping(load_yaml(path), {"batch"})
    batch = root.sub(
        "batch",
        set(),
        {
            *_MATRIX_KEYS,
            "output",
            "organisation",
            "organisations",
            "logo",
            "pdfx",
            "profile",
            "allow_overflow",
            "allow_stale",
            "require_reviewed",
            "require_complete",
        },
    )
    found: dict[str, object] = {}
    known = known_names(folders)
    for key in _MATRIX_KEYS:
        if batch.has(key):
            found[key] = _names(batch.get(key), key, known[key])
    for key in ("organisation", "organisations", "logo", "profile"):
        if batch.has(key):
            found[key] = _inside(path.parent, batch.get(key), must_exist=True)
    if "organisation" in found:  # the same rule one level down: its logo stays in the org file's folder
        load_organisation(found["organisation"], confined=True)  # type: ignore[arg-type]
    if batch.has("output"):
        found["output"] = _inside(path.parent, batch.get("output"), must_exist=False)
    if batch.has("pdfx"):
        found["standard"] = batch.choice("pdfx", tuple(STANDARDS))
    for flag in ("allow_overflow", "allow_stale", "require_reviewed", "require_complete"):
        if batch.has(flag):
            found[flag] = batch.choice(flag, ("true", "false")) == "true"
    return found


def _names(node: Node, key: str, known: list[str]) -> tuple[str, ...]:
    """`all`, one name, or a list of names; an unknown one is refused on its own line of the file."""
    items = [node] if isinstance(node.value, str) else as_list(node)
    if not items:
        raise node.error("the list is empty", hint="name at least one, or write 'all'")
    for item in items:
        name = as_text(item)
        if name != "all" and name not in known:
            raise item.error(f"unknown {key.removesuffix('s')} '{name}'", hint=_choices(known))
    return tuple(as_text(item) for item in items)


def _choices(known: list[str]) -> str:
    return "choose from: all, " + ", ".join(known)


def _inside(folder: Path, node: Node, must_exist: bool) -> Path:
    """A relative path that stays inside the batch file's folder: a shared batch file cannot reach out."""
    text = as_text(node)
    path = as_path(node, folder)
    if Path(text).is_absolute() or not path.is_relative_to(folder.resolve()):
        raise node.error(
            f"'{text}' points outside the batch file's folder",
            hint="give a path relative to the batch file, without '..', or pass it on the command line",
        )
    if must_exist and not path.is_file():
        raise node.error(f"file not found: {text}", hint="give the path relative to the batch file")
    return path


def known_names(folders: Folders) -> dict[str, list[str]]:
    """What each list of the matrix may name, `all` aside."""
    return {
        "languages": language_codes(folders.materials),
        "templates": [p.stem for p in list_templates(folders.templates)],
        "audiences": list(AUDIENCES),
        "regions": sorted(p.stem for p in folders.regions.glob("*.yaml")),
        "editions": list(EDITIONS),
    }


def resolve_spec(folders: Folders, output: Path, **chosen: object) -> BatchSpec:
    """Fill in defaults and expand `all`; every name is checked before any work starts."""
    known = known_names(folders)
    defaults = {
        "languages": "all",
        "templates": "all",
        "audiences": "all",
        "regions": "gb",
        "editions": "print",
    }
    lists = {}
    for key in _MATRIX_KEYS:
        names: tuple[str, ...] = chosen.pop(key, None) or (defaults[key],)  # type: ignore[assignment]
        lists[key] = _expand(key, names, known[key])
    settings = {k: v for k, v in chosen.items() if v is not None}
    check_print_settings(lists["editions"], settings.get("standard"), settings.get("profile"))  # type: ignore[arg-type]
    if settings.get("organisations") and (settings.get("organisation") or settings.get("logo")):
        raise user_error(
            "an organisations file (--orgs) gives each organisation, with its own logo",
            hint="leave out --org and --logo, or add their details as a row of the file",
        )
    social = tuple(
        name for name in known["templates"] if template_kind(folders.templates / f"{name}.yaml") == "social"
    )
    return BatchSpec(**lists, output=output, **settings, social_templates=social)  # type: ignore[arg-type]


def load_spec_roster(spec: BatchSpec, folders: Folders) -> Roster | None:
    """The organisations file's rows, checked against what the batch knows, or None without one."""
    return load_roster(spec.organisations, known_names(folders)) if spec.organisations else None


def _expand(key: str, names: tuple[str, ...], known: list[str]) -> tuple[str, ...]:
    if "all" in names:
        return tuple(known)
    for name in names:
        if name not in known:
            raise user_error(f"unknown {key.removesuffix('s')} '{name}'", hint=_choices(known))
    return tuple(dict.fromkeys(names))


def matrix(spec: BatchSpec, roster: Roster | None = None) -> list[BatchItem]:
    """Every combination, in a fixed order, so shards are reproducible; with a roster, once per good row,
    with the lists the row chose.

    Language first, organisations inside it: a worker then meets the same strings, fonts and glyphs again
    while they are still in its caches, which keeps the caches small (a worker stays well under 200 MB
    with every script loaded), and every organisation reuses what the others shaped.
    """
    rows = roster.good if roster else (None,)
    lists = [(row, _lists(spec, row)) for row in rows]
    languages = dict.fromkeys(language for _, chosen in lists for language in chosen["languages"])
    return [
        BatchItem(language, template, audience, region, edition, row.slug if row else None)
        for language in languages
        for row, chosen in lists
        if language in chosen["languages"]
        for template in chosen["templates"]
        for region in chosen["regions"]
        for audience in chosen["audiences"]
        for edition in spec.editions
        if fits("social" if template in spec.social_templates else "print", edition)
    ]


def _lists(spec: BatchSpec, row: OrgRow | None) -> dict[str, tuple[str, ...]]:
    """The batch's lists, with those the row sets in their place."""
    chosen = {key: getattr(spec, key) for key in ROSTER_KEYS}
    return chosen | (row.choices if row else {})


class BatchPlan(msgspec.Struct, frozen=True):
    """What one `batch` command will do, before any work: the spec, its items (this shard's) and workers."""

    spec: BatchSpec
    roster: Roster | None
    items: list[BatchItem]
    shard_of: tuple[int, int] | None
    workers: int  # 0: the files are made in this process
    notes: tuple[str, ...] = ()  # "note: ..." lines for the user


def plan_batch(
    folders: Folders,
    batch_file: Path | None,
    given: abc.Mapping[str, object],
    *,
    shard_text: str | None = None,
    jobs: int | None = None,
) -> BatchPlan:
    """The batch file's settings, with the options given on the command line (`given`, None = not
    given) in their place; the output folder defaults to out/batch."""
    chosen = load_batch_file(batch_file, folders) if batch_file else {}
    chosen.update({key: value for key, value in given.items() if value is not None})
    output = chosen.pop("output", None) or Path("out") / "batch"
    spec = resolve_spec(folders, Path(output), **chosen)  # type: ignore[arg-type]
    roster = load_spec_roster(spec, folders)
    items = matrix(spec, roster)
    notes = _replaced_by_rows(spec, chosen, items) if roster else []
    shard_of = parse_shard(shard_text) if shard_text else None
    if shard_of:
        items = shard(items, *shard_of)
    workers, note = worker_count(jobs, len(items))
    return BatchPlan(spec, roster, items, shard_of, workers, (*notes, *([note] if note else [])))


def _replaced_by_rows(spec: BatchSpec, chosen: abc.Mapping[str, object], items: list[BatchItem]) -> list[str]:
    """Names the user chose for the batch (`--lang ar`) that no file uses, because every organisation's
    row gives its own list in their place: said, so nothing asked for is left out without a word."""
    notes = []
    for key in ROSTER_KEYS:
        named = chosen.get(key)
        if not named or "all" in named:  # type: ignore[operator]
            continue
        used = {getattr(item, key.removesuffix("s")) for item in items}
        unused = [name for name in getattr(spec, key) if name not in used]
        if unused:
            notes.append(
                f"note: {key} asked for but made for no organisation: {', '.join(unused)} (each row lists "
                f"its own {key}, which replace the batch's; add them to the rows' {key} column, or leave it "
                "empty)"
            )
    return notes


def usable_cpus() -> int:
    """The CPUs this process may run on: a container's or a scheduler's share, not the whole machine's."""
    count = getattr(os, "process_cpu_count", None)  # Python 3.13
    if count is not None:
        return int(count() or 1)
    with contextlib.suppress(AttributeError):  # not Linux
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def worker_count(jobs: int | None, files: int) -> tuple[int, str | None]:
    """`--jobs`, or one worker per CPU; never more than the CPUs or the files (a worker more than that
    only costs memory: `--jobs 10000` once started one per file), with a note when capped."""
    if jobs == 0:
        return 0, None
    cpus = usable_cpus()
    workers = max(1, min(cpus if jobs is None else jobs, cpus, files))
    if jobs is None or jobs <= workers:
        return workers, None
    limit = f"the {cpus} CPUs this process may use" if workers == cpus else f"the {files} files to make"
    return workers, f"note: --jobs {jobs} is more than {limit}; using {_workers(workers)}"


def _workers(count: int) -> str:
    return f"{count} worker" + ("" if count == 1 else "s")


def parse_shard(text: str) -> tuple[int, int]:
    match = _SHARD.match(text)
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise user_error(f"--shard '{text}' is not K/N with 1 <= K <= N", hint="e.g. --shard 2/8")
    return int(match.group(1)), int(match.group(2))


def shard(items: Sequence[BatchItem], index: int, count: int) -> list[BatchItem]:
    """Every `count`-th item from the `index`-th (1-based): balanced across templates and languages."""
    return list(items[index - 1 :: count])


def check_shared_inputs(spec: BatchSpec) -> None:
    """An unreadable org file, logo or profile would fail every item: say so once, before starting."""
    from awareprint.render.images import open_logo
    from awareprint.render.pdfx import custom_profile

    organisation = load_organisation(spec.organisation) if spec.organisation else None
    logo = spec.logo or (organisation.logo if organisation else None)
    if logo:
        open_logo(logo)
    if spec.profile:
        custom_profile(spec.profile)
