"""The stream order that makes pdfium read a line's logical text back (awareprint/render/reading.py)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from awareprint.render.reading import MIRROR, extractor_order
from tests.pdfium_model import extracted

# Hebrew and Arabic letters, Latin letters, digits, spaces, punctuation, brackets, marks, LRM
ALPHABET = "אבג دهو abc 12 %.,:()ًّ\u200e"


def written(text: str, document_rtl: bool) -> str:
    order = extractor_order(text, document_rtl)
    return "".join(MIRROR.get(text[w.index], text[w.index]) if w.mirrored else text[w.index] for w in order)


@given(st.text(alphabet=ALPHABET, max_size=24).filter(lambda t: "  " not in t), st.booleans())
def test_pdfium_reads_back_the_logical_text(text: str, document_rtl: bool) -> None:
    assert extracted(written(text, document_rtl), document_rtl) == text


def test_left_to_right_words_keep_their_order_in_a_right_to_left_line() -> None:
    line = "מחקר של Internet Watch Foundation משנת 2018"
    order = written(line, document_rtl=True)
    assert "Foundation Watch Internet" in order  # written last word first: pdfium reverses the words
    assert extracted(order, document_rtl=True) == line


def test_marks_stay_on_their_letters() -> None:
    word = "يعرّض"
    assert written(word, document_rtl=True) == "ضّرعي"
    assert extracted("ضّرعي", document_rtl=True) == word


def test_left_to_right_text_is_written_as_it_reads() -> None:
    assert written("Live streaming (2018), 96%", document_rtl=False) == "Live streaming (2018), 96%"
