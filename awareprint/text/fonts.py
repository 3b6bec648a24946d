"""The font manifest and the faces it names, loaded once per process and cached."""

from __future__ import annotations

import functools
import struct
from pathlib import Path

import msgspec
import uharfbuzz as hb
from fontTools import unicodedata as script_data

from awareprint.load.schema import Mapping, as_list, as_text, load_yaml

WEIGHTS = ("regular", "bold")


class FontFace(msgspec.Struct, frozen=True, eq=False):  # loaded once per process: identity is equality
    """One font file. Metrics are in font units; `upem` converts them to ems."""

    path: str
    family: str
    weight: str
    upem: int
    ascender: int
    descender: int  # negative, below the baseline
    cap_height: int
    coverage: frozenset[int]

    def covers(self, char: str) -> bool:
        return ord(char) in self.coverage


class FontFamily(msgspec.Struct, frozen=True):
    name: str
    scripts: tuple[str, ...]
    languages: tuple[str, ...]  # tried first for these languages; after the unrestricted families otherwise
    faces: dict[str, FontFace]
    roomy: bool  # needs more line height than most: a frame it cannot fit is set in the next font
    licence: str
    origin: str


class FontManifest(msgspec.Struct, frozen=True, eq=False):
    families: tuple[FontFamily, ...]
    fallback: tuple[str, ...]
    file: Path

    def chain(
        self, script: str, weight: str, language: str = "", tight: bool = False
    ) -> tuple[FontFace, ...]:
        """Fonts to try for a character of `script` in `language`: the script's own for this language,
        then its unrestricted ones, the fallback order, other languages' fonts for the script, and the
        language's own fonts in other scripts; in a `tight` frame, without the families that need extra
        room."""
        return _chain(self, script, weight, language, tight)

    def family(self, name: str) -> FontFamily:
        return next(f for f in self.families if f.name == name)

    @property
    def primary(self) -> FontFamily:
        return self.family(self.fallback[0])


@functools.lru_cache(maxsize=1024)
def _chain(
    manifest: FontManifest, script: str, weight: str, language: str, tight: bool
) -> tuple[FontFace, ...]:
    for_script = [f for f in manifest.families if script in f.scripts and not (tight and f.roomy)]
    own = [f for f in for_script if language in f.languages]
    general = [f for f in for_script if not f.languages]
    others = [f for f in for_script if f.languages and language not in f.languages]
    # then the language's own fonts whatever their script: a full-width colon after a Latin "A" in
    # Japanese resolves to Latin, which the Latin fonts lack but the Japanese font has
    for_language = [f for f in manifest.families if language in f.languages and not (tight and f.roomy)]
    rest = [manifest.family(name) for name in manifest.fallback]
    # the fallback comes before other languages' fonts: an Arabic "(" that Naskh lacks is set in Noto
    # Sans, not in the Urdu Nastaliq (a whole font embedded for one bracket, its pair from another font)
    return tuple(dict.fromkeys(f.faces[weight] for f in own + general + rest + others + for_language))


@functools.cache
def load_manifest(path: Path, added: Path | None = None) -> FontManifest:
    """The built-in manifest, with the families of a data folder's manifest (`added`, from `fonts add`)
    tried first for their scripts; a family of the same name replaces the built-in one, and its own
    `fallback`, if it has one, replaces the built-in order of last resort."""
    families, fallback = _families(path, required={"fonts", "fallback"})
    if added is not None and added.resolve() != path.resolve():
        own, own_fallback = _families(added, required={"fonts"})
        names = {f.name for f in own}
        families = own + [f for f in families if f.name not in names]
        fallback = own_fallback or fallback
    return FontManifest(tuple(families), fallback, path)


