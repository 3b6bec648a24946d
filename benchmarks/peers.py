"""awareprint side by side with WeasyPrint (HTML/CSS) and Typst on the same poster, in the same run.

The peers are given awareprint's own composed poster: the same strings, rectangles, colours, vendored
fonts, page size and bleed, and for every text frame the size awareprint's fitting chose (a favour: neither
peer fits text by itself). `to_html` and `to_typst` write that poster in each peer's language.

Run from anywhere: `python benchmarks/peers.py` (7 runs per measurement; `--repeat N`, or `--quick` for 3),
or `python benchmarks/run.py --peers` for this after awareprint's own table. `--emit DIR` writes each
engine's input and PDF per language instead, to look at. Each engine runs its warm posters in a process of
its own, so that its peak memory is its own; the cold rows start a new process per poster.
Needs the `bench` extra and Pango (see benchmarks/README.md); without them it says so in one line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import itertools
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's awareprint, even where another copy is installed

from awareprint.compose.document import Fill, GlyphRun, PageGeometry, QrCode, TextFrame
from awareprint.compose.place import compose
from awareprint.load.content import build_content, load_region, load_source
from awareprint.load.materials import load_language
from awareprint.load.templates import load_template
from awareprint.pipeline import AUTHOR, Folders
from awareprint.render.qr import QUIET_ZONE
from awareprint.text import layout_frames
from awareprint.text.bidi import base_is_rtl
from awareprint.text.fonts import FontFamily, load_manifest
from awareprint.text.layout import MARKER_GAP, MARKER_RADIUS, MARKER_TEXT_SCALE
from awareprint.units import Cmyk

LANGUAGES = ("en", "ar", "hi", "zh-Hans")
REGION = "gb"
AUDIENCE = "parents"
TEMPLATE = "poster-a3"
WEIGHTS = {"regular": 400, "bold": 700}
INSTALL_HINT = (
    "Peers skipped: install the bench extra and Pango "
    "(pip install -e '.[bench]'; apt-get install libpango-1.0-0 libpangoft2-1.0-0), see benchmarks/README.md"
)


@dataclass(frozen=True, slots=True)
class SizedFrame:
    """A text frame with the size awareprint's fitting chose for it."""

    frame: TextFrame
    size: float


@dataclass(frozen=True, slots=True)
class Qr:
    """A QR code as dark modules (rows of runs), encoded before any timing: a favour to the peers."""

    code: QrCode
    modules: int  # per side, quiet zone included
    path: str  # SVG path data in module units


@dataclass(frozen=True, slots=True)
class PeerPoster:
    language: str
    geometry: PageGeometry
    boxes: tuple[Fill | SizedFrame | Qr, ...]
    families: tuple[FontFamily, ...]  # those awareprint drew glyphs from: the order to try them in

    @property
    def font_folders(self) -> list[str]:
        return sorted({str(Path(path).parent) for family in self.families for path in _paths(family)})


def peer_poster(
    language: str, region: str = REGION, audience: str = AUDIENCE, template: str = TEMPLATE
) -> PeerPoster:
    """awareprint's A3 poster for `language`, composed and fitted exactly as `make_poster` does it."""
    folders = Folders()
    source = load_source(folders.materials / "source.yaml")
    materials = load_language(folders.materials, language, source.figure_ids)
    place = load_region(folders.regions / f"{region}.yaml")
    content, _ = build_content(source, materials, place, audience, dt.date.today())
    document, _ = compose(load_template(folders.templates / f"{template}.yaml"), content, AUTHOR)
    manifest = load_manifest(*folders.font_manifests())
    (page,) = document.pages
    frames = [box for box in page.boxes if isinstance(box, TextFrame)]
    items, fitted, _ = layout_frames(frames, manifest)
    sizes: Iterator[float] = iter(f.size for f in fitted)  # in the order of `frames`
    boxes: list[Fill | SizedFrame | Qr] = []
    for box in page.boxes:
        if isinstance(box, TextFrame):
            boxes.append(SizedFrame(box, next(sizes)))
        elif isinstance(box, QrCode):
            boxes.append(encode_qr(box))
        elif isinstance(box, Fill):
            boxes.append(box)
    glyphs: Counter[str] = Counter()
    for item in items:
        if isinstance(item, GlyphRun):
            glyphs[next(f.name for f in manifest.families if item.font_file in _paths(f))] += len(item.glyphs)
    # Latin first, as a style sheet would list it, then the script's own font before any other font
    # awareprint drew a few glyphs from (in Arabic, one parenthesis comes from Nastaliq)
    others = sorted(
        (name for name in glyphs if name != manifest.primary.name), key=lambda name: -glyphs[name]
    )
    families = (manifest.primary, *(manifest.family(name) for name in others))
    return PeerPoster(language, document.geometry, tuple(boxes), families)


