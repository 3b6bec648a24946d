"""Fit text frames: itemize → shape → break → choose the largest size that fits → positioned glyph runs.

Shaping happens once per paragraph in font units (cached); trying another size only rescales advances and
re-breaks lines. A frame that does not fit at its style's minimum size is an overflow diagnostic, never
silently clipped or run out of its box.
"""

from __future__ import annotations

import copy
import functools
import re
from pathlib import Path

import msgspec
from fontTools import unicodedata as script_data
from msgspec.structs import replace

from awareprint.compose.document import (
    Disc,
    FittedFrame,
    GlyphRun,
    LaidOutItem,
    Link,
    Paragraph,
    PlacedGlyph,
    Rect,
    StructPath,
    TextFrame,
)
from awareprint.diagnostics import Diagnostic, Severity
from awareprint.units import Cmyk, Pt

from .bidi import base_is_rtl, visual_order
from .fonts import FontFace, FontManifest, glyph_ink, harfbuzz_font, script_name
from .hyphenate import HYPHEN, SOFT_HYPHEN, can_hyphenate, hyphen_points
from .itemize import MissingGlyphs, Run, itemize
from .linebreak import Segment, address_segments, segments
from .shape import ShapedGlyph, shape

SIZE_PRECISION = 0.25  # points
PROFILE_BIN = 0.25  # ems: how finely line spacing follows the ink
ALIGN_SHARE = {"start": 0.0, "center": 0.5, "end": 1.0}  # of a line's free width, before its start
INK_GAP = 0.05  # ems of clear space kept between the ink of one line and the next
MARKER_RADIUS = 0.68  # ems
MARKER_GAP = 0.5  # ems between the disc and the text
MARKER_TEXT_SCALE = 0.74
LINK_ASCENT = 1.0  # ems above the baseline: the top of a link's clickable area
LINK_HEIGHT = 1.3  # ems: its height, down past the descenders


class _Prepared(msgspec.Struct, frozen=True):
    """A paragraph shaped once: runs, their glyphs, and each character's advance in ems."""

    text: str
    runs: tuple[Run, ...]
    shaped: tuple[tuple[ShapedGlyph, ...], ...]
    advances: tuple[float, ...]
    segments: tuple[Segment, ...]
    missing: MissingGlyphs | None
    cap_height: float  # ems, of the paragraph's first font
    descender: float  # ems, positive
    hyphen: float  # advance of a hyphen in the paragraph's first font, in ems
    ink_top: tuple[float, ...]  # per character: how far its glyphs' ink rises above the baseline, in ems
    ink_depth: tuple[float, ...]  # per character: how far the ink reaches below the baseline, in ems
    cluster_starts: frozenset[int]  # where a line may end without cutting a shaped cluster (a ligature)

    def extent(self, start: int, end: int) -> tuple[float, float]:
        """The ink's rise and depth, in ems, over characters [start, end)."""
        return max(self.ink_top[start:end], default=0.0), max(self.ink_depth[start:end], default=0.0)

    def profile(self, start: int, end: int, shift: float) -> tuple[dict[int, float], dict[int, float]]:
        """The ink's rise and depth per stretch of the line (PROFILE_BIN ems, counted from its start edge
        in reading order), so lines are spaced by where tall and deep glyphs actually meet."""
        tops: dict[int, float] = {}
        depths: dict[int, float] = {}
        x = shift
        for index in range(start, end):
            advance = max(self.advances[index], 0.0)
            # one bin either side: swashes and marks reach beyond their advance
            for stretch in range(int(x / PROFILE_BIN) - 1, int((x + advance) / PROFILE_BIN) + 2):
                tops[stretch] = max(tops.get(stretch, 0.0), self.ink_top[index])
                depths[stretch] = max(depths.get(stretch, 0.0), self.ink_depth[index])
            x += advance
        return tops, depths


class _Line(msgspec.Struct, frozen=True):
    paragraph: int
    start: int
    end: int  # without the trailing spaces
    width: float  # points
    baseline: float  # from the frame top
    hyphen: bool


