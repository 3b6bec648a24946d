"""A native speaker's review: a bilingual page to read, and the approvals they give, string by string.

The review page is one self-contained HTML file (no scripts, no outside requests) that a parent or a
colleague who reads the language can open in any browser or print: each string with where it is printed,
the English, the translation in its own direction, the room it has, and whether it has been reviewed.
`approve` records, per string, fingerprints of the English and the translation the reviewer approved; a
review counts while both are unchanged (materials.py computes that when a file is loaded).
"""

from __future__ import annotations

import datetime as dt
import html
import re

import msgspec

from awareprint.load.materials import Materials, Review, ReviewStatus, dump_materials, fingerprint, header_of
from awareprint.load.templates import Template

from .translation import (
    ROOM,
    Reviewer,
    character_budget,
    check_reviewer,
    own_strings,
    refuse_unknown_keys,
    validate,
    where_printed,
)

_PLACEHOLDER = re.compile(r"(\{\w*\})")


class ApproveResult(msgspec.Struct, frozen=True):
    approved: tuple[str, ...]  # keys whose review was recorded
    untranslated: tuple[str, ...]  # keys asked for that the file does not translate: printed in English
    status: ReviewStatus  # the language's, with these approvals


def approve(
    english: Materials,
    materials: Materials,
    reviewer: Reviewer,
    keys: tuple[str, ...],
    figure_ids: tuple[str, ...],
) -> tuple[bytes, ApproveResult]:
    """The language file with the given strings (all, if none) approved by `reviewer` as they stand.

    Approving a string also records that it translates the current English: the reviewer read the two side
    by side. A string the file does not translate cannot be approved: it is printed in English.
    """
    reviewer = check_reviewer(reviewer, materials)
    refuse_unknown_keys(english, materials, keys)
    chosen = keys or tuple(english.strings)
    approved = tuple(key for key in chosen if key in materials.lines)
    reviews = dict(materials.reviews)
    translated_from = dict(materials.translated_from)
    for key in approved:
        translated_from[key] = fingerprint(english.strings[key])
        reviews[key] = Review(
            reviewer.name, reviewer.date, translated_from[key], fingerprint(materials.strings[key])
        )
    own = own_strings(english, materials)
    data = dump_materials(materials.language, own, translated_from, header_of(materials.file), reviews)
    untranslated = tuple(key for key in chosen if key not in materials.lines)
    status = validate(data, materials.file, figure_ids, english).review_status
    return data, ApproveResult(approved, untranslated, status)


# ---- the review page


class ReviewRow(msgspec.Struct, frozen=True):
    key: str
    english: str
    translation: str | None  # None: not translated, printed in English
    where: str  # the slots and templates that print it, and the tightest line it gets
    room: str  # how long it may be, and how long the translation is
    state: str  # "reviewed", "changed" or "unreviewed"
    state_text: str
    stale: bool  # translated from an older English


def review_rows(english: Materials, materials: Materials, templates: list[Template]) -> list[ReviewRow]:
    """One row per English string, in the file's order."""
    rows = []
    for key, source in english.strings.items():
        translation = materials.strings[key] if key in materials.lines else None
        state, text = _state(key, english, materials)
        where = where_printed(key, templates)
        printed = where.startswith("printed")
        room = character_budget(source) if printed else ""
        if translation is not None and printed:
            room += f" This translation: {len(translation)}"
            over = len(translation) > round(len(source) * ROOM)
            room += " (over the guide: `awareprint check` says whether it fits)." if over else "."
        rows.append(ReviewRow(key, source, translation, where, room, state, text, key in materials.stale))
    return rows


def _state(key: str, english: Materials, materials: Materials) -> tuple[str, str]:
    review = materials.reviews.get(key)
    if review is None:
        return "unreviewed", "not reviewed"
    by = f"{review.reviewer} on {review.date.isoformat()}"
    if key in materials.reviewed:
        return "reviewed", f"reviewed by {by}"
    changed = []
    if review.english != fingerprint(english.strings[key]):
        changed.append("the English")
    if key not in materials.lines or review.translation != fingerprint(materials.strings[key]):
        changed.append("the translation")
    return "changed", f"{' and '.join(changed)} changed since the review by {by}"


