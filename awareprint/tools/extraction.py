"""Whether copy and search give back what a page says: the laid-out page is rendered and its text read
back with pdfium (the library behind Chrome's viewer), slot by slot.

A template edit can break extraction while the page still looks right (lines squeezed until an extractor
joins or splits them wrongly), so `templates check` reads back what it lays out.
"""

from __future__ import annotations

import unicodedata

import pypdfium2 as pdfium

from awareprint.compose.document import LaidOutDocument
from awareprint.diagnostics import Diagnostic, Severity

# what extractors add or drop by themselves: spaces and line breaks they infer, bidi controls, the soft
# hyphen a line-end hyphen stands for, joiners; and hyphens, which pdfium reports as U+FFFE where it
# takes them for a line-end hyphen ("pang-aabuso" reads "pang\ufffeaabuso")
_IGNORED_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf"})
_HYPHENS = frozenset("-\u2010\u2011\ufffe")


def comparable(text: str) -> str:
    """The text as copy and search compare it: NFC, without spaces and format characters."""
    return "".join(
        c
        for c in unicodedata.normalize("NFC", text)
        if not c.isspace() and c not in _HYPHENS and unicodedata.category(c) not in _IGNORED_CATEGORIES
    )


def extraction_findings(document: LaidOutDocument, pdf: bytes, where: str) -> list[Diagnostic]:
    """For each slot with a paragraph that pdfium does not read back from its page: an error when words
    are lost (search for them finds nothing), a warning when every word is there but the reader joins the
    lines in another order (a neighbouring column read into them: copy gives a muddle, search still works).
    """
    found: list[Diagnostic] = []
    reader = pdfium.PdfDocument(pdf)
    try:
        for number, (page, read) in enumerate(zip(document.pages, reader, strict=True), start=1):
            text = read.get_textpage().get_text_range()
            extracted = comparable(text)
            for slot, paragraphs in page.slots:
                lost = [p for p in paragraphs if comparable(p) not in extracted]
                if not lost:
                    continue
                words_lost = any(comparable(word) not in extracted for p in lost for word in p.split())
                found.append(
                    Diagnostic(
                        Severity.ERROR if words_lost else Severity.WARNING,
                        "text-not-extracted" if words_lost else "text-extracted-out-of-order",
                        f"{where}: slot '{slot}' on page {number}: copy and search do not give back "
                        f"'{_shortened(lost[0])}' "
                        + ("(words are lost)" if words_lost else "(pdfium joins its lines in another order)"),
                        hint="give the slot more room (its lines may be squeezed until they merge) or more "
                        "space from its neighbours, or report it with the template",
                    )
                )
    finally:
        reader.close()
    return found


def _shortened(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
