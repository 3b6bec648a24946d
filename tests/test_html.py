"""The HTML edition: one self-contained, semantic page per material and language that axe-core passes."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from awareprint.load.content import build_content, load_region, load_source
from awareprint.load.materials import load_language
from awareprint.pipeline import PosterRequest, make_poster
from awareprint.resources import DATA

PROJECT = Path(__file__).resolve().parent.parent
LOGO = PROJECT / "examples" / "logos" / "school-01.png"


def org_file(folder: Path) -> Path:
    path = folder / "org.yaml"
    path.write_text(
        "organisation:\n"
        "  name: Riverside Primary School\n"
        "  safeguarding_lead: Ms A. Khan\n"
        "  contact: [020 7946 0000, safeguarding@riverside.example.org]\n"
        f"  logo: {LOGO}\n"
        "  logo_alt: Riverside Primary School crest\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="session")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Pages made once: English and Arabic posters (with an organisation), Hindi, and a leaflet."""
    folder = tmp_path_factory.mktemp("html")
    org = org_file(folder)
    wanted = {
        "en": ("en", "gb", "parents", "poster-a3", org),
        "ar": ("ar", "int", "parents", "poster-a3", org),
        "hi": ("hi", "in", "professionals", "poster-a4", None),
        "leaflet": ("en", "gb", "professionals", "leaflet-a4-trifold", None),
        "card-zh": ("zh-Hans", "int", "parents", "card-a6", None),
    }
    made = {}
    for key, (language, region, audience, template, organisation) in wanted.items():
        output = folder / f"{key}.html"
        request = PosterRequest(
            language, region, audience, template, output, organisation=organisation, edition="html"
        )
        make_poster(request)
        made[key] = output
    return made


class _Outline(HTMLParser):
    """Tags, attributes and text of a page, enough to assert on its structure."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def outline(path: Path) -> _Outline:
    parser = _Outline()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_the_page_says_what_the_pdf_prints(pages: dict[str, Path]) -> None:
    """Every figure with its qualifier, the source line, every contact's number as a tel: link."""
    source = load_source(DATA / "materials" / "source.yaml")
    for key, language, region, audience in (("en", "en", "gb", "parents"), ("ar", "ar", "int", "parents")):
        materials = load_language(DATA / "materials", language, source.figure_ids)
        content, _ = build_content(
            source, materials, load_region(DATA / "regions" / f"{region}.yaml"), audience, dt.date.today()
        )
        page = outline(pages[key])
        text = " ".join(" ".join(page.text).split())
        for figure in (*content.key_figures, *content.more_figures):
            assert figure.number in text and figure.caption in text
        assert content.source_line in text and content.headline in text
        links = {attrs.get("href") for tag, attrs in page.tags if tag == "a"}
        for contact in content.contacts:
            if contact.phone:
                assert "tel:" + re.sub(r"[^0-9+]", "", contact.phone) in links
            if contact.email:
                assert "mailto:" + contact.email in links
        assert content.qr_url in links  # the QR code, as a link
        assert not any(
            tag == "img" and not attrs.get("src", "").startswith("data:") for tag, attrs in page.tags
        )
    assert "over 2,000" in pages["en"].read_text(encoding="utf-8")


def test_language_direction_and_headings(pages: dict[str, Path]) -> None:
    english, arabic = outline(pages["en"]), outline(pages["ar"])
    assert english.tags[0] == ("html", {"lang": "en", "dir": "ltr"})
    assert arabic.tags[0] == ("html", {"lang": "ar", "dir": "rtl"})
    for page in (english, arabic):
        tags = [tag for tag, _ in page.tags]
        assert tags.count("h1") == 1 and tags.count("h2") >= 3 and "ol" in tags and "main" in tags
    # the organisation's card: name, lead, lines, and its logo embedded with the organisation's alt text
    images = [attrs for tag, attrs in english.tags if tag == "img"]
    assert images == [{"src": images[0]["src"], "alt": "Riverside Primary School crest"}]
    text = " ".join(english.text).replace("\xa0", " ")
    links = {attrs.get("href") for tag, attrs in english.tags if tag == "a"}
    assert {"tel:02079460000", "mailto:safeguarding@riverside.example.org"} <= links
    assert "Designated safeguarding lead: Ms A. Khan" in text and "020 7946 0000" in text
    assert "Contacts checked" in text


def test_a_leaflet_prints_each_section_once(pages: dict[str, Path]) -> None:
    page = pages["leaflet"].read_text(encoding="utf-8")
    assert page.count("Source: Internet Watch Foundation (IWF), 2018") == 1
    headings = re.findall(r"<h2[^>]*>([^<]+)</h2>", page)
    assert len(headings) == len(set(headings)) >= 5


def test_the_page_loads_nothing_else(pages: dict[str, Path]) -> None:
    for path in pages.values():
        page = path.read_text(encoding="utf-8")
        assert "default-src 'none'" in page
        assert not re.search(r"""(src|href)=["'](?!data:|tel:|mailto:|https?://)""", page)
        assert not re.search(r"""src=["']https?:""", page)


@pytest.mark.browser
@pytest.mark.parametrize("key", ["en", "ar", "hi", "leaflet", "card-zh"])
def test_axe_finds_nothing_and_no_request_leaves_the_page(browser, axe, pages, key, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # the page's own Content-Security-Policy would block axe, and hide a request the page tries to make
    page = browser.new_page(viewport={"width": 900, "height": 1200}, bypass_csp=True)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(pages[key].as_uri())
    page.wait_for_load_state("networkidle")
    assert requests == [pages[key].as_uri()]  # the page itself, nothing more
    assert axe(page) == []
    if key in ("en", "ar"):  # for a person to look at (the test leaves them for the report)
        page.screenshot(path=str(tmp_path / f"{key}.png"), full_page=True)
        assert (tmp_path / f"{key}.png").stat().st_size > 10_000
    page.close()


def test_the_cli_names_the_html_file(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("poster", "--edition", "html", "--lang", "pl", "--output", f"{tmp_path}/")
    assert result.code == 0, result.err
    written = tmp_path / "poster-a3-pl-gb-parents.html"
    assert written.is_file() and '<html lang="pl" dir="ltr">' in written.read_text(encoding="utf-8")
    result = cli("poster", "--edition", "paper")
    assert result.code != 0 and "choose print, screen, office, html, social" in result.err
