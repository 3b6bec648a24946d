"""The command line: thin commands over `pipeline`; the only module that writes to the terminal.

Exit codes: 0 done, 1 a user mistake or unusable input (one line, no traceback), 2 an internal error.
Heavy modules are imported inside the commands so that `--help` stays fast.
"""

from __future__ import annotations

import copy
import os
import re
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer
from typer.main import get_command_name

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from types import FrameType, TracebackType

    from rich.console import Console

    from .load.roster import OrgRow

    _Handler = Callable[[int, FrameType | None], Any] | int | signal.Handlers | None

    from .api import FileRequest
    from .batch import BatchItem, BatchReport, BatchSpec, Outcome
    from .diagnostics import Diagnostic
    from .load.folders import Folders
    from .preflight import PreflightReport
    from .tools.translation import Reviewer

app = typer.Typer(
    name="awareprint",
    help="Print-ready posters on live-streamed child sexual abuse (IWF 2018 study), in many languages.",
    no_args_is_help=False,
    invoke_without_command=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class _Terminal:
    """rich's Console, made on first use: importing rich costs about 20 ms that `--help` and a plain line of
    text never need. awareprint prints without colour, so a line rich would print unchanged is written as it
    is; rich prints tables, JSON, the progress bar, and any line it would change."""

    def __init__(self, stderr: bool) -> None:
        self._stderr = stderr
        self._console: Console | None = None

    def print(self, *objects: object, **options: Any) -> None:
        text = objects[0] if len(objects) == 1 else None
        plain = (
            self._console is None
            and isinstance(text, str)
            and set(options.items()) <= {("markup", False), ("highlight", False)}
            and (options.get("markup") is False or "[" not in text)
            and not _RICH_CHANGES.search(text)
        )
        if not plain:
            self._rich.print(*objects, **options)
            return
        stream = sys.stderr if self._stderr else sys.stdout
        stream.write(f"{text}\n")
        stream.flush()

    @property
    def _rich(self) -> Console:
        if self._console is None:
            from rich.console import Console

            self._console = Console(stderr=self._stderr, highlight=False, soft_wrap=True)
        return self._console

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self._rich, name)


# what rich's print would change in a line: an :emoji: code, a tab (expanded), a control code it strips
_RICH_CHANGES = re.compile(r":\S*?:|[\t\x07\x08\x0b\x0c\r]")

err = _Terminal(stderr=True)
out = _Terminal(stderr=False)

DEFAULT_SET = (
    ("en", "gb", "parents", "poster-a3"),
    ("en", "gb", "professionals", "poster-a3"),
    ("en", "gb", "parents", "poster-a4"),
    ("en", "us", "parents", "poster-letter"),
    ("en", "us", "professionals", "poster-tabloid"),
)