class _Trial(msgspec.Struct, frozen=True):
    lines: tuple[_Line, ...]
    height: float
    too_wide: float  # points by which the widest unbreakable piece exceeds the frame


@functools.lru_cache(maxsize=1024)
def _prepare(
    text: str,
    manifest: FontManifest,
    weight: str,
    language: str,
    rtl: bool,
    tight: bool = False,
    address: bool = False,
) -> _Prepared:
    runs, missing = itemize(text, manifest, weight, rtl, language, tight)
    shaped = []
    advances = [0.0] * len(text)
    ink_top = [0.0] * len(text)
    ink_depth = [0.0] * len(text)
    for run in runs:
        glyphs = shape(run.face.path, text, run.start, run.end, run.script, run.rtl, language).glyphs
        shaped.append(glyphs)
        for glyph in glyphs:
            advances[glyph.cluster] += glyph.x_advance / run.face.upem
            top, bottom = glyph_ink(run.face.path, glyph.glyph_id)
            ink_top[glyph.cluster] = max(ink_top[glyph.cluster], (top + glyph.y_offset) / run.face.upem)
            ink_depth[glyph.cluster] = max(
                ink_depth[glyph.cluster], -(bottom + glyph.y_offset) / run.face.upem
            )
    first = runs[0].face if runs else manifest.primary.faces[weight]
    cluster_starts = frozenset(
        {len(text)} | {run.start for run in runs} | {g.cluster for gs in shaped for g in gs}
    )
    return _Prepared(
        text=text,
        runs=runs,
        shaped=tuple(shaped),
        advances=tuple(advances),
        segments=_at_cluster_boundaries(
            address_segments(text, inside=False) if address else segments(text, language), cluster_starts
        ),
        missing=missing,
        cap_height=first.cap_height / first.upem,
        descender=-first.descender / first.upem,
        hyphen=shape(first.path, HYPHEN, 0, 1, "Zyyy", False, language).advance() / first.upem,
        ink_top=tuple(ink_top),
        ink_depth=tuple(ink_depth),
        cluster_starts=cluster_starts,
    )


def _clearance(depths_above: dict[int, float], tops: dict[int, float]) -> float:
    """Baseline distance, in ems, at which no stretch's ink meets the ink of the line above."""
    return max((depths_above[k] + tops[k] for k in tops.keys() & depths_above.keys()), default=0.0)


def _at_cluster_boundaries(found: tuple[Segment, ...], boundaries: frozenset[int]) -> tuple[Segment, ...]:
    """Join segments whose boundary falls inside a shaped cluster: a line must never end mid-cluster
    (HarfBuzz attaches, for example, a stray vowel sign after a space to the space's cluster)."""
    merged: list[Segment] = []
    for segment in found:
        if merged and merged[-1].end not in boundaries and not merged[-1].mandatory:
            last = merged[-1]
            merged[-1] = Segment(last.start, segment.end, segment.trailing_space, segment.mandatory)
        else:
            merged.append(segment)
    return tuple(merged)


