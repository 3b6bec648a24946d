"""The translator's round trip: language files out to PO or XLIFF, and back in, checked.

Translators work in the tools they know (Poedit, Weblate, memoQ, Trados), so strings leave as PO or XLIFF
(translate-toolkit reads and writes both) with the English source and a note on where each string is printed
and how much room it has. On the way back every string is checked like a hand-edited file (placeholders,
numbers), and the English each unit was made from is recorded, so an import made against an older English is
marked stale rather than taken as current.
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from babel import Locale, UnknownLocaleError
from translate.storage import base, po, xliff

from .diagnostics import user_error
from .materials import (
    CAPTIONS,
    ENGLISH,
    Language,
    Materials,
    dump_materials,
    fingerprint,
    header_of,
    load_materials,
    numbers_in,
    placeholders_in,
)
from .templates import ContactsSlot, FiguresSlot, ListSlot, Slot, Template, TextSlot

FORMATS = ("po", "xliff")
ROOM = 1.3  # a translation may run about 30 % longer than the English before it risks its frame
_CONTENT_OF_LABEL = {
    "qr_caption": "qr_caption",
    "source": "source_line",
    "contacts_checked": "contacts_checked",
}


@dataclass(frozen=True, slots=True)
class ImportResult:
    changed: tuple[str, ...]  # keys whose text the import changed
    stale: tuple[str, ...]  # keys imported from units whose English is not the current English
    review_lost: bool  # the file was reviewed; changed text makes it a draft again


def export_strings(english: Materials, materials: Materials, template: Template, file_format: str) -> bytes:
    """Every English string with the translation where there is one; stale ones marked fuzzy."""
    store = _new_store(file_format, materials.language.code)
    for key, source in english.strings.items():
        unit = store.UnitClass(source)
        store.addunit(unit)
        if file_format == "po":
            unit.setcontext(key)
        else:
            unit.setid(key)
        translated = key in materials.lines
        if translated:
            unit.target = materials.strings[key]
        unit.addnote(_room_note(key, source, template), origin="developer")
        if translated and key in materials.stale:
            unit.markfuzzy(True)
    return bytes(store)


def import_strings(
    file: Path, english: Materials, materials: Materials, figure_ids: tuple[str, ...]
) -> tuple[bytes, ImportResult]:
    """The language file with the units of `file` merged in; raises a one-line error and writes nothing
    if any unit's placeholders or numbers differ from its English."""
    store = _read_store(file)
    _check_language(store, file, materials.language.code)
    strings = {key: materials.strings[key] for key in english.strings if key in materials.lines}
    translated_from = dict(materials.translated_from)
    changed, stale = [], []
    for unit in store.getunits():
        if unit.isheader() or not unit.source:
            continue
        key = _key_of(unit)
        if key not in english.strings:
            raise user_error(
                f"unknown string key '{key}'",
                file=file,
                hint="export a fresh file with `awareprint strings export`",
            )
        target = unit.target or ""
        if not target.strip():
            continue  # left untranslated: keep what the language file has
        _check_unit(file, key, unit.source, target)
        if strings.get(key) != target:
            changed.append(key)
        strings[key] = target
        if unit.isfuzzy():  # the translator says it needs work: record no English, so it stays stale
            translated_from.pop(key, None)
        else:  # the English this unit was made from; if that is older than today's English, it is stale
            translated_from[key] = fingerprint(unit.source)
        if unit.isfuzzy() or unit.source != english.strings[key]:
            stale.append(key)
    ordered = {key: strings[key] for key in english.strings if key in strings}
    language = materials.language
    review_lost = bool(changed) and language.status == "reviewed"
    if review_lost:
        language = replace(language, status="draft", reviewer=None, reviewed=None)
    data = dump_materials(language, ordered, translated_from, header_of(materials.file))
    _validate(data, materials.file, figure_ids, english)
    return data, ImportResult(tuple(changed), tuple(stale), review_lost)


def stamp(english: Materials, materials: Materials, keys: tuple[str, ...]) -> bytes:
    """The file with the given keys (all, if none) recorded as translating the current English."""
    unknown = [key for key in keys if key not in english.strings]
    if unknown:
        raise user_error(
            f"unknown string key '{unknown[0]}'", file=materials.file, hint="keys are as `check` prints them"
        )
    chosen = keys or tuple(materials.lines)
    translated_from = dict(materials.translated_from)
    for key in chosen:
        if key in materials.lines:
            translated_from[key] = fingerprint(english.strings[key])
    strings = {key: materials.strings[key] for key in english.strings if key in materials.lines}
    return dump_materials(materials.language, strings, translated_from, header_of(materials.file))