def _families(path: Path, required: set[str]) -> tuple[list[FontFamily], tuple[str, ...]]:
    root = Mapping(load_yaml(path), required, {"fallback"} - required)
    families: list[FontFamily] = []
    for node in as_list(root.get("fonts")):
        entry = Mapping(
            node, {"family", "scripts", "regular", "bold", "licence", "origin"}, {"languages", "roomy"}
        )
        name = entry.text("family")
        faces = {}
        for weight in WEIGHTS:
            file = path.parent / entry.text(weight)
            if not file.is_file():
                raise entry.get(weight).error(f"font file {file} not found", hint="add it with `fonts add`")
            faces[weight] = _load_face(str(file), name, weight)
        licence = path.parent / entry.text("licence")
        if not licence.is_file():
            raise entry.get("licence").error(f"licence file {licence} not found")
        languages = tuple(entry.texts("languages")) if entry.has("languages") else ()
        families.append(
            FontFamily(
                name,
                tuple(entry.texts("scripts")),
                languages,
                faces,
                entry.choice("roomy", ("yes", "no"), "no") == "yes",
                str(licence),
                entry.text("origin"),
            )
        )
    if not root.has("fallback"):
        return families, ()
    names = {f.name for f in families}
    for node in as_list(root.get("fallback")):
        if as_text(node) not in names:
            raise node.error(f"no font family '{node.value}' in the manifest")
    return families, tuple(root.texts("fallback"))


def script_name(code: str) -> str:
    """`Ethi` -> `Ethiopic`: the name a font family carries (Noto Sans Ethiopic)."""
    name: str = script_data.script_name(code)
    return name.replace("_", " ")


def _load_face(path: str, family: str, weight: str) -> FontFace:
    if "glyf" not in harfbuzz_font(path).face.table_tags:
        raise ValueError(f"{path} has no TrueType outlines; convert CFF fonts before vendoring them")
    metrics = font_metrics(path)
    return FontFace(
        path=path,
        family=family,
        weight=weight,
        upem=metrics.upem,
        ascender=metrics.ascender,
        descender=metrics.descender,
        cap_height=metrics.cap_height or int(metrics.upem * 0.7),
        coverage=frozenset(harfbuzz_font(path).face.unicodes),  # 40 times faster than fontTools' cmap
    )


class FontMetrics(msgspec.Struct, frozen=True):
    """What a face and its PDF font descriptor need from the head, hhea and OS/2 tables, in font units."""

    upem: int
    box: tuple[int, int, int, int]  # xMin, yMin, xMax, yMax of all glyphs
    ascender: int
    descender: int
    cap_height: int | None  # None: the OS/2 table is older than version 2, which introduced it


@functools.cache
def font_metrics(path: str) -> FontMetrics:
    """Read from the font's own tables through HarfBuzz: loading fontTools for them cost about 30 ms of a
    cold start."""
    face = harfbuzz_font(path).face
    head = face.reference_table("head").data
    hhea = face.reference_table("hhea").data
    os2 = face.reference_table("OS/2").data
    if len(head) < 54 or len(hhea) < 36:
        raise ValueError(f"{path} has no valid head or hhea table")
    has_cap_height = len(os2) >= 90 and struct.unpack_from(">H", os2, 0)[0] >= 2
    return FontMetrics(
        upem=struct.unpack_from(">H", head, 18)[0],
        box=struct.unpack_from(">4h", head, 36),
        ascender=struct.unpack_from(">h", hhea, 4)[0],
        descender=struct.unpack_from(">h", hhea, 6)[0],
        cap_height=struct.unpack_from(">h", os2, 88)[0] if has_cap_height else None,
    )


@functools.cache
def harfbuzz_font(path: str) -> hb.Font:
    return hb.Font(hb.Face(hb.Blob.from_file_path(path)))


@functools.lru_cache(maxsize=16384)
def glyph_ink(path: str, glyph_id: int) -> tuple[int, int]:
    """Top and bottom of a glyph's ink relative to the baseline, in font units (0, 0 for blank glyphs)."""
    extents = harfbuzz_font(path).get_glyph_extents(glyph_id)
    if extents is None:
        return 0, 0
    return extents.y_bearing, extents.y_bearing + extents.height