class FrameLayout:
    """Lays out one frame at a given size; `fit` finds the largest size that fits."""

    def __init__(self, frame: TextFrame, manifest: FontManifest) -> None:
        self.frame = frame
        self.manifest = manifest
        self.hyphenate = False  # turned on by `fit` only when the text would overflow without it
        self.tight = False  # set without the fonts that need extra line height (see `fit`)
        self.prepared = self._prepare_paragraphs()
        self._inside_addresses = self._address_breaks()
        self._placed: dict[float, tuple[tuple[LaidOutItem, ...], FittedFrame]] = {}

    def _prepare_paragraphs(self) -> tuple[_Prepared, ...]:
        frame = self.frame
        return tuple(
            _prepare(
                p.text,
                self.manifest,
                p.font or frame.style.font,
                frame.language,
                base_is_rtl(p.text, p.direction or frame.direction),
                self.tight,
                p.address,
            )
            for p in frame.paragraphs
        )

    def _address_breaks(self) -> dict[int, _Prepared]:
        """Address paragraphs with a break opportunity after each . / and @ inside the addresses: what
        `fit` falls back on for them where other text would be hyphenated."""
        return {
            index: replace(
                prepared,
                segments=_at_cluster_boundaries(
                    address_segments(prepared.text, inside=True), prepared.cluster_starts
                ),
            )
            for index, (paragraph, prepared) in enumerate(
                zip(self.frame.paragraphs, self.prepared, strict=True)
            )
            if paragraph.address
        }

    def roomy_families(self) -> set[str]:
        """The fonts in use that need more line height than the template allows for (e.g. Nastaliq)."""
        used = {run.face.family for prepared in self.prepared for run in prepared.runs}
        return {name for name in used if self.manifest.family(name).roomy}

    def tighten(self) -> None:
        self.tight = True
        self.prepared = self._prepare_paragraphs()
        self._inside_addresses = self._address_breaks()
        self._placed = {}

    def trial(self, size: float) -> _Trial:
        lines: list[_Line] = []
        too_wide = 0.0
        baseline = 0.0
        descent = 0.0
        previous_depth = previous_shift = 0.0
        for index, (paragraph, prepared) in enumerate(zip(self.frame.paragraphs, self.prepared, strict=True)):
            psize = size * paragraph.scale
            line_height = psize * self.frame.style.leading
            available = self.frame.rect.width - _indent(paragraph, psize)
            if paragraph.address and self.hyphenate:  # the last resort: break inside the address instead
                prepared = self._inside_addresses[index]
            hyphenate = self.hyphenate and not paragraph.address
            for piece in _break(prepared, psize, available, self.frame.language, hyphenate):
                start, end, width = piece.start, piece.end, piece.width
                exact = _reshaped_width(prepared, start, end, psize, self.frame.language)
                if exact is not None:
                    width = exact + (prepared.hyphen * psize if piece.hyphen else 0.0)
                too_wide = max(too_wide, width - available)
                rise, depth = prepared.extent(start, end)
                # tall scripts (Nastaliq, stacked marks) get more room than the leading gives where
                # the ink of this line would otherwise touch the ink of the line above
                shift = ALIGN_SHARE[self.frame.align] * (available - width) / psize  # ems from the start edge
                clear = 0.0
                if (
                    lines and (previous_depth + rise + INK_GAP) * psize > line_height
                ):  # else leading is enough
                    above = lines[-1]
                    _, depths_above = self.prepared[above.paragraph].profile(
                        above.start, above.end, previous_shift
                    )
                    tops, _ = prepared.profile(start, end, shift)
                    clear = (_clearance(depths_above, tops) + INK_GAP) * psize
                if not lines:
                    # cap height sits on the frame top, unless marks or a marker rise higher
                    marker = _marker_rise(prepared) if paragraph.marker else 0.0
                    baseline = max(prepared.cap_height, rise, marker) * psize
                elif lines[-1].paragraph != index:
                    baseline += paragraph.space_before * size + max(line_height, clear)
                else:
                    baseline += max(line_height, clear)
                lines.append(_Line(index, start, end, width, baseline, piece.hyphen))
                descent = max(prepared.descender, depth) * psize
                previous_depth, previous_shift = depth, shift
        return _Trial(tuple(lines), baseline + descent if lines else 0.0, too_wide)

    def fits(self, size: float) -> bool:
        trial = self.trial(size)
        return trial.too_wide <= 0.01 and trial.height <= self.frame.rect.height + 0.01

    def fit(self) -> float | None:
        """Largest size in the style's range that fits, or None if even the minimum does not.

        A frame that does not fit in a roomy font (Nastaliq's tall ascenders and deep descenders need
        about twice the usual line height) is set in the script's next font. Hyphenation is the last
        resort: only a frame that overflows at every size without it is hyphenated (headlines stay
        whole; a long German compound in a narrow column is split), and only then does a web or e-mail
        address break inside (after a dot, slash or @; never with a hyphen)."""
        size = self._largest_fitting_size()
        if size is None and not self.tight and self.roomy_families():
            self.tighten()
            size = self._largest_fitting_size()
        if size is None and (can_hyphenate(self.frame.language) or self._inside_addresses):
            self.hyphenate = True  # and addresses may break after . / @
            size = self._largest_fitting_size()
        return size

    def _largest_fitting_size(self) -> float | None:
        low: float = self.frame.style.min_size
        high: float = self.frame.style.max_size
        if self.fits(high):
            return high
        if not self.fits(low):
            return None
        while high - low > SIZE_PRECISION:  # low always fits, high never does
            middle = (low + high) / 2
            if self.fits(middle):
                low = middle
            else:
                high = middle
        return low

    def placed(self, size: float) -> tuple[tuple[LaidOutItem, ...], FittedFrame]:
        """`place`, remembered by size: a remembered layout is placed at the same few sizes again."""
        if size not in self._placed:
            items, fitted = self.place(size)
            self._placed[size] = (tuple(items), fitted)
        return self._placed[size]

    def place(self, size: float) -> tuple[list[LaidOutItem], FittedFrame]:
        frame = self.frame
        trial = self.trial(size)
        slack = max(0.0, frame.rect.height - trial.height)
        top = frame.rect.y + {"top": 0.0, "middle": slack / 2, "bottom": slack}[frame.valign]
        rtl = frame.direction == "rtl"
        items: list[LaidOutItem] = []
        for number, line in enumerate(trial.lines):
            paragraph = frame.paragraphs[line.paragraph]
            prepared = self.prepared[line.paragraph]
            psize = size * paragraph.scale
            indent = _indent(paragraph, psize)
            available = frame.rect.width - indent
            slack_x = available - line.width
            offset = ALIGN_SHARE[frame.align] * slack_x
            if rtl:
                offset = slack_x - offset
            x = frame.rect.x + (indent if not rtl else 0.0) + offset
            y = top + line.baseline
            colour = paragraph.colour or frame.style.colour
            runs = _glyph_runs(prepared, line.start, line.end, psize, x, y, colour, frame.language)
            if line.hyphen and runs:
                runs.append(_hyphen_run(runs[-1], psize, frame.language, len(runs)))
                runs = [replace(run, line_runs=len(runs)) for run in runs]
            tag = paragraph.tag or (("P", f"{frame.name}/{line.paragraph}"),)
            runs = [replace(run, tag=tag) for run in runs]
            first_of_paragraph = number == 0 or trial.lines[number - 1].paragraph != line.paragraph
            if paragraph.marker and first_of_paragraph:
                # drawn before the line it marks: an extractor that does not join the two (its label may
                # sit off the baseline, as in Nastaliq) then reads it before the item, not inside it
                items += self._marker(paragraph, prepared, psize, y)
            items += runs
            if paragraph.links:
                items += _links(paragraph.text, paragraph.links, line.start, runs, tag)
        used = Rect(frame.rect.x, Pt(top), frame.rect.width, Pt(trial.height))
        return items, FittedFrame(frame.name, Pt(size), Pt(trial.height), used)

    def _marker(
        self, paragraph: Paragraph, prepared: _Prepared, psize: float, baseline: float
    ) -> list[LaidOutItem]:
        assert paragraph.marker is not None
        radius = MARKER_RADIUS * psize
        rtl = self.frame.direction == "rtl"
        cx = self.frame.rect.right - radius if rtl else self.frame.rect.x + radius
        cy = baseline - prepared.cap_height * psize / 2
        text_size = psize * MARKER_TEXT_SCALE
        label = _prepare(paragraph.marker.text, self.manifest, "bold", self.frame.language, rtl)
        width = sum(label.advances) * text_size
        label_baseline = cy + label.cap_height * text_size / 2
        disc = Disc(Pt(cx), Pt(cy), Pt(radius), paragraph.marker.disc_colour)
        runs = _glyph_runs(
            label,
            0,
            len(label.text),
            text_size,
            cx - width / 2,
            label_baseline,
            paragraph.marker.text_colour,
            self.frame.language,
        )
        label_tag = (*paragraph.tag[:-1], ("Lbl", paragraph.tag[-1][1])) if paragraph.tag else ()
        return [disc, *(replace(run, tag=label_tag) for run in runs)]

    def missing(self) -> list[tuple[Paragraph, MissingGlyphs]]:
        return [
            (paragraph, prepared.missing)
            for paragraph, prepared in zip(self.frame.paragraphs, self.prepared, strict=True)
            if prepared.missing
        ]