@app.callback()
def root(
    context: typer.Context,
    data: Annotated[
        Path | None,
        typer.Option(
            help="Your data folder: any of materials/, regions/, templates/ and fonts/, each file adding to "
            "or replacing the built-in one of the same name."
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Without a command: generate the default posters into out/."""
    if version:
        from . import __version__

        out.print(f"awareprint {__version__}", markup=False)
        raise typer.Exit()
    from .load.folders import Folders

    context.obj = Folders.at(data) if data else Folders()
    if context.invoked_subcommand is None:
        from .api import FileRequest

        for language, region, audience, template in DEFAULT_SET:
            output = _default_output(template, language, region, audience)
            _poster(context.obj, FileRequest(template, language, region, audience), output)
        out.print("Done. The posters are in " + str(Path("out").resolve()))


def _default_output(
    template: str, language: str, region: str, audience: str, edition: str = "print", ink: str = "normal"
) -> Path:
    from .pipeline import file_name

    return Path("out") / file_name(template, language, region, audience, edition, ink)


@app.command()
def poster(
    context: typer.Context,
    lang: Annotated[str, typer.Option(help="Language code, e.g. en (see `languages`).")] = "en",
    region: Annotated[
        str, typer.Option(help="Country whose reporting contacts to print (see `regions`).")
    ] = "gb",
    audience: Annotated[
        str, typer.Option(help="Who the poster speaks to: parents (and carers) or professionals.")
    ] = "parents",
    template: Annotated[
        str,
        typer.Option(help="Page design and size (see `templates`), or a template file (.yaml)."),
    ] = "poster-a3",
    output: Annotated[
        str | None,
        typer.Option(
            metavar="FILE",
            help="PDF to write; ending in / a folder to write the default name in "
            "[default: out/TEMPLATE-LANG-REGION-AUDIENCE.pdf].",
        ),
    ] = None,
    allow_overflow: Annotated[
        bool, typer.Option(help="Write the PDF even if some text does not fit its slot at the minimum size.")
    ] = False,
    allow_stale: Annotated[
        bool,
        typer.Option(help="Print contacts whose newest source is more than 24 months old (still reported)."),
    ] = False,
    org: Annotated[
        Path | None,
        typer.Option(
            help="Your organisation (YAML): name, safeguarding lead, contact lines, logo and brand colour."
        ),
    ] = None,
    logo: Annotated[
        Path | None,
        typer.Option(help="A logo (PNG or JPEG) for the template's logo slot, instead of the one in --org."),
    ] = None,
    edition: Annotated[
        str,
        typer.Option(
            help="print: PDF/X with CMYK, bleed and crop marks, for the print shop. "
            "screen: sRGB at trim size with clickable links, for e-mail and websites. "
            "office: the A4 or Letter sheet itself, everything 5 mm inside its edge, for an office printer. "
            "html: one accessible web page that loads nothing else, for websites. "
            "social: PNG and JPEG with alt text, from a social template (--template social-square)."
        ),
    ] = "print",
    ink: Annotated[
        str,
        typer.Option(help="office edition: normal, or light (white paper, outlined panels) for inkjets."),
    ] = "normal",
    pdfx: Annotated[
        str,
        typer.Option(help="PDF/X flavour of the print edition: x4, or x1a if the print shop asks for it."),
    ] = "x4",
    profile: Annotated[
        Path | None,
        typer.Option(help="Your print shop's CMYK ICC profile [default: FOGRA39, coated offset paper]."),
    ] = None,
    require_reviewed: Annotated[
        bool, typer.Option(help="Refuse a translation that a native speaker has not fully reviewed.")
    ] = False,
    require_complete: Annotated[
        bool, typer.Option(help="Refuse a translation that leaves strings in English.")
    ] = False,
) -> None:
    """Generate one print-ready poster, leaflet or card (PDF/X-4 with bleed, crop marks and CMYK colour)."""
    if audience not in ("parents", "professionals"):
        raise typer.BadParameter("choose parents or professionals", param_hint="--audience")
    from .api import FileRequest
    from .compose.office import INKS
    from .pipeline import EDITIONS, check_print_settings
    from .render.output import output_file

    if edition not in EDITIONS:
        raise typer.BadParameter("choose " + ", ".join(EDITIONS), param_hint="--edition")
    if pdfx not in ("x4", "x1a"):
        raise typer.BadParameter("choose x4 or x1a", param_hint="--pdfx")
    if ink not in INKS:
        raise typer.BadParameter("choose normal or light", param_hint="--ink")
    if ink != "normal" and edition != "office":
        raise typer.BadParameter("light ink is for the office edition (--edition office)", param_hint="--ink")
    check_print_settings((edition,), pdfx, profile)

    design = Path(template) if template.endswith((".yaml", ".yml")) else template
    default = _default_output(Path(template).stem, lang, region, audience, edition, ink)
    request = FileRequest(
        design,
        lang,
        region,
        audience,
        edition,
        ink=ink,
        organisation=org,
        logo=logo,
        standard=pdfx,
        profile=profile,
        allow_overflow=allow_overflow,
        require_complete=require_complete,
        allow_stale=allow_stale,
        require_reviewed=require_reviewed,
    )
    _poster(context.obj, request, output_file(output, default.name) if output is not None else default)


def _poster(folders: Folders, request: FileRequest, output: Path) -> None:
    from .api import make_file

    made = make_file(request, folders, output)
    _print_diagnostics(made.diagnostics)
    out.print(f"wrote {output}", markup=False)


def _names(values: list[str] | None, option: str) -> tuple[str, ...] | None:
    """Repeatable options that also take commas: --lang en,ar --lang ur. Given but empty is a mistake
    (an unset shell variable), not a quiet `all`."""
    if values is None:
        return None
    names = tuple(name.strip() for value in values for name in value.split(",") if name.strip())
    if not names:
        raise typer.BadParameter("is empty: name at least one, or all", param_hint=option)
    return names


@app.command()
def batch(
    context: typer.Context,
    batch_file: Annotated[
        Path | None,
        typer.Argument(help="A batch file (YAML) with the lists below; options given here override it."),
    ] = None,
    lang: Annotated[
        list[str] | None,
        typer.Option(metavar="CODES", help="Languages (repeat, or use commas), or all [default: all]."),
    ] = None,
    template: Annotated[
        list[str] | None, typer.Option(metavar="NAMES", help="Templates, or all [default: all].")
    ] = None,
    audience: Annotated[
        list[str] | None, typer.Option(metavar="NAMES", help="parents, professionals, or all [default: all].")
    ] = None,
    region: Annotated[
        list[str] | None, typer.Option(metavar="CODES", help="Regions, or all [default: gb].")
    ] = None,
    edition: Annotated[
        list[str] | None,
        typer.Option(metavar="NAMES", help="print, screen, office, html, social, or all [default: print]."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option(help="Folder for the files and manifest.json [default: out/batch].")
    ] = None,
    org: Annotated[Path | None, typer.Option(help="Your organisation (YAML), as for `poster`.")] = None,
    orgs: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="Many organisations: a CSV or YAML file, one per row, each in its own folder (see README).",
        ),
    ] = None,
    logo: Annotated[Path | None, typer.Option(help="A logo instead of the one in --org.")] = None,
    pdfx: Annotated[str | None, typer.Option(help="x4 [default] or x1a, for the print edition.")] = None,
    profile: Annotated[Path | None, typer.Option(help="Your print shop's CMYK ICC profile.")] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Worker processes [default: one per CPU core; never more than the cores or the files]; "
            "0 makes the files in this process (no time limit then).",
        ),
    ] = None,
    shard: Annotated[
        str | None,
        typer.Option(help="K/N: make only every N-th item from the K-th, for array jobs (see the README)."),
    ] = None,
    force: Annotated[bool, typer.Option(help="Make every file again, even those up to date.")] = False,
    wait: Annotated[
        bool, typer.Option(help="If another batch writes into the folder, wait for it instead of refusing.")
    ] = False,
    file_timeout: Annotated[
        float,
        typer.Option(
            min=0.1,
            metavar="SECONDS",
            help="A worker that has not finished a file after this long is stopped; the file is tried once "
            "more, alone, then fails.",
        ),
    ] = 120.0,
    allow_overflow: Annotated[
        bool, typer.Option(help="Write files even if some text does not fit at the minimum size.")
    ] = False,
    require_reviewed: Annotated[
        bool, typer.Option(help="Fail the files of languages a native speaker has not fully reviewed.")
    ] = False,
    require_complete: Annotated[
        bool, typer.Option(help="Fail the files of languages that leave strings in English.")
    ] = False,
    allow_stale: Annotated[
        bool, typer.Option(help="Print contacts whose newest source is more than 24 months old.")
    ] = False,
    no_preflight: Annotated[
        bool, typer.Option("--no-preflight", help="Skip the print shop checks on each file.")
    ] = False,
    preview: Annotated[
        bool, typer.Option(help="Then write PNG previews, contact sheets and index.html into OUTPUT/preview.")
    ] = False,
) -> None:
    """Make many files at once: every language x template x audience x region x edition.

    Files that are up to date are skipped; an interrupted run (Ctrl-C, or even kill -9) loses nothing and
    the same command finishes the rest. Exit code 1 if any file failed, 130 if interrupted.
    """
    import signal

    from .batch import plan_batch, run_batch

    if pdfx not in (None, "x4", "x1a"):
        raise typer.BadParameter("choose x4 or x1a", param_hint="--pdfx")
    given = {
        "languages": _names(lang, "--lang"),
        "templates": _names(template, "--template"),
        "audiences": _names(audience, "--audience"),
        "regions": _names(region, "--region"),
        "editions": _names(edition, "--edition"),
        "output": output,
        "organisation": org,
        "organisations": orgs,
        "logo": logo,
        "standard": pdfx,
        "profile": profile,
        "allow_overflow": allow_overflow or None,
        "require_reviewed": require_reviewed or None,
        "require_complete": require_complete or None,
        "allow_stale": allow_stale or None,
    }
    plan = plan_batch(context.obj, batch_file, given, shard_text=shard, jobs=jobs)
    size = f"{len(plan.roster.good)} organisations" if plan.roster else _matrix_size(plan.spec)
    workers = _count(plan.workers, "worker") if plan.workers else "in this process"
    err.print(f"{len(plan.items)} files ({size}) into {plan.spec.output}, {workers}", markup=False)
    for note in plan.notes:
        err.print(note, markup=False)

    def stop(*_: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)  # a scheduler's stop: finish the files in progress
    try:
        with _BatchProgress(len(plan.items)) as progress:
            report = run_batch(
                plan.spec,
                context.obj,
                plan.items,
                jobs=plan.workers,
                shard_of=plan.shard_of,
                force=force,
                preflight=not no_preflight,
                on_start=progress.started,
                on_done=progress.done,
                roster=plan.roster,
                wait=wait,
                file_timeout=file_timeout,
                note=lambda line: err.print(line, markup=False),
            )
    finally:
        signal.signal(signal.SIGTERM, previous)
    _batch_summary(report)
    if preview and not report.interrupted:
        from .tools.preview import make_previews

        previews = make_previews([plan.spec.output], plan.spec.output / "preview")
        out.print(f"previews: {previews.index}", markup=False)
    if report.interrupted:
        err.print(
            f"interrupted after {len(report.outcomes)} of {report.total} files; "
            "run the same command again to make the rest",
            markup=False,
        )
        raise typer.Exit(130)
    if report.failures or report.rejected:
        raise typer.Exit(1)


def _matrix_size(spec: BatchSpec) -> str:
    counts = [
        (len(spec.languages), "languages"),
        (len(spec.templates), "templates"),
        (len(spec.audiences), "audiences"),
        (len(spec.regions), "regions"),
        (len(spec.editions), "editions"),
    ]
    return " x ".join(f"{n} {what}" for n, what in counts)


class _BatchProgress:
    """A live bar on a terminal; in a log (CI, an array job), a line every 5 % so the log stays short."""

    def __init__(self, total: int) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.total = total
        self.counts = {"made": 0, "skipped": 0, "failed": 0}
        self.live = err.is_terminal
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[counts]}"),
            TimeRemainingColumn(),
            console=cast("Console", err),  # the _Terminal stands in for the Console it makes
            disable=not self.live,
        )
        self.task = self.progress.add_task("starting", total=total, counts="")
        self.next_report = 0

    def __enter__(self) -> _BatchProgress:
        self.progress.__enter__()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.progress.__exit__(kind, error, trace)

    def started(self, item: BatchItem) -> None:
        self.progress.update(self.task, description=item.name)

    def done(self, outcome: Outcome, finished: int) -> None:
        self.counts[outcome.action] += 1
        counts = ", ".join(f"{n} {what}" for what, n in self.counts.items() if n)
        self.progress.update(self.task, completed=finished, counts=counts)
        if not self.live and (finished >= self.next_report or finished == self.total):
            err.print(f"[{finished}/{self.total}] {counts}", markup=False)
            self.next_report = finished + max(1, self.total // 20)


def _batch_summary(report: BatchReport) -> None:
    """A row per template, then one plain line of totals (the line scripts and tests read)."""
    from rich.table import Table

    columns = ("made", "skipped", "failed")
    counts: dict[str, list[int]] = {}
    for outcome in report.outcomes:
        count = counts.setdefault(outcome.record.template, [0, 0, 0, 0])
        count[columns.index(outcome.action)] += 1
        count[3] += sum(1 for line in outcome.record.diagnostics if line.startswith("warning"))
    table = Table(title="batch")
    for heading in ("template", "made", "up to date", "failed", "warnings"):
        table.add_column(heading, justify="left" if heading == "template" else "right")
    for template, count in counts.items():
        table.add_row(template, *(str(n) if n else "" for n in count))
    totals = [sum(count[i] for count in counts.values()) for i in range(4)]
    table.add_row("all", *map(str, totals), style="bold")
    out.print(table)
    failed_rows = len(report.rejected)
    rejected = f"; {_count(failed_rows, 'organisation')} failed, nothing made for them" if failed_rows else ""
    out.print(
        f"{totals[0]} made, {totals[1]} up to date, {totals[2]} failed, {totals[3]} warnings "
        f"(of {report.total} files){rejected}",
        markup=False,
    )
    warned: dict[str, int] = {}
    for outcome in report.outcomes:
        for line in outcome.record.diagnostics:
            if line.startswith("warning"):
                warned[line] = warned.get(line, 0) + 1
    for line, files in list(warned.items())[:10]:
        err.print(f"{line} ({_count(files, 'file')})", markup=False)
    if len(warned) > 10:
        err.print(f"… and {len(warned) - 10} more different warnings, listed in the manifest", markup=False)
    rows: dict[str, OrgRow] = {row.slug: row for row in report.roster.rows} if report.roster else {}
    for outcome in report.failures[:20]:
        reason = next((d for d in outcome.record.diagnostics if d.startswith("error")), "failed")
        row = rows.get(outcome.record.organisation or "")
        where = f" (row on line {row.line}: {row.name})" if row else ""
        err.print(f"failed: {outcome.record.output}{where}: {reason}", markup=False)
    for row in report.rejected:
        named = f" for {row.name}" if row.name else f" for the organisation on line {row.line}"
        err.print(
            f"error: {(row.error or 'unusable').removeprefix('error: ')} (nothing made{named})", markup=False
        )
    if len(report.failures) > 20:
        err.print(f"… and {len(report.failures) - 20} more failures, listed in the manifest", markup=False)
    if report.manifest:
        out.print(f"manifest: {report.manifest}", markup=False)


@app.command()
def preview(
    paths: Annotated[list[Path], typer.Argument(help="PDFs, or folders of PDFs (a batch's output folder).")],
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Folder for the previews (default: preview/ in the first folder given, or out/preview).",
        ),
    ] = None,
    dpi: Annotated[int, typer.Option(min=10, max=300, help="Resolution of the page images.")] = 72,
) -> None:
    """Page images (cropped to the trim), a contact sheet per design with every language side by side,
    and an index.html gallery to review a batch by eye."""
    from .diagnostics import Severity
    from .tools.preview import default_out_dir, make_previews

    result = make_previews(paths, out_dir or default_out_dir(paths), dpi)
    _print_diagnostics(result.diagnostics)
    failed = sum(1 for item in result.items if item.failed)
    marked = f" ({_count(failed, 'file')} failed, marked in the gallery)" if failed else ""
    pages, sheets = _count(len(result.pages), "page image"), _count(len(result.sheets), "contact sheet")
    out.print(f"wrote {pages} and {sheets}{marked}; open {result.index}", markup=False)
    if any(d.severity is Severity.ERROR for d in result.diagnostics):
        raise typer.Exit(1)


templates_app = typer.Typer(
    help="The page designs: list them, check one you are writing, print the format as JSON Schema.",
    invoke_without_command=True,
)
app.add_typer(templates_app, name="templates")


@templates_app.callback()
def templates(context: typer.Context) -> None:
    """Without a command: list the page designs, one line each."""
    if context.invoked_subcommand is not None:
        return
    from .load.templates import list_templates, load_template

    for path in list_templates(context.obj.templates):
        template = load_template(path)
        out.print(f"{template.name:<20} {template.kind:<8} {template.description}", markup=False)


@templates_app.command("check")
def templates_check(
    context: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="Template files (YAML) to check.")],
) -> None:
    """Check template files: the format, spans, colours and contrast, then fit in every language."""
    import datetime as dt

    from .diagnostics import Severity
    from .tools.check import check_template

    errors = 0
    for path in files:
        report = check_template(path, context.obj, dt.date.today())
        _print_diagnostics(report.diagnostics)
        errors += report.count(Severity.ERROR)
        verdict = "fits" if not report.count(Severity.ERROR) else "has errors"
        out.print(f"{path}: {verdict} ({report.layouts} layouts)", markup=False)
    if errors:
        raise typer.Exit(1)


@templates_app.command("preview")
def templates_preview(
    context: typer.Context,
    name: Annotated[str, typer.Argument(help="A template's name, or its file (YAML).")],
    grid: Annotated[
        bool,
        typer.Option(help="Draw the grid, each slot's box and name, and in red the text that does not fit."),
    ] = False,
    lang: Annotated[
        list[str] | None,
        typer.Option(
            help="Languages to lay it out in [default: en, de, ta, ar: long words, a tall script, RTL]."
        ),
    ] = None,
    audience: Annotated[str, typer.Option(help="parents or professionals.")] = "parents",
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the PNG files.")] = Path(
        "out/template-preview"
    ),
    dpi: Annotated[int, typer.Option(min=20, max=300, help="Resolution of the pictures.")] = 72,
) -> None:
    """Lay a design out in languages that strain it and write each page as PNG, to see where text goes."""
    import datetime as dt

    from .load.templates import load_template
    from .pipeline import existing
    from .tools.preview import STRESS_LANGUAGES, template_previews

    if audience not in ("parents", "professionals"):
        raise typer.BadParameter("choose parents or professionals", param_hint="--audience")
    path = Path(name)
    if not (name.endswith((".yaml", ".yml")) and path.is_file()):
        path = existing(context.obj.templates, name, "template")
    languages = _names(lang, "--lang") or STRESS_LANGUAGES
    result = template_previews(
        load_template(path), context.obj, out_dir, dt.date.today(), languages, audience, grid, dpi
    )
    _print_diagnostics(result.overflows)
    out.print(f"wrote {_count(len(result.images), 'picture')} into {out_dir}/", markup=False)


@templates_app.command("schema")
def templates_schema() -> None:
    """Print the template format as JSON Schema, for editors that complete and check YAML."""
    import json

    from .load.template_schema import template_schema

    out.print(json.dumps(template_schema(), indent=2), markup=False, highlight=False)


@app.command()
def languages(context: typer.Context) -> None:
    """List the languages with their review status: draft, partly reviewed (N of M strings), reviewed."""
    from .load.content import load_source
    from .load.materials import ENGLISH, language_codes, load_english, load_materials

    folders = context.obj
    source = load_source(folders.materials / "source.yaml")
    english = load_english(folders.materials, source.figure_ids)
    for code in language_codes(folders.materials):
        materials = (
            english
            if code == ENGLISH
            else load_materials(folders.materials / f"{code}.yaml", source.figure_ids, english)
        )
        language, status = materials.language, materials.review_status
        outdated = f"; {status.outdated} reviews out of date" if status.outdated else ""
        out.print(
            f"{language.code:<8} {language.native_name} ({language.name}), {status.label}{outdated}",
            markup=False,
        )


@app.command()
def regions(
    context: typer.Context,
    code: Annotated[
        str | None, typer.Argument(help="A region code, e.g. in: list its contacts with their sources.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """List the regions (with the oldest verified month of each), or one region's contacts in full:
    caption, name, number and address, hours, audiences, sources with dates, verified month, staleness."""
    import datetime as dt
    import json

    from .load.materials import load_english
    from .load.regions import detail_lines, load_region, region_details, region_summary, summary_line
    from .pipeline import existing

    today = dt.date.today()
    if code is None:
        paths = sorted(context.obj.regions.glob("*.yaml"))
        summaries = [region_summary(load_region(path), today) for path in paths]
        lines = [summary_line(summary) for summary in summaries]
        found: object = summaries
    else:
        details = region_details(load_region(existing(context.obj.regions, code, "region")), today)
        from .load.content import load_source

        figures = load_source(context.obj.materials / "source.yaml").figure_ids
        lines = detail_lines(details, load_english(context.obj.materials, figures).contact_captions)
        found = details
    if as_json:
        out.print_json(json.dumps(found, ensure_ascii=False))
    else:
        for line in lines:
            out.print(line, markup=False)


@app.command()
def check(
    context: typer.Context,
    lang: Annotated[
        list[str] | None, typer.Option(help="Check only this language (repeatable) [default: all].")
    ] = None,
    fit_region: Annotated[
        str, typer.Option(help="Region whose contacts every language is laid out with.")
    ] = "gb",
    all_regions: Annotated[
        bool, typer.Option(help="Lay out every language with every region's contacts (a few minutes).")
    ] = False,
    no_fit: Annotated[bool, typer.Option("--no-fit", help="Skip laying out the posters (faster).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON.")] = False,
    strict: Annotated[
        bool, typer.Option(help="Fail on warnings too (drafts, stale strings, old contacts).")
    ] = False,
) -> None:
    """Check all content: translations against English, numbers, placeholders, contacts, and fit."""
    import datetime as dt
    import json

    from .diagnostics import Severity
    from .tools.check import CheckScope, run_check

    scope = CheckScope(tuple(lang or ()), fit_region, not no_fit, all_regions)
    report = run_check(context.obj, dt.date.today(), scope)
    errors, warnings = report.count(Severity.ERROR), report.count(Severity.WARNING)
    if as_json:
        findings = [_as_json(d) for d in report.diagnostics]
        out.print_json(json.dumps({"errors": errors, "warnings": warnings, "findings": findings}))
    else:
        _print_diagnostics(report.diagnostics)
        out.print(
            f"{errors} errors, {warnings} warnings: {report.languages} languages, {report.regions} regions, "
            f"{report.templates} templates, {report.layouts} posters laid out",
            markup=False,
        )
    if errors or (strict and warnings):
        raise typer.Exit(1)


@app.command()
def preflight(
    files: Annotated[list[Path], typer.Argument(help="Finished PDF files to check.")],
    safe_margin: Annotated[float, typer.Option(help="How far inside the trim text must stay, in mm.")] = 3.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print one report per file as JSON.")] = False,
    ua: Annotated[
        bool,
        typer.Option("--ua", help="Also check what a machine can check of PDF/UA-1 (tagged PDF)."),
    ] = False,
) -> None:
    """Check finished PDFs as a print shop would: boxes, fonts, colour, resolution, PDF/X, ink, safe area."""
    import json

    from .diagnostics import Severity
    from .preflight import preflight_pdf

    if safe_margin < 0:
        raise typer.BadParameter("give a distance of 0 mm or more", param_hint="--safe-margin")
    reports = [preflight_pdf(path, safe_margin, ua=ua) for path in files]
    if as_json:
        found = [
            {
                "file": str(report.path),
                "edition": report.edition,
                "standard": report.standard,
                "pages": report.pages,
                "max_ink_percent": report.max_ink_percent,
                "max_ink_at": report.max_ink_at,
                "errors": report.count(Severity.ERROR),
                "warnings": report.count(Severity.WARNING),
                "findings": [_as_json(d) for d in report.diagnostics],
            }
            for report in reports
        ]
        out.print_json(json.dumps(found))
    else:
        for report in reports:
            _print_diagnostics(report.diagnostics)
            out.print(f"{report.path}: {_preflight_summary(report)}", markup=False)
    if any(report.count(Severity.ERROR) for report in reports):
        raise typer.Exit(1)


def _preflight_summary(report: PreflightReport) -> str:
    """`PDF/X-4, 1 page, max ink 241 %, OK` or `..., 2 errors, 1 warning`."""
    from .diagnostics import Severity

    if report.edition is None:
        facts = ["unreadable"]
    else:
        facts = [report.standard or f"{report.edition} edition", _plural(report.pages, "page")]
        if report.max_ink_percent is not None:
            facts.append(f"max ink {report.max_ink_percent:.0f} %")
    errors, warnings = report.count(Severity.ERROR), report.count(Severity.WARNING)
    problems = [_plural(n, what) for n, what in ((errors, "error"), (warnings, "warning")) if n]
    return ", ".join(facts + (problems or ["OK"]))


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


fonts_app = typer.Typer(help="Fonts for scripts the built-in ones lack, kept in your data folder.")
app.add_typer(fonts_app, name="fonts")


@fonts_app.command("add")
def fonts_add(
    context: typer.Context,
    font: Annotated[Path, typer.Argument(help="The font (.ttf), with its licence file (OFL.txt) beside it.")],
    bold: Annotated[
        Path | None, typer.Option(help="Its bold face [default: the regular one sets bold text too].")
    ] = None,
    data: Annotated[
        Path | None, typer.Option(help="The data folder to add it to [default: --data, or the current one].")
    ] = None,
) -> None:
    """Add a font: checks its scripts and licence, copies it into DATA/fonts/ and records it there."""
    from .tools.add_font import add_font, describe

    folder = data or context.obj.writable
    out.print(describe(add_font(font, bold, folder)), markup=False)
    if data is None and context.obj.overlay is None:
        out.print(f"use it with: awareprint --data {folder} ...", markup=False)


strings_app = typer.Typer(
    help="Translator and reviewer workflow: PO/XLIFF export and import, new languages, review and approval."
)
app.add_typer(strings_app, name="strings")


@strings_app.command("export")
def strings_export(
    context: typer.Context,
    lang: Annotated[str, typer.Option(help="Language code, e.g. fr.")],
    format: Annotated[str, typer.Option("--format", help="po or xliff.")] = "po",
    output: Annotated[
        str | None,
        typer.Option(metavar="FILE", help="File (or folder/) to write [default: LANG.po or LANG.xliff]."),
    ] = None,
) -> None:
    """Write every string with its English source and a note on where it is printed and its room: the
    tightest place it gets across all the templates."""
    from .load.templates import list_templates, load_template
    from .pipeline import load_translation
    from .render.output import output_file, write_atomic
    from .tools.translation import FORMATS, export_strings

    if format not in FORMATS:
        raise typer.BadParameter("choose po or xliff", param_hint="--format")
    files = load_translation(context.obj, lang)
    designs = [load_template(path) for path in list_templates(context.obj.templates)]
    target = output_file(output or "./", f"{lang}.{format}")
    write_atomic(target, export_strings(files.english, files.materials, designs, format))
    out.print(f"wrote {target} ({len(files.english.strings)} strings)", markup=False)


@strings_app.command("import")
def strings_import(
    context: typer.Context,
    file: Annotated[Path, typer.Argument(help="A PO or XLIFF file made by `strings export`.")],
    lang: Annotated[str, typer.Option(help="Language code, e.g. fr.")],
    reviewer: Annotated[
        str | None,
        typer.Option(
            help="Record units marked reviewed (XLIFF signed-off/final/reviewed; PO: not fuzzy) as "
            "approved by this native speaker."
        ),
    ] = None,
    date: Annotated[str | None, typer.Option(help="Day of the review, YYYY-MM-DD [default: today].")] = None,
) -> None:
    """Merge a translated PO/XLIFF file into materials/LANG.yaml, refusing wrong numbers or placeholders."""
    from .load.inputs import read_input
    from .load.schema import MAX_DATA_FILE_BYTES
    from .pipeline import load_translation
    from .render.output import write_atomic
    from .tools.translation import import_strings

    files = load_translation(context.obj, lang)
    who = _reviewer(reviewer, date) if reviewer else None
    if date and not reviewer:
        raise typer.BadParameter("give --reviewer too", param_hint="--date")
    data, result = import_strings(file, files.english, files.materials, files.figure_ids, who)
    if read_input(files.path, MAX_DATA_FILE_BYTES) != data:
        write_atomic(files.path, data)
    out.print(f"{files.path}: {len(result.changed)} strings changed", markup=False)
    if result.approved:
        out.print(f"recorded {_count(len(result.approved), 'review')} by {who.name}", markup=False)  # type: ignore[union-attr]
    if result.stale:
        err.print(
            f"warning: {len(result.stale)} imported strings were translated from an older English or marked "
            "fuzzy; they stay marked stale (see `awareprint check`)",
            markup=False,
        )
    if result.reviews_lost:
        err.print(
            f"warning: {_count(len(result.reviews_lost), 'reviewed string')} changed; "
            "their reviews no longer count until a native speaker approves the new text",
            markup=False,
        )
    if result.marked_reviewed:
        err.print(
            f"note: {_count(result.marked_reviewed, 'unit')} marked reviewed in the file; "
            'give --reviewer "Name" to record the reviews',
            markup=False,
        )


def _reviewer(name: str, date: str | None) -> Reviewer:
    import datetime as dt

    from .load.schema import parse_date
    from .tools.translation import Reviewer

    if date is None:
        return Reviewer(name, dt.date.today())
    if len(date) != 10:
        raise typer.BadParameter("write the day as YYYY-MM-DD", param_hint="--date")
    try:
        return Reviewer(name, parse_date(date))
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--date") from None


@strings_app.command("review")
def strings_review(
    context: typer.Context,
    lang: Annotated[str, typer.Option(help="Language code, e.g. fr.")],
    output: Annotated[
        str | None,
        typer.Option(metavar="FILE", help="HTML file (or folder/) to write [default: review-LANG.html]."),
    ] = None,
) -> None:
    """Write a bilingual review page (HTML): each string in English and translated, where it is printed,
    its room, and whether a native speaker has reviewed it."""
    import datetime as dt

    from .load.templates import list_templates, load_template
    from .pipeline import load_translation
    from .render.output import output_file, write_atomic
    from .tools.review import review_page

    files = load_translation(context.obj, lang)
    designs = [load_template(path) for path in list_templates(context.obj.templates)]
    target = output_file(output or "./", f"review-{lang}.html")
    page = review_page(files.english, files.materials, designs, dt.date.today())
    write_atomic(target, page.encode("utf-8"))
    status = files.materials.review_status
    out.print(f"wrote {target} ({len(files.english.strings)} strings, {status.label})", markup=False)


@strings_app.command("approve")
def strings_approve(
    context: typer.Context,
    lang: Annotated[str, typer.Option(help="Language code, e.g. fr.")],
    reviewer: Annotated[str, typer.Option(help="The native speaker who reviewed the strings.")],
    keys: Annotated[list[str] | None, typer.Argument(help="Keys to approve [default: every string].")] = None,
    date: Annotated[str | None, typer.Option(help="Day of the review, YYYY-MM-DD [default: today].")] = None,
) -> None:
    """Record that a native speaker approved strings as they stand (the English and the translation)."""
    from .pipeline import load_translation
    from .render.output import write_atomic
    from .tools.review import approve

    files = load_translation(context.obj, lang)
    who = _reviewer(reviewer, date)
    data, result = approve(files.english, files.materials, who, tuple(keys or ()), files.figure_ids)
    write_atomic(files.path, data)
    if result.untranslated:
        err.print(
            f"warning: {_count(len(result.untranslated), 'string')} not translated, so not approved "
            f"(printed in English), e.g. '{result.untranslated[0]}'",
            markup=False,
        )
    out.print(
        f"{files.path}: {_count(len(result.approved), 'string')} approved by {who.name} on "
        f"{who.date.isoformat()}; the {files.materials.language.name} translation is now "
        f"{result.status.label}",
        markup=False,
    )


@strings_app.command("init")
def strings_init(
    context: typer.Context, lang: Annotated[str, typer.Argument(help="Code of the new language, e.g. am.")]
) -> None:
    """Start a new language: materials/LANG.yaml in the data folder (or the current one), not in the tool."""
    from .render.output import write_atomic
    from .tools.translation import new_language

    folders = context.obj
    target = folders.writable / "materials" / f"{lang}.yaml"
    write_atomic(target, new_language(lang, folders.materials))
    data = f"--data {folders.writable} " if folders.overlay is None else ""
    out.print(f"wrote {target}; next: awareprint {data}strings export --lang {lang}", markup=False)


@strings_app.command("stamp")
def strings_stamp(
    context: typer.Context,
    lang: Annotated[str, typer.Argument(help="Language code.")],
    keys: Annotated[list[str] | None, typer.Argument(help="Keys to mark [default: all].")] = None,
) -> None:
    """Record that strings (edited by hand in the YAML) translate the current English."""
    from .pipeline import load_translation
    from .render.output import write_atomic
    from .tools.translation import stamp

    files = load_translation(context.obj, lang)
    write_atomic(files.path, stamp(files.english, files.materials, tuple(keys or ())))
    out.print(f"{files.path}: marked as translating the current English", markup=False)


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}{'' if number == 1 else 's'}"


def _print_diagnostics(diagnostics: Iterable[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        err.print(diagnostic.labelled(), markup=False)


def _as_json(diagnostic: Diagnostic) -> dict[str, object]:
    return {
        "severity": diagnostic.severity.name.lower(),
        "code": diagnostic.code,
        "file": str(diagnostic.file) if diagnostic.file else None,
        "line": diagnostic.line,
        "key": diagnostic.key,
        "message": diagnostic.message,
        "hint": diagnostic.hint,
    }


@app.command()
def serve(
    context: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on; 0.0.0.0 in a container.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    config: Annotated[
        Path | None,
        typer.Option(
            help="Host settings (YAML): default region, fixed organisation fields, brand lock, limits."
        ),
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="Processes making files [default: the config's, or 2].", min=1, max=64)
    ] = None,
    proxy: Annotated[
        str | None,
        typer.Option(
            metavar="ADDRESSES",
            help="Trust X-Forwarded-For/-Proto from these reverse proxy addresses (comma-separated).",
        ),
    ] = None,
) -> None:
    """Serve the web page: pick a design, languages and region, add your organisation, preview, download."""
    import uvicorn
    from msgspec.structs import replace

    from .web.app import create_app
    from .web.config import HostConfig, load_host_config

    settings = load_host_config(config) if config else HostConfig()
    if workers is not None:
        settings = replace(settings, limits=replace(settings.limits, workers=workers))
    out.print(f"awareprint: serving on http://{host}:{port}/ (Ctrl-C stops)", markup=False)
    uvicorn.run(
        create_app(settings, context.obj),
        host=host,
        port=port,
        proxy_headers=proxy is not None,
        forwarded_allow_ips=proxy or "",
        server_header=False,
        log_level="warning",
    )


def main(argv: list[str] | None = None) -> None:
    """Run the CLI with awareprint's exit codes; never show a traceback for a user mistake."""
    from .cli_values import install

    install()
    stops = _stop_on_signals()
    try:
        chosen = _app_for(sys.argv[1:] if argv is None else argv)
        code = chosen(args=argv, prog_name="awareprint", standalone_mode=False)  # None: click reads argv
        if isinstance(code, int) and code:  # typer.Exit(code) comes back as a return value here
            sys.exit(code)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        err.print("interrupted", markup=False)
        sys.exit(1)
    except Exception as error:
        from .diagnostics import AwareprintError  # only now: `--help` need not import msgspec for it

        if isinstance(error, AwareprintError):
            for diagnostic in error.diagnostics:
                err.print(f"error: {diagnostic.one_line()}", markup=False)
            sys.exit(1)
        if hasattr(error, "format_message"):  # a usage error: unknown option, bad value
            err.print(f"error: {error.format_message()} (see --help)", markup=False)
            sys.exit(1)
        if os.environ.get("AWAREPRINT_DEBUG"):
            raise
        err.print(
            f"internal error: {type(error).__name__}: {error} "
            "(please report this; AWAREPRINT_DEBUG=1 shows the traceback)",
            markup=False,
        )
        sys.exit(2)
    finally:
        for number, handler in stops.items():
            signal.signal(number, handler)


def _app_for(args: list[str]) -> typer.Typer:
    """The app with only the command `args` name: typer builds every command's parameters from its
    signature before it runs one (about 25 ms for all of them). Help on the whole app, a mistyped name or
    no command gets the whole app, so that click lists or suggests the others."""
    name = _command_named(args)
    commands = [
        command
        for command in app.registered_commands
        if name == (command.name or get_command_name(command.callback.__name__))  # type: ignore[union-attr]
    ]
    groups = [group for group in app.registered_groups if group.name == name]
    if not commands and not groups:
        return app
    only = copy.copy(app)
    only.registered_commands, only.registered_groups = commands, groups
    return only


def _command_named(args: list[str]) -> str | None:
    """The first argument after the app's own options (`--data PATH`), or None if an option comes first
    that the app itself answers (`--help`, `--version`) or that it does not know."""
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--data":
            index += 2
        elif arg.startswith("--data="):
            index += 1
        else:
            return None if arg.startswith("-") else arg
    return None


def _stop_on_signals() -> dict[int, _Handler]:
    """SIGTERM and SIGHUP stop a command the way Ctrl-C does: by KeyboardInterrupt, so that a file being
    written removes its temporary copy on the way out. Returns the handlers to put back."""

    def stop(*_: object) -> None:
        raise KeyboardInterrupt

    return {number: signal.signal(number, stop) for number in (signal.SIGTERM, signal.SIGHUP)}