def _paths(family: FontFamily) -> set[str]:
    return {face.path for face in family.faces.values()}


def encode_qr(code: QrCode) -> Qr:
    """awareprint's own symbol (the same modules), as an SVG path with the 4-module quiet zone."""
    count = len(code.modules)
    runs = []
    for row, dark in enumerate(code.modules):
        for is_dark, cells in itertools.groupby(enumerate(dark), key=lambda cell: cell[1]):
            if is_dark:
                columns = [column for column, _ in cells]
                start, width = columns[0] + QUIET_ZONE, len(columns)
                runs.append(f"M{start} {row + QUIET_ZONE}h{width}v1h{-width}Z")
    return Qr(code, count + 2 * QUIET_ZONE, "".join(runs))


def qr_svg(qr: Qr) -> str:
    side = qr.modules
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}" '
        f'width="{qr.code.rect.width:.3f}pt" height="{qr.code.rect.height:.3f}pt">'
        f'<path d="{qr.path}" fill="#000"/></svg>'
    )


def _pt(value: float) -> str:
    return f"{value:.3f}pt"


def physical_align(frame: TextFrame) -> str:
    """The side a frame's lines align to ("left", "center" or "right"): its start side holds for all its
    lines, as in awareprint, even for a left-to-right phone number in a right-to-left frame."""
    if frame.align == "center":
        return "center"
    return "right" if (frame.align == "start") == (frame.direction == "rtl") else "left"


# --- HTML + CSS for WeasyPrint -----------------------------------------------------------------------

# a frame's text block, absolutely positioned in the frame (cheaper in WeasyPrint than a flex column)
VALIGN = {"top": "top: 0", "middle": "top: 50%; transform: translateY(-50%)", "bottom": "bottom: 0"}


def css_cmyk(colour: Cmyk) -> str:
    return f"device-cmyk({colour.c:g} {colour.m:g} {colour.y:g} {colour.k:g})"


def _position(x: float, y: float, width: float, height: float) -> str:
    return f"left: {_pt(x)}; top: {_pt(y)}; width: {_pt(width)}; height: {_pt(height)}"


def to_html(poster: PeerPoster) -> str:
    """One page: `@page` with the trim size, bleed and crop marks; every box absolutely positioned."""
    geometry = poster.geometry
    faces = "\n".join(
        f'@font-face {{ font-family: "{family.name}"; font-weight: {WEIGHTS[weight]}; '
        f'src: url("{Path(face.path).as_uri()}"); }}'
        for family in poster.families
        for weight, face in family.faces.items()
    )
    family_list = ", ".join(f'"{f.name}"' for f in poster.families)
    body = "\n".join(_html_box(box) for box in poster.boxes)
    return f"""<!DOCTYPE html>
<html lang="{html.escape(poster.language)}"><head><meta charset="utf-8"><style>
{faces}
@page {{ size: {_pt(geometry.trim_width)} {_pt(geometry.trim_height)}; margin: 0;
  bleed: {_pt(geometry.bleed)}; marks: crop }}
body {{ margin: 0; font-family: {family_list}; }}
.box {{ position: absolute; }}
.text {{ position: absolute; left: 0; right: 0; }}
p {{ margin: 0; position: relative; }}
.marker {{ position: absolute; top: 0; border-radius: 50%; text-align: center; font-weight: 700; }}
</style></head><body>
{body}
</body></html>
"""


