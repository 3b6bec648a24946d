"""The command line: thin commands over `pipeline`; the only module that writes to the terminal.

Exit codes: 0 done, 1 a user mistake or unusable input (one line, no traceback), 2 an internal error.
Heavy modules are imported inside the commands so that `--help` stays fast.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:
    from .pipeline import Folders

app = typer.Typer(
    name="awareprint",
    help="Print-ready posters on live-streamed child sexual abuse (IWF 2018 study), in many languages.",
    no_args_is_help=False,
    invoke_without_command=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)

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
            help="Folder with your own materials/, regions/ and templates/ [default: the built-in ones]."
        ),
    ] = None,
) -> None:
    """Without a command: generate the default posters into out/."""
    from .pipeline import Folders

    context.obj = Folders.at(data) if data else Folders()
    if context.invoked_subcommand is None:
        for language, region, audience, template in DEFAULT_SET:
            output = _default_output(template, language, region, audience)
            _poster(context.obj, language, region, audience, template, output, allow_overflow=False)
        out.print("Done. The posters are in " + str(Path("out").resolve()))


def _default_output(template: str, language: str, region: str, audience: str) -> Path:
    return Path("out") / f"{template}-{language}-{region}-{audience}.pdf"


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
    template: Annotated[str, typer.Option(help="Page design and size (see `templates`).")] = "poster-a3",
    output: Annotated[
        Path | None, typer.Option(help="PDF to write [default: out/TEMPLATE-LANG-REGION-AUDIENCE.pdf].")
    ] = None,
    allow_overflow: Annotated[
        bool, typer.Option(help="Write the PDF even if some text does not fit its slot at the minimum size.")
    ] = False,
    logo: Annotated[
        Path | None,
        typer.Option(help="Your organisation's logo (PNG or JPEG), placed in the template's logo slot."),
    ] = None,
) -> None:
    """Generate one print-ready poster (PDF/X-4 with bleed, crop marks and CMYK colour)."""
    if audience not in ("parents", "professionals"):
        raise typer.BadParameter("choose parents or professionals", param_hint="--audience")
    output = output or _default_output(template, lang, region, audience)
    _poster(context.obj, lang, region, audience, template, output, allow_overflow, logo)


def _poster(
    folders: Folders,
    language: str,
    region: str,
    audience: str,
    template: str,
    output: Path,
    allow_overflow: bool,
    logo: Path | None = None,
) -> None:
    from .diagnostics import Severity
    from .pipeline import PosterRequest, make_poster

    request = PosterRequest(language, region, audience, template, output, allow_overflow, logo=logo)
    result = make_poster(request, folders)
    for diagnostic in result.diagnostics:
        label = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}[
            diagnostic.severity
        ]
        err.print(f"{label}: {diagnostic.one_line()}", markup=False)
    out.print(f"wrote {result.output}", markup=False)


@app.command()
def templates(context: typer.Context) -> None:
    """List the page designs, one line each."""
    from .templates import list_templates, load_template

    for path in list_templates(context.obj.templates):
        template = load_template(path)
        out.print(f"{template.name:<18} {template.description}", markup=False)


@app.command()
def languages(context: typer.Context) -> None:
    """List the languages with their translation status."""
    from .content import load_materials, load_source

    folders = context.obj
    source = load_source(folders.materials / "source.yaml")
    for path in sorted(folders.materials.glob("*.yaml")):
        if path.name == "source.yaml":
            continue
        language = load_materials(path, source).language
        out.print(
            f"{language.code:<8} {language.native_name} ({language.name}), {language.status}", markup=False
        )


@app.command()
def regions(context: typer.Context) -> None:
    """List the regions whose reporting contacts are known."""
    from .content import load_region

    for path in sorted(context.obj.regions.glob("*.yaml")):
        region = load_region(path)
        newest = max(c.verified for c in region.contacts).isoformat()
        out.print(
            f"{region.code:<4} {region.name}: {len(region.contacts)} contacts, checked {newest}", markup=False
        )


def main(argv: list[str] | None = None) -> None:
    """Run the CLI with awareprint's exit codes; never show a traceback for a user mistake."""
    from .diagnostics import AwareprintError

    try:
        app(args=argv, prog_name="awareprint", standalone_mode=False)
    except AwareprintError as error:
        err.print(f"error: {error.diagnostic.one_line()}", markup=False)
        sys.exit(1)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        err.print("interrupted", markup=False)
        sys.exit(1)
    except Exception as error:
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