def new_language(code: str, folder: Path) -> bytes:
    """A language file with only its language block: every string prints in English until translated."""
    try:
        locale = Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        raise user_error(
            f"'{code}' is not a known locale code", hint="use a code such as fr, pt-BR, zh-Hant"
        ) from None
    if (folder / f"{code}.yaml").exists():
        raise user_error(
            "the language already exists", file=folder / f"{code}.yaml", hint="edit it, or export its strings"
        )
    language = Language(
        code=code,
        name=locale.get_display_name(ENGLISH) or code,
        native_name=locale.get_display_name(locale) or code,
        direction="rtl" if locale.character_order == "right-to-left" else "ltr",
        numbers="latn",
        status="draft",
        reviewer=None,
        reviewed=None,
    )
    header = (
        f"# {language.name}: a translation of en.yaml, started with `awareprint strings init {code}`.\n"
        "# Strings not yet translated print in English, with a warning. `numbers: latn` prints 0-9; set the\n"
        "# locale's own numbering system (e.g. beng, arabext) where print there uses its own digits.\n"
    )
    return dump_materials(language, {}, {}, header)


def _new_store(file_format: str, code: str) -> base.TranslationStore:
    if file_format == "po":
        store = po.pofile()
        store.updateheader(
            add=True,
            Project_Id_Version="awareprint",
            Language=code,
            Content_Type="text/plain; charset=UTF-8",
            X_Generator="awareprint",
            POT_Creation_Date=None,
            PO_Revision_Date=None,
            Report_Msgid_Bugs_To=None,
            Last_Translator=None,
            Language_Team=None,
        )
        return store
    store = xliff.xlifffile(sourcelanguage=ENGLISH, targetlanguage=code)
    store.setfilename(store.getfilenode("NoName"), "awareprint")
    return store


def _read_store(file: Path) -> base.TranslationStore:
    suffix = file.suffix.lower()
    if suffix not in (".po", ".xliff", ".xlf"):
        raise user_error("not a PO or XLIFF file", file=file, hint="give a .po, .xliff or .xlf file")
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise user_error(f"cannot read the file ({exc.strerror})", file=file) from None
    try:
        return po.pofile(io.BytesIO(data)) if suffix == ".po" else xliff.xlifffile(io.BytesIO(data))
    except Exception as exc:  # the parsers raise many kinds of error for a damaged file
        raise user_error(f"cannot read it as {suffix[1:].upper()}: {exc}", file=file) from None


def _check_language(store: base.TranslationStore, file: Path, code: str) -> None:
    found = store.gettargetlanguage()
    if found and found.replace("_", "-") != code:
        raise user_error(
            f"the file is for language '{found}', not '{code}'",
            file=file,
            hint=f"import it with --lang {found}",
        )


def _key_of(unit: base.TranslationUnit) -> str:
    if isinstance(unit, po.pounit):
        return unit.getcontext()
    return unit.getid().rsplit("\x04", 1)[-1]  # XLIFF ids come back prefixed with the file's name


def _check_unit(file: Path, key: str, source: str, target: str) -> None:
    if placeholders_in(target) != placeholders_in(source):
        want = ", ".join("{" + p + "}" for p in sorted(placeholders_in(source))) or "none"
        raise user_error(
            f"placeholders must be exactly as in English: {want}; nothing was imported",
            file=file,
            key=key,
            hint="keep the {…} parts untranslated",
        )
    if numbers_in(target) != numbers_in(source):
        theirs = ", ".join(map(str, numbers_in(target))) or "none"
        ours = ", ".join(map(str, numbers_in(source))) or "none"
        raise user_error(
            f"numbers differ from the English: {theirs} instead of {ours}; nothing was imported",
            file=file,
            key=key,
            hint="write the same numbers as the English, in digits",
        )


def _validate(data: bytes, path: Path, figure_ids: tuple[str, ...], english: Materials) -> None:
    """Load the merged file from a scratch copy, so any fault it would have is found before it is written."""
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder) / path.name
        scratch.write_bytes(data)
        load_materials(scratch, figure_ids, english)


def _room_note(key: str, source: str, template: Template) -> str:
    """Where the string is printed in the reference template, and how long it may be."""
    content = _content_of(key)
    slot = next((s for s in template.slots if _shows(s, content)), None)
    limit = round(len(source) * ROOM)
    if slot is not None:
        where = f"printed in '{slot.name}' on {template.name}"
    elif key.endswith(".description"):
        where = "the PDF's description (not printed)"
    else:
        where = f"not printed on {template.name}; other templates may use it"
    if isinstance(slot, TextSlot):
        style = slot.style
        where += f" ({slot.rect.width / 72 * 25.4:.0f} mm wide, {style.min_size:g}-{style.max_size:g} pt)"
    return f"{where}. English: {len(source)} characters; keep to about {limit} or fewer."


def _content_of(key: str) -> str:
    parts = key.split(".")
    if parts[0] == "labels":
        return _CONTENT_OF_LABEL.get(parts[1], parts[1])
    if parts[0] == CAPTIONS:
        return "contacts"
    if parts[0] == "figures":
        return "figures"
    if parts[0] == "audiences":
        return parts[2].split("[")[0]
    return parts[0].split("[")[0]


def _shows(slot: Slot, content: str) -> bool:
    if isinstance(slot, ContactsSlot):
        return content == "contacts"
    if isinstance(slot, FiguresSlot):
        return content == "figures" and slot.content == "key_figures"
    if isinstance(slot, TextSlot | ListSlot):
        return slot.content == content
    return False
