"""Issue 20: every shipped template passes its own `templates check`, extraction included, and the
columns it sets side by side read back apart in pdfium."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest

from awareprint.resources import DATA
from awareprint.tools.extraction import comparable

SHIPPED = sorted(p for p in (DATA / "templates").glob("*.yaml") if not p.name.startswith("_"))


@pytest.mark.slow
@pytest.mark.parametrize("template", SHIPPED, ids=lambda path: path.stem)
def test_a_shipped_template_passes_its_own_check(cli, template: Path) -> None:  # type: ignore[no-untyped-def]
    done = cli("templates", "check", str(template))
    assert done.code == 0, done.err


def test_a_contact_beside_the_qr_caption_reads_back_apart(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """On the Persian A4 poster the last contact's lines and the QR caption beside them sit on close
    baselines; pdfium read them as one line each ("childline.org.uk (Report" / "Internet Watch Remove)")."""
    out = tmp_path / "fa.pdf"
    done = cli(
        "poster", "--lang", "fa", "--region", "gb", "--audience", "professionals",
        "--template", "poster-a4", "--output", str(out),
    )  # fmt: skip
    assert done.code == 0, done.err
    document = pdfium.PdfDocument(out)
    text = comparable(document[0].get_textpage().get_text_range())
    document.close()
    assert comparable("childline.org.uk (Report Remove)") in text
    assert comparable("برای گزارش به Internet Watch Foundation اسکن کنید") in text