def _html_box(box: Fill | SizedFrame | Qr) -> str:
    match box:
        case Fill(rect, colour):
            where = _position(rect.x, rect.y, rect.width, rect.height)
            return f'<div class="box" style="{where}; background: {css_cmyk(colour)}"></div>'
        case Qr(code):
            where = _position(code.rect.x, code.rect.y, code.rect.width, code.rect.height)
            return f'<div class="box" style="{where}">{qr_svg(box)}</div>'
        case SizedFrame(frame, size):
            rect, style = frame.rect, frame.style
            where = _position(rect.x, rect.y, rect.width, rect.height)
            paragraphs = "".join(
                _html_paragraph(frame, size, index) for index in range(len(frame.paragraphs))
            )
            return (
                f'<div class="box" dir="{frame.direction}" lang="{html.escape(frame.language)}" '
                f'style="{where}; '
                f"text-align: {physical_align(frame)}; line-height: {style.leading:g}; "
                f'font-weight: {WEIGHTS[style.font]}; color: {css_cmyk(style.colour)}">'
                f'<div class="text" style="{VALIGN[frame.valign]}">{paragraphs}</div></div>'
            )
    raise AssertionError(f"unhandled box {box!r}")


def _html_paragraph(frame: TextFrame, size: float, index: int) -> str:
    paragraph = frame.paragraphs[index]
    psize = size * paragraph.scale
    rtl = base_is_rtl(paragraph.text, paragraph.direction or frame.direction)
    style = [f"font-size: {_pt(psize)}"]
    if index:
        style.append(f"margin-top: {_pt(paragraph.space_before * size)}")
    if paragraph.font:
        style.append(f"font-weight: {WEIGHTS[paragraph.font]}")
    if paragraph.colour:
        style.append(f"color: {css_cmyk(paragraph.colour)}")
    marker = ""
    if paragraph.marker:
        side = "right" if frame.direction == "rtl" else "left"
        diameter = 2 * MARKER_RADIUS * psize
        style.append(f"padding-{side}: {_pt((2 * MARKER_RADIUS + MARKER_GAP) * psize)}")
        centre = (frame.style.leading * psize - diameter) / 2  # on the first line
        marker = (
            f'<span class="marker" style="{side}: 0; top: {_pt(centre)}; width: {_pt(diameter)}; '
            f"height: {_pt(diameter)}; line-height: {_pt(diameter)}; "
            f"font-size: {_pt(psize * MARKER_TEXT_SCALE)}; "
            f"background: {css_cmyk(paragraph.marker.disc_colour)}; "
            f'color: {css_cmyk(paragraph.marker.text_colour)}">{html.escape(paragraph.marker.text)}</span>'
        )
    direction = "rtl" if rtl else "ltr"
    return f'<p dir="{direction}" style="{"; ".join(style)}">{marker}{html.escape(paragraph.text)}</p>'


# --- Typst ------------------------------------------------------------------------------------------

TYPST_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
VERTICAL = {"top": "top", "middle": "horizon", "bottom": "bottom"}


def typst_string(text: str) -> str:
    """A Typst string literal: text as it is, with none of markup's shorthands (smart quotes, `--`, `*`)."""
    return '"' + "".join(TYPST_ESCAPES.get(char, char) for char in text) + '"'


def typst_cmyk(colour: Cmyk) -> str:
    return f"cmyk({colour.c * 100:g}%, {colour.m * 100:g}%, {colour.y * 100:g}%, {colour.k * 100:g}%)"