def _marker_rise(prepared: _Prepared) -> float:
    """How far a marker disc, centred on the cap height, rises above the baseline, in ems."""
    return prepared.cap_height / 2 + MARKER_RADIUS


def _indent(paragraph: Paragraph, size: float) -> float:
    return (2 * MARKER_RADIUS + MARKER_GAP) * size if paragraph.marker else 0.0


class _Break(msgspec.Struct, frozen=True):
    start: int
    end: int  # without trailing spaces
    width: float  # points, including an added hyphen
    hyphen: bool  # the line ends inside a word, with a hyphen


def _break(
    prepared: _Prepared, size: float, available: float, language: str, hyphenate: bool
) -> list[_Break]:
    """Greedy first-fit over legal break opportunities; with `hyphenate`, a word that does not fit is
    split at a dictionary hyphenation point instead of running out of the frame."""
    measure = prepared.advances

    def width_of(lo: int, hi: int) -> float:
        return sum(measure[lo:hi]) * size

    lines: list[_Break] = []
    start: int | None = None
    width = 0.0  # of the line so far, including the previous segment's trailing space
    hanging = 0.0  # trailing space width of the last segment
    end = 0
    queue = list(prepared.segments)
    while queue:
        segment = queue.pop(0)
        ink_end = segment.end - segment.trailing_space
        ink = width_of(segment.start, ink_end)
        if width + ink > available:
            cut = (
                _cut(prepared, segment.start, ink_end, available - width, size, language)
                if hyphenate
                else None
            )
            if cut is not None:
                prefix = width_of(segment.start, cut) + prepared.hyphen * size
                lines.append(_Break(segment.start if start is None else start, cut, width + prefix, True))
                start, width = None, 0.0
                queue.insert(0, replace(segment, start=cut))
                continue
            if start is not None:  # try the segment again at the start of a new line
                lines.append(_Break(start, end, width - hanging, False))
                start, width = None, 0.0
                queue.insert(0, segment)
                continue
        if start is None:
            start = segment.start
        space = width_of(ink_end, segment.end)
        width += ink + space
        hanging = space
        end = ink_end
        if segment.mandatory:
            lines.append(_Break(start, end, width - hanging, False))
            start, width = None, 0.0
    if start is not None:
        lines.append(_Break(start, end, width - hanging, False))
    return lines


