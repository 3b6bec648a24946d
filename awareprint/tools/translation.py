"""The translator's round trip: language files out to PO or XLIFF, and back in, checked.

Translators work in the tools they know (Poedit, Weblate, memoQ, Trados), so strings leave as PO or XLIFF
(translate-toolkit reads and writes both) with the English source and a note on where each string is printed
and how much room it has. On the way back every string is checked like a hand-edited file (placeholders,
numbers), and the English each unit was made from is recorded, so an import made against an older English is
marked stale rather than taken as current.

Review states travel too. XLIFF marks a translation no native speaker has approved `approved="no"`, and an
approved one `state="signed-off"`; units a reviewer marks signed-off, final or reviewed (or, in PO, leaves
without the fuzzy flag) are recorded as reviewed when the import names the reviewer (`--reviewer`).
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from pathlib import Path
from typing import cast

import msgspec
from babel import Locale, UnknownLocaleError
from translate.storage import base, lisa, po, xliff

from awareprint.diagnostics import user_error
from awareprint.load.folders import Folder
from awareprint.load.inputs import read_input
from awareprint.load.materials import (
    CAPTIONS,
    ENGLISH,
    Language,
    Materials,
    Review,
    dump_materials,
    fingerprint,
    header_of,
    load_materials,
    numbers_in,
    placeholders_in,
)
from awareprint.load.schema import MAX_DATA_FILE_BYTES
from awareprint.load.templates import (
    ContactsSlot,
    FiguresSlot,
    ListSlot,
    OrganisationSlot,
    Slot,
    Template,
    TextSlot,
)
from awareprint.load.text_input import LINES, CharacterError, clean_text

FORMATS = ("po", "xliff")
MAX_TRANSLATION_BYTES = 4_000_000  # an export with its notes is about 50 KB
ROOM = 1.3  # a translation may run about 30 % longer than the English before it risks its frame
AVERAGE_CHARACTER_EM = 0.5  # the width of an average character of running text, in ems
_REVIEWED_STATES = ("signed-off", "final", "reviewed")  # XLIFF 1.2, and 2.0's "reviewed"
_CONTENT_OF_LABEL = {
    "qr_caption": "qr_caption",
    "source": "source_line",
    "contacts_checked": "contacts_checked",
}


class ImportResult(msgspec.Struct, frozen=True):
    changed: tuple[str, ...]  # keys whose text the import changed
    stale: tuple[str, ...]  # keys imported from units whose English is not the current English
    reviews_lost: tuple[str, ...]  # keys that had a current review, and whose text the import changed
    approved: tuple[str, ...]  # keys whose review the import recorded (--reviewer)
    marked_reviewed: int  # units marked reviewed in the file but not recorded, for want of a reviewer


class Reviewer(msgspec.Struct, frozen=True):
    """Who approves, and on which day: given on the command line, recorded per string."""

    name: str
    date: dt.date


def check_reviewer(reviewer: Reviewer, materials: Materials) -> Reviewer:
    """A name on one line, and a day that is not in the future."""
    name = " ".join(reviewer.name.split())
    if not name or len(name) > 100 or any(not c.isprintable() for c in name):
        raise user_error(
            "the reviewer must be a name of 1 to 100 printable characters",
            hint='give --reviewer "First Last"',
        )
    if reviewer.date > dt.date.today():
        raise user_error(
            f"the review date {reviewer.date.isoformat()} is in the future",
            file=materials.file,
            hint="give the day of the review with --date YYYY-MM-DD, or leave it out for today",
        )
    return Reviewer(name, reviewer.date)


def export_strings(
    english: Materials, materials: Materials, templates: list[Template], file_format: str
) -> bytes:
    """Every English string with the translation where there is one, and a note on the tightest room it
    gets across `templates` (all of them: a translator cannot know which one will print it).

    Stale ones are marked fuzzy. In XLIFF the state says what a native speaker has done: a draft is
    `translated` and `approved="no"`, a translation of an older English `needs-review-translation`, and
    only a reviewed one `signed-off` and `approved="yes"` (never `final`: the English may still change).
    """
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
        unit.addnote(room_note(key, source, templates), origin="developer")
        if not translated:
            continue
        if key in materials.stale:
            unit.markfuzzy(True)
        if file_format == "xliff":
            state = _xliff_state(key, materials)
            unit.xmlelement.set("approved", "yes" if state == "signed-off" else "no")
            unit.getlanguageNode(lang=None, index=1).set("state", state)
    return bytes(store)


def _xliff_state(key: str, materials: Materials) -> str:
    if key in materials.stale:
        return "needs-review-translation"
    return "signed-off" if key in materials.reviewed else "translated"


def import_strings(
    file: Path,
    english: Materials,
    materials: Materials,
    figure_ids: tuple[str, ...],
    reviewer: Reviewer | None = None,
) -> tuple[bytes, ImportResult]:
    """The language file with the units of `file` merged in; raises a one-line error and writes nothing
    if any unit's placeholders or numbers differ from its English.

    With a `reviewer`, units marked reviewed (XLIFF) or not fuzzy (PO) and made from the current English
    are recorded as approved by them; a string whose review is still current keeps it.
    """
    if reviewer is not None:
        reviewer = check_reviewer(reviewer, materials)
    store, data = _read_store(file)
    _check_language(store, file, materials.language.code)
    strings = own_strings(english, materials)
    translated_from = dict(materials.translated_from)
    reviews = dict(materials.reviews)
    changed, stale, approved, marked = [], [], [], 0
    seen: dict[str, int | None] = {}
    for unit in store.getunits():
        if unit.isheader() or not unit.source:
            continue
        key = _key_of(unit)
        line = _line_of(unit, key, data)
        if key in seen:  # else the second unit, maybe another string's text, silently wins
            first = f" (first on line {seen[key]})" if seen[key] not in (None, line) else ""
            raise user_error(
                f"the string is given twice{first}",
                file=file,
                line=line,
                key=key,
                hint="keep one unit for each key, as `strings export` writes it",
            )
        seen[key] = line
        if key not in english.strings:
            raise user_error(
                f"unknown string key '{key}'",
                file=file,
                line=line,
                hint="export a fresh file with `awareprint strings export`",
            )
        target = unit.target or ""
        if not target.strip():
            continue  # left untranslated: keep what the language file has
        target = _checked_characters(file, line, key, target)
        _check_unit(file, line, key, unit.source, target)
        if strings.get(key) != target:
            changed.append(key)
        strings[key] = target
        fuzzy = _needs_work(unit)
        if fuzzy:  # the translator says it needs work: record no English, so it stays stale
            translated_from.pop(key, None)
        else:  # the English this unit was made from; if that is older than today's English, it is stale
            translated_from[key] = fingerprint(unit.source)
        current = unit.source == english.strings[key]
        if fuzzy or not current:
            stale.append(key)
        elif _marked_reviewed(unit, reviewer is not None) and not (
            key in materials.reviewed and key not in changed
        ):
            if reviewer is None:
                marked += 1
            else:
                reviews[key] = Review(
                    reviewer.name, reviewer.date, fingerprint(unit.source), fingerprint(target)
                )
                approved.append(key)
    ordered = {key: strings[key] for key in english.strings if key in strings}
    lost = tuple(key for key in changed if key in materials.reviewed and key not in approved)
    if (ordered, translated_from, reviews) == (
        own_strings(english, materials),
        materials.translated_from,
        materials.reviews,
    ):
        # nothing changed: the file stays as it is, byte for byte
        data = read_input(materials.file, MAX_DATA_FILE_BYTES)
    else:
        data = dump_materials(
            materials.language, ordered, translated_from, header_of(materials.file), reviews
        )
        validate(data, materials.file, figure_ids, english)
    return data, ImportResult(tuple(changed), tuple(stale), lost, tuple(approved), marked)


def own_strings(english: Materials, materials: Materials) -> dict[str, str]:
    """The strings the language file itself holds, in English order."""
    return {key: materials.strings[key] for key in english.strings if key in materials.lines}


def _needs_work(unit: base.TranslationUnit) -> bool:
    """Fuzzy in PO; in XLIFF a `needs-…` or `new` state (`approved="no"` only means not reviewed)."""
    if isinstance(unit, po.pounit):
        return unit.isfuzzy()
    target = _xliff(unit).getlanguageNode(lang=None, index=1)
    state = target.get("state", "translated") if target is not None else "new"
    return state == "new" or state.startswith("needs-")


def _marked_reviewed(unit: base.TranslationUnit, reviewer_named: bool) -> bool:
    """XLIFF: approved, signed-off, final or reviewed. PO has no review state: when the import names a
    reviewer, any unit not fuzzy."""
    if isinstance(unit, po.pounit):
        return reviewer_named
    target = _xliff(unit).getlanguageNode(lang=None, index=1)
    state = target.get("state", "") if target is not None else ""
    return _xliff(unit).xmlelement.get("approved") == "yes" or state in _REVIEWED_STATES


def _xliff(unit: base.TranslationUnit) -> xliff.xliffunit:
    """A unit that is not PO's is XLIFF's, the other format imported (translate-toolkit types neither)."""
    return cast(xliff.xliffunit, unit)


def stamp(english: Materials, materials: Materials, keys: tuple[str, ...]) -> bytes:
    """The file with the given keys (all, if none) recorded as translating the current English."""
    refuse_unknown_keys(english, materials, keys)
    chosen = keys or tuple(materials.lines)
    translated_from = dict(materials.translated_from)
    for key in chosen:
        if key in materials.lines:
            translated_from[key] = fingerprint(english.strings[key])
    return dump_materials(
        materials.language,
        own_strings(english, materials),
        translated_from,
        header_of(materials.file),
        materials.reviews,
    )


def refuse_unknown_keys(english: Materials, materials: Materials, keys: tuple[str, ...]) -> None:
    unknown = [key for key in keys if key not in english.strings]
    if unknown:
        raise user_error(
            f"unknown string key '{unknown[0]}'",
            file=materials.file,
            hint="keys are as `check` and the review page print them",
        )


def new_language(code: str, folder: Folder) -> bytes:
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
    xml_store: xliff.xlifffile = xliff.xlifffile(sourcelanguage=ENGLISH, targetlanguage=code)
    xml_store.setfilename(xml_store.getfilenode("NoName"), "awareprint")
    return xml_store


def _read_store(file: Path) -> tuple[base.TranslationStore, bytes]:
    suffix = file.suffix.lower()
    if suffix not in (".po", ".xliff", ".xlf"):
        raise user_error("not a PO or XLIFF file", file=file, hint="give a .po, .xliff or .xlf file")
    data = read_input(file, MAX_TRANSLATION_BYTES)
    try:
        store = po.pofile(io.BytesIO(data)) if suffix == ".po" else xliff.xlifffile(io.BytesIO(data))
    except Exception as exc:  # the parsers raise many kinds of error for a damaged file
        raise user_error(f"cannot read it as {suffix[1:].upper()}: {exc}", file=file) from None
    if isinstance(store, xliff.xlifffile) and store.document.docinfo.internalDTD is not None:
        # an entity the parser does not expand (one naming another file) would vanish from its string
        raise user_error(
            "the file declares a DOCTYPE with entities, which XLIFF does not need",
            file=file,
            hint="remove the <!DOCTYPE ...> part and write the text itself, as `strings export` does",
        )
    plural = next((unit for unit in store.getunits() if unit.hasplural()), None)
    if plural is not None:
        raise user_error(
            "plural forms (msgid_plural, msgstr[0], ...) are not used: every awareprint string has one form",
            file=file,
            line=_plural_line(data) if suffix == ".po" else None,
            key=_key_of(plural) or None,
            hint="give each string one msgstr, as `strings export` writes it",
        )
    return store, data


def _line_of(unit: base.TranslationUnit, key: str, data: bytes) -> int | None:
    """The unit's line in the file, so a translator finds it: XLIFF's parser keeps it; in PO, the line of
    its `msgctxt` (the parser keeps none)."""
    if isinstance(unit, lisa.LISAunit):
        sourceline: int | None = unit.xmlelement.sourceline
        return sourceline
    wanted = b'msgctxt "' + key.encode("utf-8") + b'"'
    for number, line in enumerate(data.splitlines(), start=1):
        if line.strip() == wanted:
            return number
    return None


def _plural_line(data: bytes) -> int | None:
    """The PO line of the first `msgid_plural` (the parser keeps no line numbers)."""
    for number, line in enumerate(data.splitlines(), start=1):
        if line.lstrip().startswith(b"msgid_plural"):
            return number
    return None


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


def _checked_characters(file: Path, line: int | None, key: str, target: str) -> str:
    """The translation with each TAB a space; a control character refuses the whole import, as in YAML."""
    try:
        return clean_text(target, LINES)
    except CharacterError as error:
        raise user_error(
            f"{error.message}; nothing was imported",
            code=error.code,
            file=file,
            line=line,
            key=key,
            hint=error.hint,
        ) from None


def _check_unit(file: Path, line: int | None, key: str, source: str, target: str) -> None:
    if placeholders_in(target) != placeholders_in(source):
        want = ", ".join("{" + p + "}" for p in sorted(placeholders_in(source))) or "none"
        raise user_error(
            f"placeholders must be exactly as in English: {want}; nothing was imported",
            file=file,
            line=line,
            key=key,
            hint="keep the {…} parts untranslated",
        )
    if numbers_in(target) != numbers_in(source):
        theirs = ", ".join(map(str, numbers_in(target))) or "none"
        ours = ", ".join(map(str, numbers_in(source))) or "none"
        raise user_error(
            f"numbers differ from the English: {theirs} instead of {ours}; nothing was imported",
            file=file,
            line=line,
            key=key,
            hint="write the same numbers as the English, in digits",
        )


def validate(data: bytes, path: Path, figure_ids: tuple[str, ...], english: Materials) -> Materials:
    """Load a rewritten file from a scratch copy, so any fault it would have is found before it is written."""
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder) / path.name
        scratch.write_bytes(data)
        return load_materials(scratch, figure_ids, english)


class Placement(msgspec.Struct, frozen=True):
    """One slot of one template that prints a string, and the width one line of it has there."""

    template: str
    slot: str
    width_mm: float
    min_size: float  # pt
    max_size: float

    @property
    def line_characters(self) -> int:
        """About how many characters of Latin text a line holds at the smallest size (half an em each)."""
        return round(self.width_mm / 25.4 * 72 / (AVERAGE_CHARACTER_EM * self.min_size))


def placements(key: str, templates: list[Template]) -> list[Placement]:
    """Where a string is printed: every slot of every template that shows it, for its audience and, in a
    list, for its item."""
    content = _content_of(key)
    parts = key.split(".")
    audience = parts[1] if parts[0] == "audiences" else None
    found = []
    for template in templates:
        for page in template.pages:
            for slot in page.slots_for(audience) if audience else page.slots:
                if _shows(slot, content) and _holds_item(slot, key):
                    found.append(_placement(template.name, slot, key))
    return found


def room_note(key: str, source: str, templates: list[Template]) -> str:
    """Where the string is printed, the tightest line it gets there, and how long it may be."""
    return f"{where_printed(key, templates)}. {character_budget(source)}"


def where_printed(key: str, templates: list[Template]) -> str:
    """`printed in 'tips' on poster-a3 (98 mm wide, 18-24 pt)`; over many templates, the tightest."""
    found = placements(key, templates)
    if not found:
        if key.endswith(".description"):
            return "the PDF's description (not printed)"
        return f"not printed on {', '.join(t.name for t in templates)}; other templates may use it"
    slots: dict[str, list[str]] = {}
    for placement in found:
        slots.setdefault(placement.slot, []).append(placement.template)
    every = len(templates) > 1
    where = "printed " + "; ".join(
        f"in '{slot}' on "
        + (
            f"all {len(templates)} designs"
            if every and len(set(on)) == len(templates)
            else ", ".join(dict.fromkeys(on))
        )
        for slot, on in slots.items()
    )
    tightest = min(found, key=lambda p: p.line_characters)  # narrow, and in small type, is not tight
    size = (
        f"{round(tightest.min_size, 1):g}-{round(tightest.max_size, 1):g} pt, "
        f"about {tightest.line_characters} characters a line"
    )
    if len(found) == 1:
        return where + f" ({tightest.width_mm:.0f} mm wide, {size})"
    return where + f" (tightest: {tightest.width_mm:.0f} mm wide, {size}, on {tightest.template})"


def character_budget(source: str) -> str:
    return f"English: {len(source)} characters; keep to about {round(len(source) * ROOM)} or fewer."


def _placement(template: str, slot: Slot, key: str) -> Placement:
    if isinstance(slot, FiguresSlot):
        style = slot.number_style if key.endswith(".display") else slot.caption_style
    else:
        style = slot.style  # type: ignore[union-attr]
    columns = getattr(slot, "columns", 1)
    gap = getattr(slot, "column_gap", 0)
    width = (slot.rect.width - gap * (columns - 1)) / columns
    return Placement(template, slot.name, width / 72 * 25.4, style.min_size, style.max_size)


def _holds_item(slot: Slot, key: str) -> bool:
    """A list slot may show only some items (`first`, `last`): tips[8] is not on a card that stops at 6."""
    if not isinstance(slot, ListSlot) or not key.endswith("]"):
        return True
    index = int(key.rsplit("[", 1)[1][:-1])
    return slot.first <= index and (slot.last is None or index < slot.last)


def _content_of(key: str) -> str:
    parts = key.split(".")
    if parts[0] == "labels":
        return _CONTENT_OF_LABEL.get(parts[1], parts[1])
    if parts[0] == CAPTIONS:
        return "contacts"
    if parts[0] == "lead_labels":  # the label in front of the lead's name
        return "organisation_lead"
    if parts[0] == "figures":
        return "figures"
    if parts[0] == "audiences":
        return parts[2].split("[")[0]
    return parts[0].split("[")[0]


def _shows(slot: Slot, content: str) -> bool:
    if isinstance(slot, ContactsSlot):
        return content == "contacts"
    if isinstance(slot, OrganisationSlot):
        return content == "organisation_lead"
    if isinstance(slot, FiguresSlot):
        return content == "figures"
    if isinstance(slot, TextSlot | ListSlot):
        return slot.content == content
    return False
