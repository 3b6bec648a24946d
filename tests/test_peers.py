"""The peer benchmark's inputs: the same poster as awareprint's, written safely as HTML and as Typst."""

from __future__ import annotations

import dataclasses
import html
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import msgspec
import pypdfium2
import pytest

from awareprint.compose.document import Paragraph
from awareprint.resources import DATA

PEERS_FILE = Path(__file__).resolve().parent.parent / "benchmarks" / "peers.py"
HOSTILE = 'a <b>&amp; "quoted" \\ #set text(red) *bold* $x$ [link] // not a comment'


@pytest.fixture(scope="module")
def peers() -> ModuleType:
    spec = importlib.util.spec_from_file_location("benchmark_peers", PEERS_FILE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def arabic(peers: ModuleType):  # type: ignore[no-untyped-def]
    return peers.peer_poster("ar")


def frames(peers: ModuleType, poster) -> list:  # type: ignore[no-untyped-def]
    return [box for box in poster.boxes if isinstance(box, peers.SizedFrame)]


def test_every_string_reaches_both_peers_at_awareprints_size(peers: ModuleType, arabic) -> None:  # type: ignore[no-untyped-def]
    page, source = peers.to_html(arabic), peers.to_typst(arabic)
    sized = frames(peers, arabic)
    assert len(sized) > 20
    for box in sized:
        for paragraph in box.frame.paragraphs:
            assert html.escape(paragraph.text) in page
            assert peers.typst_string(paragraph.text) in source
            assert f"{box.size * paragraph.scale:.3f}pt" in page
            assert f"size: {box.size * paragraph.scale:.3f}pt" in source
    qr = next(box for box in arabic.boxes if isinstance(box, peers.Qr))
    assert qr.path in page and qr.path in source
    assert "bleed: 8.504pt" in page and "bleed: 8.504pt" in source  # 3 mm, as awareprint's


def test_fonts_are_the_vendored_ones_script_font_before_the_rest(peers: ModuleType, arabic) -> None:  # type: ignore[no-untyped-def]
    names = [family.name for family in arabic.families]
    assert names[:2] == ["Noto Sans", "Noto Naskh Arabic"]
    page = peers.to_html(arabic)
    for folder in arabic.font_folders:
        assert Path(folder).is_relative_to(DATA / "fonts")
        assert Path(folder).as_uri() in page


def test_start_is_the_right_edge_of_a_right_to_left_frame(peers: ModuleType, arabic) -> None:  # type: ignore[no-untyped-def]
    frame = frames(peers, arabic)[0].frame
    assert peers.physical_align(msgspec.structs.replace(frame, align="start")) == "right"
    assert peers.physical_align(msgspec.structs.replace(frame, align="end")) == "left"
    assert peers.physical_align(msgspec.structs.replace(frame, align="start", direction="ltr")) == "left"
    assert peers.physical_align(msgspec.structs.replace(frame, align="center")) == "center"


def test_typst_strings_escape_quotes_and_backslashes(peers: ModuleType) -> None:
    assert peers.typst_string('say "hi" \\ ok') == '"say \\"hi\\" \\\\ ok"'
    assert peers.typst_string("two\nlines") == '"two\\nlines"'


def hostile_poster(peers: ModuleType, poster):  # type: ignore[no-untyped-def]
    """The poster with its headline replaced by text full of HTML and Typst markup."""
    boxes = [
        dataclasses.replace(box, frame=msgspec.structs.replace(box.frame, paragraphs=(Paragraph(HOSTILE),)))
        if isinstance(box, peers.SizedFrame) and box.frame.name == "headline"
        else box
        for box in poster.boxes
    ]
    return dataclasses.replace(poster, boxes=tuple(boxes))


def test_markup_in_the_text_stays_text(peers: ModuleType) -> None:
    poster = hostile_poster(peers, peers.peer_poster("en"))
    page = peers.to_html(poster)
    assert "a &lt;b&gt;&amp;amp; &quot;quoted&quot;" in page and "<b>" not in page
    assert peers.typst_string(HOSTILE) in peers.to_typst(poster)


def test_typst_prints_the_markup_verbatim(peers: ModuleType, tmp_path: Path) -> None:
    import typst  # in the test extra: this test must run, never skip

    poster = hostile_poster(peers, peers.peer_poster("en"))
    output = tmp_path / "peer.pdf"
    typst.compile(
        peers.to_typst(poster).encode(),
        output=str(output),
        font_paths=poster.font_folders,
        ignore_system_fonts=True,
    )
    document = pypdfium2.PdfDocument(output)
    text = document[0].get_textpage().get_text_range()
    assert "".join(HOSTILE.split()) in "".join(text.split())  # line breaks aside