def _cut(prepared: _Prepared, start: int, end: int, room: float, size: float, language: str) -> int | None:
    """The last hyphenation point in [start, end) whose part, with its hyphen, fits in `room`. A point
    inside a shaped cluster is no break: "Auf-lage" would cut HarfBuzz's "fl" ligature in two."""
    best = None
    for point in hyphen_points(prepared.text, start, end, language):
        if (
            point in prepared.cluster_starts
            and (sum(prepared.advances[start:point]) + prepared.hyphen) * size <= room
        ):
            best = point
    return best


_Piece = tuple[Run, tuple[ShapedGlyph, ...], int, int]  # a run's glyphs for characters [lo, hi) of a line


def _pieces(prepared: _Prepared, start: int, end: int, language: str) -> tuple[list[_Piece], bool]:
    """The line's part of each run, in logical order, and whether any part had to be reshaped (HarfBuzz
    marks a break there as unsafe: kerning or joining across it changes)."""
    pieces: list[_Piece] = []
    reshaped = False
    for run, glyphs in zip(prepared.runs, prepared.shaped, strict=True):
        lo, hi = max(run.start, start), min(run.end, end)
        if lo >= hi:
            continue
        if (lo, hi) != (run.start, run.end) and _unsafe(glyphs, lo, hi, run):
            glyphs = shape(run.face.path, prepared.text, lo, hi, run.script, run.rtl, language).glyphs
            reshaped = True
        else:
            glyphs = tuple(g for g in glyphs if lo <= g.cluster < hi)
        if glyphs:  # a lone joiner can belong to a cluster on the line before: nothing to draw here
            pieces.append((run, glyphs, lo, hi))
    return pieces, reshaped


