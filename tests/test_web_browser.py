"""The web page in Debian's Chromium: filled in English and in Arabic with a logo, previewed, downloaded;
axe-core on every page it shows (injected past the strict CSP). Screenshots: $AWAREPRINT_SCREENSHOTS."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import uvicorn

from awareprint.web.app import create_app
from awareprint.web.config import HostConfig, Limits

pytestmark = pytest.mark.browser
PROJECT = Path(__file__).resolve().parent.parent
LOGO = PROJECT / "examples" / "logos" / "school-01.png"


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    """The app on a free loopback port, served by uvicorn in a thread, as `awareprint serve` does."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app(HostConfig(limits=Limits(workers=1, seconds=120)))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/"
    server.should_exit = True
    thread.join(30)


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("AWAREPRINT_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def pdf_text(path: Path) -> str:
    return "".join(page.get_textpage().get_text_range() for page in pdfium.PdfDocument(path)).replace(
        "\xa0", " "
    )


@pytest.mark.parametrize(
    ("language", "name", "lead"),
    [("en", "Riverside Primary School", "Ms A. Khan"), ("ar", "مدرسة النهر الابتدائية", "السيدة أ. خان")],
)
def test_fill_preview_and_download_in_a_browser(
    browser, axe, site, shots, tmp_path, language, name, lead
) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(accept_downloads=True, bypass_csp=True, viewport={"width": 1100, "height": 900})
    page.goto(site)
    assert axe(page) == []
    page.get_by_label("Material and size").select_option("leaflet-a5-bifold")
    if language != "en":
        page.locator("#language-en").uncheck()
        page.locator(f"#language-{language}").check()
    page.get_by_label("Name of your school, clinic or charity").fill(name)
    page.get_by_label("Safeguarding lead's name").fill(lead)
    page.get_by_label("Contact lines (one per line, up to 4)").fill(
        "020 7946 0000\nsafeguarding@riverside.example.org"
    )
    page.get_by_label("Logo", exact=True).set_input_files(LOGO)
    started = time.monotonic()
    page.get_by_role("button", name="Show preview").click()
    page.wait_for_selector(".previews img")
    seconds = time.monotonic() - started
    images = page.locator(".previews img")
    assert images.count() == 2
    assert all(images.nth(i).evaluate("img => img.complete && img.naturalWidth > 0") for i in range(2))
    assert page.locator("#name").input_value() == name  # what was typed comes back
    assert axe(page) == []
    page.screenshot(path=shots / f"web-preview-{language}.png", full_page=True)
    assert seconds < 10, f"the preview took {seconds:.1f} s"

    page.get_by_label("Logo", exact=True).set_input_files(LOGO)  # the server never refills a file input
    with page.expect_download() as waiting:
        page.get_by_role("button", name="Download").click()
    download = waiting.value
    assert download.suggested_filename == f"leaflet-a5-bifold-{language}-gb-parents.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    text = pdf_text(saved)
    assert name in text and "020 7946 0000" in text
    # each word of the lead's name (an extractor may set the full stop of "أ." apart in right-to-left text)
    assert all(word.strip(".") in text for word in lead.split())
    page.close()


def test_errors_sit_next_to_their_fields_and_the_page_stays_accessible(browser, axe, site, shots) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(bypass_csp=True, viewport={"width": 1100, "height": 900})
    page.goto(site)
    page.locator("#language-en").uncheck()
    page.get_by_label("Name of your school, clinic or charity").fill("School \u202eloohcS")
    page.get_by_label("Brand colour (CMYK percent)").fill("red")
    page.get_by_role("button", name="Show preview").click()
    page.wait_for_selector(".summary")
    assert axe(page) == []
    for field in ("languages", "colour"):
        described = page.locator(f"#{field}").get_attribute("aria-describedby") or ""
        assert f"{field}-problem" in described.split()
    page.screenshot(path=shots / "web-errors.png", full_page=True)
    page.get_by_role("link", name="Give four numbers").click()
    assert page.evaluate("location.hash") == "#colour"
    page.keyboard.press("Tab")  # the summary's links lead to the field, and Tab moves on from there
    page.close()