def review_page(english: Materials, materials: Materials, templates: list[Template], today: dt.date) -> str:
    """The bilingual review page for one language, as one HTML document."""
    language = materials.language
    rows = review_rows(english, materials, templates)
    status = materials.review_status
    counts = {state: sum(1 for row in rows if row.state == state) for state in ("reviewed", "changed")}
    counts["unreviewed"] = len(rows) - counts["reviewed"] - counts["changed"]
    missing = sum(1 for row in rows if row.translation is None)
    stale = sum(1 for row in rows if row.stale)
    code, direction = language.code, language.direction
    title = f"{language.name} translation: review page"
    summary = [
        f"<p class=status>Status: <strong>{_e(status.label)}</strong></p>",
        "<ul class=counts>",
        f"<li>{len(rows)} strings</li>",
        f"<li>{counts['reviewed']} reviewed</li>",
        f"<li>{counts['changed']} changed since their review</li>",
        f"<li>{counts['unreviewed']} not reviewed</li>",
    ]
    if missing:
        summary.append(f"<li>{missing} not translated (printed in English)</li>")
    if stale:
        summary.append(f"<li>{stale} translated from an older English text</li>")
    summary.append("</ul>")
    digits = ""
    if language.numbers != "latn":
        digits = (
            f" Numbers are written here in 0-9; the posters print them in the language's own digits"
            f" ({_e(language.numbers)})."
        )
    body = "\n".join(_row(row, code, direction) for row in rows)
    return f"""<!DOCTYPE html>
<html lang="en" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)}</title>
<style>{_CSS}</style>
</head>
<body>
<header>
<h1>{_e(language.name)} (<span lang="{_e(code)}" dir="{direction}">{_e(language.native_name)}</span>):
review of the translation</h1>
<p class=made>Made by awareprint on {today.isoformat()} from {_e(materials.file.name)}.</p>
{"".join(summary)}
<h2>How to review</h2>
<ol>
<li>Read each translation beside its English. Does it say the same thing, calmly and plainly, as a
reader of this language would write it?</li>
<li>Parts in braces, such as <code>{{name}}</code>, are filled in by the tool: keep them as they are.
Numbers must stay the same as in the English.{digits} The figures and the contacts are checked by the
tool either way.</li>
<li>Mark what needs changing and send it back, with the key, to whoever sent you this page.</li>
<li>For the strings you approve, they run
<code>awareprint strings approve --lang {_e(code)} --reviewer "Your name" [KEY ...]</code>
(no keys: every string).</li>
</ol>
</header>
<main>
<table>
<caption>Every string of the {_e(language.name)} translation, in the order of the file</caption>
<thead><tr><th scope=col>Key and where it is printed</th><th scope=col>English</th>
<th scope=col>{_e(language.name)}</th><th scope=col>Review</th></tr></thead>
<tbody>
{body}
</tbody>
</table>
</main>
</body>
</html>
"""


def _row(row: ReviewRow, code: str, direction: str) -> str:
    if row.translation is None:
        translation = '<td class=missing lang="en" dir="ltr">Not translated: printed in English</td>'
    else:
        translation = (
            f'<td class=translation lang="{_e(code)}" dir="{direction}">{_text(row.translation)}</td>'
        )
    stale = "<br><span class=stale>Translated from an older English text</span>" if row.stale else ""
    return (
        f'<tr id="{_e(row.key)}" class="{row.state}">'
        f"<th scope=row><code>{_e(row.key)}</code><p class=where>{_e(_capital(row.where))}.</p>"
        f"{f'<p class=room>{_e(row.room)}</p>' if row.room else ''}</th>"
        f'<td class=english lang="en" dir="ltr">{_text(row.english)}</td>'
        f"{translation}"
        f"<td class=state>{_e(row.state_text)}{stale}</td></tr>"
    )


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _text(text: str) -> str:
    """Escaped, with {placeholders} marked so the reviewer sees what to keep."""
    return "".join(
        f'<span class=ph dir="ltr">{_e(part)}</span>' if _PLACEHOLDER.fullmatch(part) else _e(part)
        for part in _PLACEHOLDER.split(text)
    )


def _e(text: str) -> str:
    return html.escape(text, quote=True)


_CSS = """
:root{color:#1a1a1a;background:#fff;font-family:"Noto Sans",system-ui,sans-serif;line-height:1.45}
body{margin:1.5rem auto;max-width:80rem;padding:0 1rem}
h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.1rem;margin:1rem 0 .25rem}
.made{color:#555;margin:0}.status{font-size:1.15rem;margin:.75rem 0 .25rem}
.counts{display:flex;flex-wrap:wrap;gap:.25rem 1.5rem;padding:0;margin:0;list-style:none}
table{border-collapse:collapse;width:100%;margin-top:1rem}
caption{text-align:start;font-weight:bold;padding:.25rem 0}
th,td{border:1px solid #999;padding:.4rem .5rem;vertical-align:top;text-align:start}
thead th{background:#e8ecf2}
tbody th{font-weight:normal;width:22%}tbody th code{font-weight:bold;word-break:break-all}
.where,.room{font-size:.8rem;color:#444;margin:.25rem 0 0}
.english,.translation,.missing{width:30%;font-size:1.05rem}
.translation[dir=rtl]{text-align:right}
.missing{color:#555;font-style:italic}
.ph{font-family:monospace;background:#eef;border-radius:2px;padding:0 .1em}
.state{width:18%;font-size:.9rem}
tr.reviewed .state{background:#e3f4e6}
tr.changed .state{background:#fdecd2}
tr.unreviewed .state{background:#f3f3f3}
.stale{font-weight:bold;color:#8a4b00}
code{font-size:.9em}
@page{size:A4 landscape;margin:12mm}
@media print{
 :root{font-size:10pt}body{margin:0;max-width:none;padding:0}
 thead{display:table-header-group}tr{break-inside:avoid}
 th,td{border-color:#666}
}
"""