def to_typst(poster: PeerPoster) -> str:
    """One page with the trim size and bleed (Typst ≥ 0.15 writes the TrimBox); every box `place`d.

    Lines are 1 em tall (top edge 0.8 em, bottom edge -0.2 em) so that `leading` adds the rest of
    awareprint's baseline-to-baseline distance."""
    geometry = poster.geometry
    families = ", ".join(typst_string(f.name) for f in poster.families)
    lines = [
        f"#set page(width: {_pt(geometry.trim_width)}, height: {_pt(geometry.trim_height)}, margin: 0pt, "
        f"bleed: {_pt(geometry.bleed)})",
        f"#set text(lang: {typst_string(poster.language.split('-')[0])}, font: ({families},), "
        "top-edge: 0.8em, bottom-edge: -0.2em)",
    ]
    lines += [_typst_box(box) for box in poster.boxes]
    return "\n".join(lines) + "\n"


def _typst_box(box: Fill | SizedFrame | Qr) -> str:
    match box:
        case Fill(rect, colour):
            shape = f"rect(width: {_pt(rect.width)}, height: {_pt(rect.height)}, fill: {typst_cmyk(colour)})"
            return f"#place(top + left, dx: {_pt(rect.x)}, dy: {_pt(rect.y)}, {shape})"
        case Qr(code):
            picture = (
                f'image(bytes({typst_string(qr_svg(box))}), format: "svg", width: {_pt(code.rect.width)})'
            )
            return f"#place(top + left, dx: {_pt(code.rect.x)}, dy: {_pt(code.rect.y)}, {picture})"
        case SizedFrame(frame, size):
            rect, style = frame.rect, frame.style
            paragraphs = "; ".join(
                _typst_paragraph(frame, size, index) for index in range(len(frame.paragraphs))
            )
            body = (
                f"{{ set text(dir: {frame.direction}, weight: {WEIGHTS[style.font]}, "
                f"fill: {typst_cmyk(style.colour)}); "
                f"block(width: {_pt(rect.width)}, height: {_pt(rect.height)}, "
                f"align({physical_align(frame)} + {VERTICAL[frame.valign]}, {{ {paragraphs} }})) }}"
            )
            return f"#place(top + left, dx: {_pt(rect.x)}, dy: {_pt(rect.y)}, {body})"
    raise AssertionError(f"unhandled box {box!r}")


def _typst_paragraph(frame: TextFrame, size: float, index: int) -> str:
    paragraph = frame.paragraphs[index]
    psize = size * paragraph.scale
    rtl = base_is_rtl(paragraph.text, paragraph.direction or frame.direction)
    settings = [f"size: {_pt(psize)}", f"dir: {'rtl' if rtl else 'ltr'}"]
    if paragraph.font:
        settings.append(f"weight: {WEIGHTS[paragraph.font]}")
    if paragraph.colour:
        settings.append(f"fill: {typst_cmyk(paragraph.colour)}")
    leading = (frame.style.leading - 1) * psize
    above = paragraph.space_before * size + leading if index else 0.0
    text = f"{{ set par(leading: {_pt(leading)}); {typst_string(paragraph.text)} }}"
    if paragraph.marker:
        radius = MARKER_RADIUS * psize
        label = (
            f"text(size: {_pt(psize * MARKER_TEXT_SCALE)}, weight: 700, "
            f"fill: {typst_cmyk(paragraph.marker.text_colour)}, "
            f"{typst_string(paragraph.marker.text)})"
        )
        disc = (
            f"circle(radius: {_pt(radius)}, fill: {typst_cmyk(paragraph.marker.disc_colour)}, inset: 0pt, "
            f"align(center + horizon, {label}))"
        )
        # a grid's columns follow the text direction: the disc is on the start side in RTL too
        text = f"grid(columns: ({_pt((2 * MARKER_RADIUS + MARKER_GAP) * psize)}, 1fr), {disc}, {text})"
    return f"block(above: 0pt, below: 0pt, {{ v({_pt(above)}); set text({', '.join(settings)}); {text} }})"


# --- measuring ---------------------------------------------------------------------------------------


def peers_installed() -> bool:
    """Both peers importable, WeasyPrint with its Pango (a missing system library is an OSError)."""
    try:
        import typst  # noqa: F401
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