def _reshaped_width(prepared: _Prepared, start: int, end: int, size: float, language: str) -> float | None:
    """The line's width as it will be drawn, if reshaping makes it differ from the measured one."""
    pieces, reshaped = _pieces(prepared, start, end, language)
    if not reshaped:
        return None
    return sum(sum(g.x_advance for g in glyphs) / run.face.upem for run, glyphs, _, _ in pieces) * size


def _glyph_runs(
    prepared: _Prepared, start: int, end: int, size: float, x: float, y: float, colour: Cmyk, language: str
) -> list[GlyphRun]:
    """The line's glyph runs placed left to right: runs reordered by bidi rule L2 after line breaking."""
    pieces, _ = _pieces(prepared, start, end, language)
    runs: list[GlyphRun] = []
    pen = x
    for index in visual_order([run.level for run, _, _, _ in pieces]):
        run, glyphs, lo, hi = pieces[index]
        placed, advance = _place(glyphs, run.face, size, prepared.text, hi)
        text = prepared.text[lo:hi]
        runs.append(
            GlyphRun(
                run.face.path, Pt(size), Pt(pen), Pt(y), placed, text, colour, run.rtl, index, len(pieces)
            )
        )
        pen += advance
    return runs


def _links(
    text: str, links: tuple[tuple[str, str], ...], line_start: int, runs: list[GlyphRun], tag: StructPath
) -> list[Link]:
    """A clickable area over each address or phone number on this line (one per line it is on)."""
    boxes: dict[int, list[float]] = {}  # character index -> left and right of its glyph
    offset = line_start
    for run in sorted(runs, key=lambda r: r.reading):
        for glyph in reversed(run.glyphs) if run.rtl else run.glyphs:
            left = run.x + glyph.x
            for index in range(offset, offset + len(glyph.text)):
                boxes[index] = [left, left + glyph.advance]
            offset += len(glyph.text)
    if not runs:
        return []
    size, baseline = runs[0].size, runs[0].y
    found = []
    start = 0
    for number, (part, url) in enumerate(links):
        start = text.find(part, start)
        if start < 0:
            break
        spans = [boxes[i] for i in range(start, start + len(part)) if i in boxes]
        start += len(part)
        if spans:
            left, right = min(s[0] for s in spans), max(s[1] for s in spans)
            rect = Rect(Pt(left), Pt(baseline - size * LINK_ASCENT), Pt(right - left), Pt(size * LINK_HEIGHT))
            found.append(Link(rect, url, part, (*tag, ("Link", f"{tag[-1][1]}/{number}"))))
    return found


def _hyphen_run(last: GlyphRun, size: float, language: str, reading: int) -> GlyphRun:
    """A hyphen after the line's last run, in its font, read last; it stands for a soft hyphen in the
    text."""
    shaped = shape(last.font_file, HYPHEN, 0, 1, "Zyyy", False, language).glyphs[0]
    upem = harfbuzz_font(last.font_file).face.upem
    advance = shaped.x_advance * size / upem
    x = last.x + sum(g.advance for g in last.glyphs)
    glyph = PlacedGlyph(shaped.glyph_id, 0.0, 0.0, advance, SOFT_HYPHEN)
    return GlyphRun(
        last.font_file,
        Pt(size),
        Pt(x),
        last.y,
        (glyph,),
        SOFT_HYPHEN,
        last.colour,
        rtl=False,
        reading=reading,
    )


def _unsafe(glyphs: tuple[ShapedGlyph, ...], lo: int, hi: int, run: Run) -> bool:
    edges = {lo, hi} - {run.start, run.end}
    return any(g.unsafe_to_break for g in glyphs if g.cluster in edges)


