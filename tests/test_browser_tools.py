"""The browser for the HTML edition and the web app: Debian's Chromium, where axe-core finds real faults."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_axe_reports_an_unlabelled_input_and_passes_a_labelled_one(browser, axe) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    page.set_content('<!doctype html><html lang="en"><title>t</title><body><input type="file"></body></html>')
    found = {violation["id"] for violation in axe(page)}
    assert {"label", "landmark-one-main"} <= found
    page.set_content(
        '<!doctype html><html lang="en"><head><title>Form</title></head><body><main><h1>Logo</h1>'
        '<label for="logo">Logo</label><input id="logo" type="file"></main></body></html>'
    )
    assert axe(page) == []
    page.close()