def timed(action: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return times


Maker = Callable[[], int]  # makes one poster, returns the size of its PDF in bytes


def _awareprint(language: str, folder: Path) -> Maker:
    from awareprint.pipeline import PosterRequest, make_poster

    # the PDF's bytes, as the peers give theirs: writing the file (atomically, synced) is measured with the
    # cold runs and in run.py's warm rows, not here
    request = PosterRequest(
        language=language, region=REGION, audience=AUDIENCE, template=TEMPLATE, output=None
    )

    def make() -> int:
        return len(make_poster(request).pdf)

    return make


def _awareprint_forgetting(language: str, folder: Path) -> Maker:
    """As `_awareprint`, but forgetting before each poster what the process remembers of a poster it made
    (a frame's layout, a line's extractor order and text objects, a font's subset, tables and compressed
    streams, checked YAML): what a poster it has not made before costs once fonts and shaping are warm.
    The loaders stay remembered, as in a batch (every file reads the same template and language)."""
    from awareprint.load import schema
    from awareprint.render import embedding, pdf
    from awareprint.text import layout

    make = _awareprint(language, folder)

    def forgetting() -> int:
        memos = (layout._first_fit, layout._tightened_fit, pdf._extractor_ordered, pdf._line_objects)
        fonts = (embedding._code_tables, embedding._subset, embedding._RememberedFlate.encode)
        for memo in (*memos, *fonts, schema._tree):
            memo.cache_clear()
        return make()

    return forgetting


def _weasyprint(full_fonts: bool) -> Callable[[str, Path], Maker]:
    def maker(language: str, folder: Path) -> Maker:
        from weasyprint import HTML

        source = to_html(peer_poster(language))
        return lambda: len(HTML(string=source).write_pdf(full_fonts=full_fonts))

    return maker


def _typst_compile(language: str, folder: Path) -> Maker:
    import typst

    poster = peer_poster(language)
    source = to_typst(poster).encode()
    return lambda: len(typst.compile(source, font_paths=poster.font_folders, ignore_system_fonts=True))


def _typst_compiler(language: str, folder: Path) -> Maker:
    import typst

    poster = peer_poster(language)
    source = to_typst(poster).encode()
    compiler = typst.Compiler(font_paths=poster.font_folders, ignore_system_fonts=True)
    return lambda: len(compiler.compile(input=source, format="pdf"))


@dataclass(frozen=True, slots=True)
class Variant:
    label: str
    maker: Callable[[str, Path], Maker]


VARIANTS = {
    "awareprint": Variant("awareprint `make_poster` (its bytes)", _awareprint),
    "awareprint-forgetting": Variant("awareprint `make_poster`, nothing remembered", _awareprint_forgetting),
    "weasyprint": Variant("WeasyPrint `write_pdf()`", _weasyprint(full_fonts=False)),
    "weasyprint-full-fonts": Variant("WeasyPrint `write_pdf(full_fonts=True)`", _weasyprint(full_fonts=True)),
    "typst": Variant("Typst `typst.compile()`", _typst_compile),
    "typst-compiler": Variant("Typst `Compiler` reused", _typst_compiler),
}
RATIOS = (  # awareprint against each, warm
    ("weasyprint", "≤ 0.5"),
    ("weasyprint-full-fonts", ""),
    ("typst", ""),
    ("typst-compiler", "aim ≤ 2"),
)


def worker(variant: str, repeat: int) -> None:
    """Warm posters of one engine in this process: per language one untimed warm-up, then `repeat` timed
    runs. Prints {language: {"seconds": [...], "bytes": size}} as JSON."""
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for language in LANGUAGES:
            make = VARIANTS[variant].maker(language, Path(folder))
            size = make()
            results[language] = {"seconds": timed(make, repeat), "bytes": size}
    print(json.dumps(results))


@dataclass(frozen=True, slots=True)
class Measured:
    stdout: str
    seconds: float
    peak_mb: float  # the process's own ru_maxrss


# Starts the measured process from a small one: Linux carries the peak RSS of a process over `exec`, so a
# process forked straight from this (large) one would report at least this one's size.
LAUNCHER = """import resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.call(sys.argv[2:])
seconds = time.perf_counter() - start
peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
with open(sys.argv[1], "w") as report:
    report.write(f"{seconds} {peak_kb}")
sys.exit(code)
"""


def measured(command: list[str]) -> Measured:
    """A new process, timed from its start to its exit, with its own peak RSS."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "measured"
        errors = Path(folder) / "stderr"
        with errors.open("wb") as stderr:
            done = subprocess.run(
                [sys.executable, "-c", LAUNCHER, str(report), *command],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=stderr,
            )
        if done.returncode:
            raise SystemExit(f"{' '.join(command[:4])} failed ({done.returncode}):\n{errors.read_text()}")
        seconds, peak_kb = report.read_text().split()
    return Measured(done.stdout.decode(), float(seconds), float(peak_kb) / 1024)  # Linux reports KB


COLD_WEASYPRINT = "import sys; from weasyprint import HTML; HTML(filename=sys.argv[1]).write_pdf(sys.argv[2])"
COLD_TYPST = (
    "import sys, typst; typst.compile(sys.argv[1], output=sys.argv[2], font_paths=sys.argv[3:], "
    "ignore_system_fonts=True)"
)


def cold_commands(folder: Path) -> dict[str, list[str]]:
    """One A3 English poster per new process. The peers' input files are written beforehand (a favour:
    awareprint's cold run reads its YAML, composes and fits the text itself)."""
    poster = peer_poster("en")
    (folder / "en.html").write_text(to_html(poster), encoding="utf-8")
    (folder / "en.typ").write_text(to_typst(poster), encoding="utf-8")
    python = sys.executable
    return {
        "awareprint": [
            python, str(ROOT / "generate.py"), "poster", "--lang", "en", "--region", REGION,
            "--template", TEMPLATE, "--output", str(folder / "cold-awareprint.pdf"),
        ],
        "weasyprint": [
            python, "-c", COLD_WEASYPRINT, str(folder / "en.html"), str(folder / "cold-weasyprint.pdf"),
        ],
        "typst": [
            python, "-c", COLD_TYPST, str(folder / "en.typ"), str(folder / "cold-typst.pdf"),
            *poster.font_folders,
        ],
    }  # fmt: skip


def _ms(seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return f"{statistics.median(ms):.0f} ({min(ms):.0f}-{max(ms):.0f})"


def _ratio(ours: list[float], theirs: list[float]) -> str:
    return f"{statistics.median(ours) / statistics.median(theirs):.2f}"


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def peer_report(repeat: int) -> list[str]:
    """Markdown: warm and cold medians (min-max) per engine, awareprint's ratios, output sizes, peak RSS."""
    if not peers_installed():
        return [INSTALL_HINT]
    load_before = load()
    warm: dict[str, dict[str, dict]] = {}
    warm_peak: dict[str, float] = {}
    for variant in VARIANTS:  # each in a process of its own: its own caches and peak memory
        run = measured([sys.executable, __file__, "--worker", variant, "--repeat", str(repeat)])
        warm[variant] = json.loads(run.stdout)
        warm_peak[variant] = run.peak_mb
    seconds = {variant: {lang: warm[variant][lang]["seconds"] for lang in LANGUAGES} for variant in VARIANTS}
    from run import compile_bytecode  # next to this file

    compile_bytecode()
    with tempfile.TemporaryDirectory() as folder:
        commands = cold_commands(Path(folder))
        cold: dict[str, list[float]] = {engine: [] for engine in commands}
        cold_peak = dict.fromkeys(commands, 0.0)
        for _ in range(repeat):  # engines take turns, so a busy spell on a shared machine hits all of them
            for engine, command in commands.items():
                run = measured(command)
                cold[engine].append(run.seconds)
                cold_peak[engine] = max(cold_peak[engine], run.peak_mb)

    ours = seconds["awareprint"]
    lines = [
        f"WeasyPrint {_version('weasyprint')}, Typst {_version('typst')} (Python package); {repeat} runs "
        f"each after one warm-up; load average before {load_before}, after {load()}.",
        "",
        "Warm A3 poster (same process), median ms (min-max):",
        "",
        "| engine | " + " | ".join(LANGUAGES) + " | peak RSS MB |",
        "| --- |" + " ---: |" * (len(LANGUAGES) + 1),
    ]
    for variant, spec in VARIANTS.items():
        times = " | ".join(_ms(seconds[variant][lang]) for lang in LANGUAGES)
        lines.append(f"| {spec.label} | {times} | {warm_peak[variant]:.0f} |")
    lines += ["", "awareprint's warm time divided by the peer's:", ""]
    lines += [
        "| awareprint / | " + " | ".join(LANGUAGES) + " | target |",
        "| --- |" + " ---: |" * (len(LANGUAGES) + 1),
    ]
    for variant, target in RATIOS:
        ratios = " | ".join(_ratio(ours[lang], seconds[variant][lang]) for lang in LANGUAGES)
        lines.append(f"| {VARIANTS[variant].label} | {ratios} | {target} |")
    forgetting = seconds["awareprint-forgetting"]
    ratios = " | ".join(_ratio(forgetting[lang], seconds["typst-compiler"][lang]) for lang in LANGUAGES)
    lines.append(f"| {VARIANTS['typst-compiler'].label}, awareprint remembering nothing | {ratios} |  |")
    lines += ["", "Cold A3 en poster (a new process each), median ms (min-max):", ""]
    lines += ["| engine | ms | awareprint / engine | peak RSS MB |", "| --- | ---: | ---: | ---: |"]
    for engine, times in cold.items():
        lines.append(
            f"| {engine} | {_ms(times)} | {_ratio(cold['awareprint'], times)} | {cold_peak[engine]:.0f} |"
        )
    lines += ["", "Output size, KB (warm run's PDF):", ""]
    lines += ["| engine | " + " | ".join(LANGUAGES) + " |", "| --- |" + " ---: |" * len(LANGUAGES)]
    for variant, spec in VARIANTS.items():
        sizes = " | ".join(f"{warm[variant][lang]['bytes'] / 1024:.0f}" for lang in LANGUAGES)
        lines.append(f"| {spec.label} | {sizes} |")
    return lines


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


def emit(folder: Path) -> None:
    """Each engine's input and PDF per language, to look at side by side."""
    import typst
    from weasyprint import HTML

    folder.mkdir(parents=True, exist_ok=True)
    for language in LANGUAGES:
        poster = peer_poster(language)
        page, source = to_html(poster), to_typst(poster)
        (folder / f"{language}.html").write_text(page, encoding="utf-8")
        (folder / f"{language}.typ").write_text(source, encoding="utf-8")
        _awareprint(language, folder)()
        HTML(string=page).write_pdf(folder / f"{language}-weasyprint.pdf")
        typst.compile(
            source.encode(),
            output=str(folder / f"{language}-typst.pdf"),
            font_paths=poster.font_folders,
            ignore_system_fonts=True,
        )
        print(f"{language}: {folder}/{language}-{{awareprint,weasyprint,typst}}.pdf")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=7, metavar="N", help="runs per measurement (default 7)")
    parser.add_argument("--quick", action="store_true", help="3 runs per measurement")
    parser.add_argument(
        "--emit", type=Path, metavar="DIR", help="write each engine's input and PDF, no timing"
    )
    parser.add_argument("--worker", choices=VARIANTS, help=argparse.SUPPRESS)
    options = parser.parse_args()
    repeat = 3 if options.quick else options.repeat
    if repeat < 1:
        parser.error("--repeat must be at least 1")
    if options.worker:
        worker(options.worker, repeat)
    elif not peers_installed():
        print(INSTALL_HINT)
    elif options.emit:
        emit(options.emit)
    else:
        print("\n".join(peer_report(repeat)))


if __name__ == "__main__":
    main()