def _place(
    glyphs: tuple[ShapedGlyph, ...], face: FontFace, size: float, text: str, end: int
) -> tuple[tuple[PlacedGlyph, ...], float]:
    scale = size / face.upem
    clusters = sorted({g.cluster for g in glyphs})
    next_cluster = {c: (clusters[i + 1] if i + 1 < len(clusters) else end) for i, c in enumerate(clusters)}
    seen: set[int] = set()
    placed = []
    pen = 0.0
    for glyph in glyphs:
        first = glyph.cluster not in seen
        seen.add(glyph.cluster)
        placed.append(
            PlacedGlyph(
                glyph_id=glyph.glyph_id,
                x=pen + glyph.x_offset * scale,
                y=-glyph.y_offset * scale,
                advance=glyph.x_advance * scale,
                text=text[glyph.cluster : next_cluster[glyph.cluster]] if first else "",
            )
        )
        pen += glyph.x_advance * scale
    return tuple(placed), pen


def layout_frames(
    frames: list[TextFrame], manifest: FontManifest
) -> tuple[list[LaidOutItem], list[FittedFrame], list[Diagnostic]]:
    """Fit every frame (frames of one fit group share the smallest of their sizes) and place the text.

    Each frame's fitting and placing is remembered, keyed by the frame itself (its text, styles and box:
    everything the layout reads besides the fonts, which a manifest loads once per process), as Typst's
    compiler remembers its layout: a process that meets a frame again (the same poster again, or the
    poster's own text beside another organisation's block) fits and places only what is new."""
    first = [_first_fit(frame, manifest) for frame in frames]
    layouts = [layout for layout, _, _ in first]
    roomy = [families for _, families, _ in first]
    fitted_sizes = [size for _, _, size in first]
    diagnostics: list[Diagnostic] = []
    uncovered: dict[str, dict[str, None]] = {}  # language -> characters of the tool's text no font has
    sizes: dict[int, float] = {}
    tight_groups = {layout.frame.fit_group for layout in layouts if layout.tight and layout.frame.fit_group}
    for index, layout in enumerate(layouts):
        if layout.frame.fit_group in tight_groups and not layout.tight and roomy[index]:
            # frames that share a size share a font too: both columns of a list alike
            layout, fitted_sizes[index] = _tightened_fit(layout.frame, manifest)
            layouts[index] = layout
        if layout.tight:
            diagnostics.append(
                Diagnostic(
                    Severity.INFO,
                    "font-substituted",
                    f"slot '{layout.frame.name}' ({layout.frame.language}) is set in "
                    f"{_families(layout)} instead of {', '.join(sorted(roomy[index]))}, "
                    "which needs more line height than the slot has",
                    hint="give the slot more room in the template to keep the first font",
                )
            )
    for index, layout in enumerate(layouts):
        largest = fitted_sizes[index]
        if largest is None:
            largest = layout.frame.style.min_size
            diagnostics.append(_overflow(layout, largest))
        sizes[index] = largest
        for paragraph, missing in layout.missing():
            if paragraph.written_in is not None:
                diagnostics.append(_missing_glyphs(layout.frame, paragraph.written_in, missing))
            else:
                uncovered.setdefault(layout.frame.language, {}).update(dict.fromkeys(missing.characters))
    diagnostics += [_missing_font(language, "".join(chars)) for language, chars in uncovered.items()]
    groups: dict[str, float] = {}
    for index, layout in enumerate(layouts):
        if layout.frame.fit_group:
            group = layout.frame.fit_group
            groups[group] = min(groups.get(group, sizes[index]), sizes[index])
    items: list[LaidOutItem] = []
    fitted_frames: list[FittedFrame] = []
    for index, layout in enumerate(layouts):
        size = groups.get(layout.frame.fit_group or "", sizes[index])
        placed, fitted = layout.placed(size)
        items += placed
        fitted_frames.append(fitted)
    return items, fitted_frames, diagnostics


@functools.lru_cache(maxsize=512)
def _first_fit(frame: TextFrame, manifest: FontManifest) -> tuple[FrameLayout, frozenset[str], float | None]:
    """A frame's layout after `fit`, the roomy fonts it used before, and the size found. Never changed
    once made: what changes it (tightening) works on a copy."""
    layout = FrameLayout(frame, manifest)
    roomy = frozenset(layout.roomy_families())
    return layout, roomy, layout.fit()


