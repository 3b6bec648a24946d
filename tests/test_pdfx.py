"""The PDF/X-4 finisher: a whole CMYK output profile is required; the rest is checked on real posters."""

from __future__ import annotations

import struct
from pathlib import Path

import pikepdf
import pytest

from awareprint.diagnostics import AwareprintError, Severity
from awareprint.pipeline import PosterRequest, make_poster
from awareprint.preflight import preflight_pdf
from awareprint.render.icc import profile_problem
from awareprint.render.pdfx import DEFAULT_PROFILE, STANDARDS, OutputProfile, finishing
from awareprint.resources import DATA

PROJECT = Path(__file__).resolve().parent.parent


def test_the_shipped_profile_is_cmyk() -> None:
    assert DEFAULT_PROFILE.data()[16:20] == b"CMYK"
    assert DEFAULT_PROFILE.identifier == "FOGRA39"


def test_an_output_profile_must_be_cmyk(tmp_path: Path) -> None:
    rgb = tmp_path / "srgb.icc"
    rgb.write_bytes(b"\0" * 16 + b"RGB " + b"\0" * 200)
    with pytest.raises(AwareprintError, match="not a CMYK ICC profile"):
        OutputProfile(rgb, "X", "x").data()


def test_a_missing_profile_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(AwareprintError, match="output profile not found"):
        OutputProfile(tmp_path / "absent.icc", "X", "x").data()


FOGRA39 = DATA / "profiles" / "FOGRA39L-coated.icc"


def first_third(folder: Path) -> Path:
    """The first third of FOGRA39: its header still says CMYK output profile, its tags run past its end."""
    data = FOGRA39.read_bytes()
    cut = folder / "fogra39-cut.icc"
    cut.write_bytes(data[: len(data) // 3])
    return cut


def test_a_truncated_profile_is_refused_before_anything_is_written(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    output = tmp_path / "card.pdf"
    done = cli(
        "poster", "--template", "card-a6", "--profile", str(first_third(tmp_path)), "--output", str(output)
    )
    assert done.code == 1
    (line,) = done.err.splitlines()
    assert "fogra39-cut.icc" in line and "declares 246,968 bytes and has 82,322" in line
    assert not output.exists()


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda d: d[: len(d) // 3], "declares 246,968 bytes and has 82,322"),
        (lambda d: struct.pack(">I", len(d) // 3) + d[4 : len(d) // 3], "a tag runs past its end"),
        (lambda d: d[:12] + b"mntr" + d[16:], "not an output (printer) profile"),
        (lambda d: d[:16] + b"RGB " + d[20:], "not a CMYK one"),
        (lambda d: b"\0" * 200, "not an ICC profile"),
    ],
)
def test_a_profile_is_checked_whole(change, problem: str) -> None:  # type: ignore[no-untyped-def]
    assert profile_problem(FOGRA39.read_bytes()) is None
    found = profile_problem(change(FOGRA39.read_bytes()))
    assert found is not None and problem in found


def test_preflight_checks_the_embedded_profile_the_same_way(a3_poster: Path, tmp_path: Path) -> None:
    assert preflight_pdf(a3_poster).count(Severity.ERROR) == 0
    cut = tmp_path / "cut-intent.pdf"
    with pikepdf.open(a3_poster) as pdf:
        (intent,) = pdf.Root.OutputIntents
        data = intent.DestOutputProfile.read_bytes()
        intent.DestOutputProfile.write(data[: len(data) // 3])
        pdf.save(cut)
    report = preflight_pdf(cut)
    assert report.count(Severity.ERROR) == 1
    (message,) = [d.message for d in report.diagnostics if d.code == "preflight-outputintent"]
    assert "the OutputIntent's profile" in message and "declares 246,968 bytes" in message


def test_the_xmp_packet_is_xml_that_mirrors_the_info_text() -> None:
    """Markup characters in the text stay text; every PDF/X property is where a print shop's preflight
    reads it."""
    info = {
        "Title": "Safe & sound <online>",
        "Author": "A > B",
        "Subject": "عن السلامة",
        "Keywords": "a, b",
        "Creator": "awareprint",
        "Producer": "awareprint (reportlab)",
    }
    packet = finishing(standard=STANDARDS["x1a"]).xmp(info, "2026-12-01T00:00:00+00:00")
    with pikepdf.new() as pdf:
        pdf.Root.Metadata = pdf.make_stream(packet)
        meta = pdf.open_metadata()
        assert meta["dc:title"] == "Safe & sound <online>"
        assert meta["dc:creator"] == ["A > B"]
        assert meta["dc:description"] == "عن السلامة"
        assert meta["xmp:CreateDate"] == "2026-12-01T00:00:00+00:00"
        assert meta["pdfx:GTS_PDFXVersion"] == "PDF/X-1:2003"
        assert meta["pdfx:GTS_PDFXConformance"] == "PDF/X-1a:2003"
        assert meta["pdf:Trapped"] == "False"


def test_the_file_identity_is_a_digest_of_its_content(a3_poster: Path, tmp_path: Path) -> None:
    """/ID and the XMP DocumentID are filled in from the finished bytes: another poster has other ones."""
    other = tmp_path / "de.pdf"
    make_poster(PosterRequest("de", "gb", "parents", "poster-a3", other))
    identities = []
    for path in (a3_poster, other):
        with pikepdf.open(path) as pdf:
            first, second = (bytes(part) for part in pdf.trailer.ID)
            assert first == second and len(first) == 16 and first != bytes(16)
            document_id = pdf.open_metadata()["xmpMM:DocumentID"]
            assert document_id.startswith("uuid:") and document_id[5:13] == first.hex()[:8]
            identities.append((first, document_id))
    assert identities[0] != identities[1]
