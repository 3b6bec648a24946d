"""Split a paragraph into runs that one font can shape in one direction: by bidi level, script and font.

Each character gets the first font of its script's chain that has a glyph for it, with one exception:
a stretch of Chinese, Japanese or Korean in a frame of another language (a school's Chinese name on an
English poster) gets the first of those fonts that covers all of it, so it is not set in Simplified and
Traditional glyph forms by turns (Han, kana and Hangul count as one stretch). Characters of the
Common and Inherited scripts (digits, punctuation, combining marks) stay with their neighbours' font when
it covers them, so a run is not broken at every space. A character no font covers is reported.
"""

from __future__ import annotations

import unicodedata

import msgspec
from fontTools import unicodedata as script_data

from .bidi import embedding_levels
from .fonts import FontFace, FontManifest

_NEUTRAL_SCRIPTS = {"Zyyy", "Zinh", "Zzzz"}
_CJK_SCRIPTS = {"Hani", "Hira", "Kana", "Hang", "Bopo"}  # one stretch for the choice of font
_INVISIBLE = {"Cf", "Cc", "Zl", "Zp"}


class Run(msgspec.Struct, frozen=True):
    """Characters [start, end) of the paragraph, shaped together with one face."""

    start: int
    end: int
    face: FontFace
    script: str
    level: int  # bidi embedding level: odd is right-to-left

    @property
    def rtl(self) -> bool:
        return self.level % 2 == 1


class MissingGlyphs(msgspec.Struct, frozen=True):
    characters: str
    tried: tuple[str, ...]  # families in the order they were tried


def itemize(
    text: str, manifest: FontManifest, weight: str, rtl: bool, language: str = "", tight: bool = False
) -> tuple[tuple[Run, ...], MissingGlyphs | None]:
    scripts = _resolve_scripts(text)
    levels = embedding_levels(text, rtl)
    runs: list[Run] = []
    missing: dict[str, None] = {}
    tried: dict[str, None] = {}
    previous: FontFace | None = None
    stretch_faces = _stretch_faces(text, scripts, manifest, weight, language, tight)
    for index, (char, script, level) in enumerate(zip(text, scripts, levels, strict=True)):
        chain = manifest.chain(script, weight, language, tight)
        stretch_face = stretch_faces[index]
        face = stretch_face if stretch_face is not None else _pick(char, chain, previous, script)
        if face is None:
            missing[char] = None
            tried.update((f.family, None) for f in chain)
            face = previous or chain[0]
        if runs and (runs[-1].face, runs[-1].script, runs[-1].level) == (face, script, level):
            last = runs[-1]
            runs[-1] = Run(last.start, index + 1, face, script, level)
        else:
            runs.append(Run(index, index + 1, face, script, level))
        previous = face
    report = MissingGlyphs("".join(missing), tuple(tried)) if missing else None
    return tuple(runs), report


def _stretch_faces(
    text: str, scripts: list[str], manifest: FontManifest, weight: str, language: str, tight: bool
) -> list[FontFace | None]:
    """Per character, the face for its whole CJK stretch in a frame of another language, else None."""
    faces: list[FontFace | None] = [None] * len(text)
    start = 0
    while start < len(text):
        cjk = scripts[start] in _CJK_SCRIPTS
        end = start + 1
        while end < len(text) and (scripts[end] in _CJK_SCRIPTS) == cjk:
            end += 1
        chain = manifest.chain(scripts[start], weight, language, tight)
        if cjk and language not in manifest.family(chain[0].family).languages:
            visible = [c for c in text[start:end] if unicodedata.category(c) not in _INVISIBLE]
            whole = next((face for face in chain if all(face.covers(c) for c in visible)), None)
            faces[start:end] = [whole] * (end - start)
        start = end
    return faces


def _pick(char: str, chain: tuple[FontFace, ...], previous: FontFace | None, script: str) -> FontFace | None:
    if script in _NEUTRAL_SCRIPTS and previous is not None and previous.covers(char):
        return previous
    if unicodedata.category(char) in _INVISIBLE and (previous is not None or not chain[0].covers(char)):
        # joiners, bidi controls, line breaks: HarfBuzz hides them, and they must stay in their
        # neighbours' run (a ZWNJ split off into another font would break Persian joining)
        return previous or chain[0]
    return next((face for face in chain if face.covers(char)), None)


def _resolve_scripts(text: str) -> list[str]:
    """Script per character, with Common/Inherited taking the script of the text around them."""
    scripts = [script_data.script(char) for char in text]
    last_real = next((s for s in scripts if s not in _NEUTRAL_SCRIPTS), "Latn")
    resolved = []
    for script in scripts:
        if script in _NEUTRAL_SCRIPTS:
            resolved.append(last_real)
        else:
            last_real = script
            resolved.append(script)
    return resolved