@functools.lru_cache(maxsize=128)
def _tightened_fit(frame: TextFrame, manifest: FontManifest) -> tuple[FrameLayout, float | None]:
    """The frame fitted again without its roomy fonts, from where its first fit left it (hyphenation
    included), because another frame of its fit group had to drop them."""
    layout = copy.copy(_first_fit(frame, manifest)[0])
    layout.tighten()
    return layout, layout.fit()


def _families(layout: FrameLayout) -> str:
    return ", ".join(sorted({run.face.family for p in layout.prepared for run in p.runs}))


class Overflow(msgspec.Struct, frozen=True):
    """What an overflow diagnostic says, read back so `check` can sum many up per slot."""

    slot: str
    language: str
    min_size: float
    mm: float  # how much the text is taller than the box, or its longest word wider
    too_wide: bool


_OVERFLOW = re.compile(
    r"text does not fit slot '(?P<slot>.+?)' \((?P<language>[^)]+)\) even at the minimum size "
    r"(?P<size>[\d.]+)pt: (?:a word is|the text is) (?P<mm>-?[\d.]+) mm (?P<way>wider|taller)"
)


def overflow_of(diagnostic: Diagnostic) -> Overflow | None:
    """The overflow a diagnostic reports (the message `_overflow` writes), or None for any other."""
    match = _OVERFLOW.search(diagnostic.message) if diagnostic.code == "overflow" else None
    if match is None:
        return None
    return Overflow(
        match["slot"], match["language"], float(match["size"]), float(match["mm"]), match["way"] == "wider"
    )


def _overflow(layout: FrameLayout, size: float) -> Diagnostic:
    trial = layout.trial(size)
    frame = layout.frame
    if trial.too_wide > 0.01:
        detail = f"a word is {trial.too_wide / 72 * 25.4:.1f} mm wider than the box"
    else:
        detail = f"the text is {(trial.height - frame.rect.height) / 72 * 25.4:.1f} mm taller than the box"
    return Diagnostic(
        Severity.ERROR,
        "overflow",
        f"text does not fit slot '{frame.name}' ({frame.language}) even at the minimum size "
        f"{frame.style.min_size:g}pt: {detail}",
        hint="shorten the text, or give the slot more room or a smaller minimum size in the template",
    )


def _missing_glyphs(frame: TextFrame, written_in: Path, missing: MissingGlyphs) -> Diagnostic:
    """Characters of a user's own text (an organisation's name) that no font has: theirs to change."""
    where = f"slot '{frame.name}', language {frame.language}; tried {', '.join(missing.tried)}"
    return Diagnostic(
        Severity.ERROR,
        "missing-glyph",
        f"no font here has {_describe(missing.characters)} ({where})",
        file=written_in,
        hint=f"change the text in {written_in.name}",
    )


def _missing_font(language: str, characters: str) -> Diagnostic:
    """The language's own text needs a script no font covers: one finding per script, however many slots
    show it (the same words for every template, so `check` counts it once per language)."""
    from babel import Locale, UnknownLocaleError

    try:
        name = Locale.parse(language.replace("-", "_")).get_display_name("en") or language
    except (UnknownLocaleError, ValueError):
        name = language
    by_script: dict[str, str] = {}
    for char in characters:
        script = script_data.script(char)
        by_script[script] = by_script.get(script, "") + char
    found = []
    for script, chars in by_script.items():
        if script in ("Zyyy", "Zinh", "Zzzz"):  # symbols of no one script: the text is what to change
            found.append(f"no font has {_describe(chars)} in the {name} text.")
        else:
            title = script_name(script)
            article = "an" if title[0] in "AEIOU" else "a"
            found.append(
                f"{name} needs {article} {title} font, for example Noto Sans {title}; see `fonts add`."
            )
    return Diagnostic(
        Severity.ERROR,
        "font-missing",
        " ".join(found),
        hint="add a font to your data folder (awareprint --data DIR fonts add FONT.ttf), or change the text",
    )


def _describe(characters: str) -> str:
    return ", ".join(f"'{c}' (U+{ord(c):04X})" for c in characters)
