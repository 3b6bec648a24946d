"""`fonts add`: a font for a script the built-in fonts lack, copied into a data folder and recorded in its
fonts/manifest.yaml, so a translator adds Tigrinya without touching the tool's own folders.

The font is checked before anything is written: TrueType outlines, a licence file beside it that allows
embedding and redistribution (the SIL Open Font License or similar), and which scripts it covers.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path

import msgspec
import yaml
from fontTools import unicodedata as script_data
from fontTools.ttLib import TTFont, TTLibError

from awareprint.diagnostics import user_error
from awareprint.load.schema import load_yaml
from awareprint.render.output import write_atomic
from awareprint.text.fonts import script_name

LICENCE_NAMES = ("OFL.txt", "OFL", "LICENSE", "LICENSE.txt", "LICENCE", "LICENCE.txt", "COPYING")
# the words that name a licence allowing a font to be embedded in a PDF and shipped with a data folder
FREE_LICENCES = (
    "SIL Open Font License",
    "Apache License",
    "Ubuntu Font Licence",
    "Bitstream Vera",
    "GUST Font License",
    "IPA Font License",
)
MIN_LETTERS = 10  # a script with fewer letters in the font is incidental (a few symbols), not covered
_HEADER = (
    "# Fonts added to this data folder with `awareprint fonts add`; tried before the built-in fonts for\n"
    "# their scripts. Same format as the built-in fonts/manifest.yaml.\n"
)


class AddedFont(msgspec.Struct, frozen=True):
    family: str
    scripts: dict[str, int]  # ISO 15924 code -> letters the font has in it
    manifest: Path


def add_font(regular: Path, bold: Path | None, data: Path) -> AddedFont:
    """Check the font, copy it and its licence into DATA/fonts/FOLDER/, and record it in the manifest."""
    family = _family_name(regular)
    scripts = _scripts(regular)
    if bold is not None and _family_name(bold) != family:
        raise user_error(
            f"the bold font is not of the family '{family}'", file=bold, hint="give its bold face"
        )
    licence = _licence_beside(regular)
    manifest = data / "fonts" / "manifest.yaml"
    entries = _entries(manifest)
    if any(isinstance(entry, dict) and entry.get("family") == family for entry in entries):
        raise user_error(f"'{family}' is already in the manifest", file=manifest, hint="nothing to add")
    folder = re.sub(r"[^a-z0-9]+", "-", family.lower()).strip("-")
    target = data / "fonts" / folder
    target.mkdir(parents=True, exist_ok=True)
    for source in (regular, bold, licence):
        if source is not None:
            shutil.copyfile(source, target / source.name)
    entries.append(
        {
            "family": family,
            "scripts": sorted(scripts),
            "regular": f"{folder}/{regular.name}",
            # no bold face: the regular one sets bold text too (headings lose their weight, not their letters)
            "bold": f"{folder}/{(bold or regular).name}",
            "licence": f"{folder}/{licence.name}",
            "origin": f"{family}, added with `awareprint fonts add` from {regular.name}",
        }
    )
    text = yaml.safe_dump({"fonts": entries}, allow_unicode=True, sort_keys=False)
    write_atomic(manifest, (_HEADER + text).encode())
    return AddedFont(family, scripts, manifest)


def _open(path: Path) -> TTFont:
    if not path.is_file():
        raise user_error("font file not found", file=path, hint="check the name and the folder")
    try:
        font = TTFont(path, lazy=True)
        font["cmap"]
    except (TTLibError, KeyError, OSError, AssertionError) as error:
        raise user_error(f"not a font file ({error})", file=path, hint="give a .ttf file") from None
    if "glyf" not in font:
        raise user_error(
            "the font has no TrueType outlines (it is CFF, .otf)",
            file=path,
            hint="use the .ttf of the family, or convert it (see tools/build_cjk.py)",
        )
    return font


def _family_name(path: Path) -> str:
    names = _open(path)["name"]
    name = names.getName(16, 3, 1, 0x409) or names.getName(1, 3, 1, 0x409) or names.getName(1, 1, 0, 0)
    if name is None:
        raise user_error("the font has no family name", file=path, hint="give a complete font file")
    return str(name)


def _scripts(path: Path) -> dict[str, int]:
    """The scripts whose letters the font has, with how many: common punctuation and digits do not count."""
    counts: dict[str, int] = {}
    for code in _open(path).getBestCmap():
        char = chr(code)
        script = script_data.script(char)
        if script not in ("Zyyy", "Zinh", "Zzzz") and unicodedata.category(char)[0] in "LM":
            counts[script] = counts.get(script, 0) + 1
    covered = {script: n for script, n in counts.items() if n >= MIN_LETTERS}
    if not covered:
        raise user_error(
            "the font covers no script (fewer than 10 letters of any)", file=path, hint="give a text font"
        )
    return dict(sorted(covered.items()))


def _licence_beside(path: Path) -> Path:
    for name in LICENCE_NAMES:
        licence = path.parent / name
        if licence.is_file():
            text = licence.read_text(encoding="utf-8", errors="replace")
            if any(words.lower() in text.lower() for words in FREE_LICENCES):
                return licence
            raise user_error(
                "the licence beside the font is not one that allows embedding and sharing it",
                file=licence,
                hint="use a font under the SIL Open Font License (every Noto font is)",
            )
    raise user_error(
        "no licence file beside the font",
        file=path,
        hint=f"put its licence (OFL.txt) in {path.parent}; fonts are shipped with what you print",
    )


def _entries(manifest: Path) -> list[object]:
    if not manifest.is_file():
        return []
    node = load_yaml(manifest).value
    fonts = node.get("fonts") if isinstance(node, dict) else None
    return [_plain(entry) for entry in fonts.value] if fonts is not None else []


def _plain(node: object) -> object:
    """A parsed node back to plain values, to write the manifest again."""
    value = getattr(node, "value", node)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def describe(added: AddedFont) -> str:
    scripts = ", ".join(f"{script_name(code)} ({n} letters)" for code, n in added.scripts.items())
    return f"added {added.family} for {scripts} to {added.manifest}"
