"""Split a paragraph into runs that one font can shape: by script, then by font coverage.

Each character gets the first font of its script's chain that has a glyph for it; characters of the
Common and Inherited scripts (digits, punctuation, combining marks) stay with their neighbours' font when
it covers them, so a run is not broken at every space. A character no font covers is reported.
"""

from __future__ import annotations

from dataclasses import dataclass

from fontTools import unicodedata

from .fonts import FontFace, FontManifest

_NEUTRAL_SCRIPTS = {"Zyyy", "Zinh", "Zzzz"}


@dataclass(frozen=True, slots=True)
class Run:
    """Characters [start, end) of the paragraph, shaped together with one face."""

    start: int
    end: int
    face: FontFace
    script: str
    rtl: bool


@dataclass(frozen=True, slots=True)
class MissingGlyphs:
    characters: str
    tried: tuple[str, ...]  # families in the order they were tried


def itemize(
    text: str, manifest: FontManifest, weight: str, rtl: bool
) -> tuple[tuple[Run, ...], MissingGlyphs | None]:
    scripts = _resolve_scripts(text)
    runs: list[Run] = []
    missing: dict[str, None] = {}
    tried: dict[str, None] = {}
    previous: FontFace | None = None
    for index, (char, script) in enumerate(zip(text, scripts, strict=True)):
        chain = manifest.chain(script, weight)
        face = _pick(char, chain, previous, script)
        if face is None:
            missing[char] = None
            tried.update((f.family, None) for f in chain)
            face = previous or chain[0]
        if runs and runs[-1].face == face and runs[-1].script == script:
            last = runs[-1]
            runs[-1] = Run(last.start, index + 1, face, script, rtl)
        else:
            runs.append(Run(index, index + 1, face, script, rtl))
        previous = face
    report = MissingGlyphs("".join(missing), tuple(tried)) if missing else None
    return tuple(runs), report


def _pick(char: str, chain: tuple[FontFace, ...], previous: FontFace | None, script: str) -> FontFace | None:
    if script in _NEUTRAL_SCRIPTS and previous is not None and previous.covers(char):
        return previous
    if not char.isprintable() and char not in "\u200c\u200d":
        return previous or chain[0]  # controls are not drawn; HarfBuzz hides default-ignorables
    return next((face for face in chain if face.covers(char)), None)


def _resolve_scripts(text: str) -> list[str]:
    """Script per character, with Common/Inherited taking the script of the text around them."""
    scripts = [unicodedata.script(char) for char in text]
    last_real = next((s for s in scripts if s not in _NEUTRAL_SCRIPTS), "Latn")
    resolved = []
    for script in scripts:
        if script in _NEUTRAL_SCRIPTS:
            resolved.append(last_real)
        else:
            last_real = script
            resolved.append(script)
    return resolved
