"""The web page through Starlette's TestClient: the form, previews, downloads and the rules for hosting it."""

from __future__ import annotations

import base64
import io
import re
import struct
import zipfile
import zlib
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from starlette.testclient import TestClient

from awareprint.api import AwareprintError, FileRequest, MadeFile, make_file
from awareprint.web.app import create_app
from awareprint.web.config import BasicAuth, HostConfig, Limits, load_host_config
from awareprint.web.security import CSRF_COOKIE, CSRF_FIELD

PROJECT = Path(__file__).resolve().parent.parent
LOGO = (PROJECT / "examples" / "logos" / "school-01.png").read_bytes()
FORM = {"template": "poster-a3", "languages": "en", "region": "gb", "audience": "parents", "edition": "print"}


def connect(config: HostConfig) -> TestClient:
    return TestClient(create_app(config), base_url="http://127.0.0.1")


@pytest.fixture(scope="module")
def client():  # type: ignore[no-untyped-def]
    with connect(HostConfig(limits=Limits(workers=1, seconds=120, upload_bytes=2 * 1024 * 1024))) as client:
        yield client


def token(client: TestClient) -> str:
    page = client.get("/")
    return re.search(rf'name="{CSRF_FIELD}" value="([0-9a-f]+)"', page.text).group(1)


def post(client: TestClient, fields: dict[str, object], logo: bytes | None = None, **kwargs):  # type: ignore[no-untyped-def]
    data = {CSRF_FIELD: token(client), "action": "preview", **fields}
    files = {"logo": ("logo.png", logo, "image/png")} if logo is not None else None
    return client.post("/", data=data, files=files, **kwargs)


def pdf_text(pdf: bytes) -> str:
    """The PDF's text, with the no-break spaces the layout puts inside names read as spaces."""
    pages = pdfium.PdfDocument(pdf)
    return "".join(page.get_textpage().get_text_range() for page in pages).replace("\xa0", " ")


def problem_at(html: str, field: str) -> str:
    """The text shown next to `field`, which must be tied to it by aria-describedby."""
    control = re.search(rf'id="{field}"[^>]*aria-describedby="([^"]+)"[^>]*aria-invalid="true"', html)
    assert control and f"{field}-problem" in control.group(1).split(), f"{field} is not marked invalid"
    block = re.search(rf'<div class="problem" id="{field}-problem">(.*?)</div>', html, re.S)
    return re.sub(r"<[^>]+>", " ", block.group(1))


def test_the_form_labels_every_control_and_sends_the_security_headers(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    for control in re.findall(r'<(?:input|select|textarea)[^>]*id="([^"]+)"', page.text):
        assert f'for="{control}"' in page.text, control
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "samesite=strict" in page.headers["set-cookie"].lower()
    assert 'value="screen"' in page.text and 'value="ar"' in page.text  # from the pipeline's own tables


def test_a_preview_shows_every_page_and_the_download_carries_the_organisation(client: TestClient) -> None:
    fields = {
        **FORM,
        "template": "leaflet-a5-bifold",
        "name": "Riverside Primary",
        "contact": "020 7946 0000",
    }
    page = post(client, fields, LOGO)
    assert page.status_code == 200, page.text
    previews = re.findall(r'<img src="data:image/png;base64,([^"]+)" alt="Page (\d) of 2', page.text)
    assert [number for _, number in previews] == ["1", "2"]
    assert base64.b64decode(previews[0][0]).startswith(b"\x89PNG")
    download = post(client, {**fields, "action": "download"}, LOGO)
    assert download.headers["content-type"] == "application/pdf"
    assert 'filename="leaflet-a5-bifold-en-gb-parents.pdf"' in download.headers["content-disposition"]
    text = pdf_text(download.content)
    assert "Riverside Primary" in text and "020 7946 0000" in text


def test_several_languages_download_as_one_zip(client: TestClient) -> None:
    response = client.post(
        "/",
        data={CSRF_FIELD: token(client), **FORM, "languages": ["en", "pl"], "action": "download"},
    )
    assert response.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.namelist() == ["poster-a3-en-gb-parents.pdf", "poster-a3-pl-gb-parents.pdf"]
    assert "Źródło" in pdf_text(archive.read("poster-a3-pl-gb-parents.pdf"))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("region", "../../etc/passwd"),
        ("region", "/etc/passwd"),
        ("template", "../templates/poster-a3"),
        ("languages", "en/../../x"),
        ("edition", "print\x00"),
        ("audience", "everyone"),
    ],
)
def test_a_path_or_unknown_name_is_refused_at_its_field(client: TestClient, field: str, value: str) -> None:
    response = post(client, {**FORM, field: value})
    assert response.status_code == 422
    assert "Choose one of the offered values" in problem_at(response.text, field)


def test_hostile_field_values_are_escaped_or_refused_next_to_their_field(client: TestClient) -> None:
    script = '<script>alert("x")</script>'
    response = post(client, {**FORM, "name": script, "safeguarding_lead": "Ms\x07 Khan"})
    assert response.status_code == 422
    assert "<script>alert" not in response.text and "&lt;script&gt;" in response.text
    assert "U+0007" in problem_at(response.text, "safeguarding_lead")
    opened = post(client, {**FORM, "name": "School \u202eloohcS"})
    assert "U+202E" in problem_at(opened.text, "name")
    colour = post(client, {**FORM, "name": "School", "colour": "100 60 0"})
    assert "four numbers" in problem_at(colour.text, "colour")
    lines = post(client, {**FORM, "name": "School", "contact": "1\n2\n3\n4\n5"})
    assert "At most 4" in problem_at(lines.text, "contact")


def test_a_script_name_prints_as_text(client: TestClient) -> None:
    response = post(client, {**FORM, "name": "<b>Riverside</b> & Co", "action": "download"})
    assert "<b>Riverside</b> & Co" in pdf_text(response.content)


def _png_header(width: int, height: int) -> bytes:
    """A PNG that claims a size in its header (a decompression bomb is just that, with little data)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


def test_an_oversized_logo_a_pixel_bomb_and_a_non_image_are_refused_at_the_logo(client: TestClient) -> None:
    big = post(client, {**FORM, "name": "School"}, b"\x89PNG" + b"0" * (3 * 1024 * 1024))
    assert big.status_code == 413
    assert "larger than 2 MB" in problem_at(big.text, "logo")
    large = post(client, {**FORM, "name": "School"}, _png_header(6_000, 6_000))
    assert large.status_code == 422
    assert "36 million pixels; at most 25 million" in problem_at(large.text, "logo")
    bomb = post(client, {**FORM, "name": "School"}, _png_header(30_000, 30_000))
    assert "far more pixels" in problem_at(bomb.text, "logo")
    fake = post(client, {**FORM, "name": "School"}, b"%PDF-1.7 not a logo")
    assert "not an image" in problem_at(fake.text, "logo")


def test_a_logo_too_small_to_print_is_reported_at_the_logo(client: TestClient) -> None:
    from PIL import Image

    tiny = io.BytesIO()
    Image.new("RGB", (40, 20), "navy").save(tiny, "PNG")
    response = post(client, {**FORM, "name": "School"}, tiny.getvalue())
    assert response.status_code == 422
    assert "too blurred to print" in problem_at(response.text, "logo")


def test_a_post_without_the_csrf_token_or_with_another_one_is_refused(client: TestClient) -> None:
    token(client)
    missing = client.post("/", data={**FORM, "action": "download"})
    assert missing.status_code == 403 and "form has expired" in missing.text
    forged = client.post("/", data={**FORM, CSRF_FIELD: "0" * 64, "action": "download"})
    assert forged.status_code == 403
    client.cookies.delete(CSRF_COOKIE)
    no_cookie = client.post("/", data={**FORM, CSRF_FIELD: "0" * 64})
    assert no_cookie.status_code == 403


def test_the_brand_lock_keeps_the_hosts_fields_whatever_is_posted(tmp_path: Path) -> None:
    config = tmp_path / "serve.yaml"
    config.write_text(
        "serve:\n  default_region: ie\n  organisation:\n    name: Northshire Schools Trust\n"
        "  members_may_change: [safeguarding_lead]\n",
        encoding="utf-8",
    )
    with connect(load_host_config(config)) as locked:
        page = locked.get("/")
        assert 'id="name"' not in page.text and "Northshire Schools Trust" in page.text
        assert '<option value="ie" selected>' in page.text
        fields = {**FORM, "name": "Someone Else", "safeguarding_lead": "Mr B. Okoro", "action": "download"}
        text = pdf_text(post(locked, fields).content)
    assert "Northshire Schools Trust" in text and "Mr B. Okoro" in text and "Someone Else" not in text


def test_a_host_config_with_an_unknown_key_is_refused_with_a_suggestion(tmp_path: Path) -> None:
    config = tmp_path / "serve.yaml"
    config.write_text("serve:\n  default_regoin: ie\n", encoding="utf-8")
    with pytest.raises(AwareprintError, match="did you mean 'default_region'"):
        load_host_config(config)


def test_basic_auth_guards_every_page_when_configured() -> None:
    config = HostConfig(basic_auth=BasicAuth("members", "s3cret"), limits=Limits(workers=1))
    with connect(config) as guarded:
        assert guarded.get("/").status_code == 401
        assert guarded.get("/static/style.css").status_code == 401
        assert guarded.get("/", auth=("members", "wrong")).status_code == 401
        assert guarded.get("/", auth=("members", "s3cret")).status_code == 200


def test_a_repr_shows_no_secret_and_no_file_bytes() -> None:
    """A config or a file in a log line or a traceback: the password and the CSRF key stay out, and so do
    megabytes of logo and PDF (the other fields are shown, so the repr still says what it is)."""
    config = HostConfig(basic_auth=BasicAuth("members", "s3cret"), logo=LOGO, secret=b"key-" * 8)
    shown = repr(config)
    assert "s3cret" not in shown and "key-" not in shown and "PNG" not in shown
    assert "BasicAuth(user='members')" in shown and "default_region='gb'" in shown
    request = FileRequest(language="pl", logo=LOGO)
    assert "PNG" not in repr(request) and "language='pl'" in repr(request)
    made = MadeFile(b"%PDF-1.6 " * 1000, 1, (), beside=((".txt", b"alt text"),))
    assert repr(made) == "MadeFile(pages=1, diagnostics=())"


def test_a_request_over_its_time_limit_gets_an_answer_and_the_worker_is_replaced() -> None:
    with connect(HostConfig(limits=Limits(workers=1, seconds=0.05))) as slow:
        response = post(slow, {**FORM, "template": "leaflet-a4-trifold", "languages": "ar"})
        assert response.status_code == 503 and "took too long" in response.text


def test_the_api_example_in_the_docs_runs(monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(PROJECT)
    example = re.findall(r"```python\n(.*?)```", (PROJECT / "docs" / "api.md").read_text(), re.S)[-1]
    exec(compile(example, "docs/api.md", "exec"), {})
    printed = capsys.readouterr().out
    assert "2 pages" in printed and "refused: colour" in printed


def test_the_api_names_an_uploaded_logo_and_never_reads_a_path_from_a_mapping(tmp_path: Path) -> None:
    with pytest.raises(AwareprintError) as refused:
        make_file(FileRequest(organisation={"name": "School", "logo": "/etc/hostname"}))
    assert "points outside" in refused.value.diagnostic.message
    with pytest.raises(AwareprintError) as unreadable:
        make_file(FileRequest(logo=b"GIF89a broken"))
    assert unreadable.value.diagnostic.file == Path("logo")


def test_a_small_load_on_loopback_has_no_errors_and_memory_stays_put() -> None:
    """The small version of benchmarks/serve_load.py: a real server, concurrent previews, no errors."""
    import sys

    sys.path.insert(0, str(PROJECT / "benchmarks"))
    from concurrent.futures import ThreadPoolExecutor

    from serve_load import measure

    with ThreadPoolExecutor(1) as thread:  # its own event loop: Playwright's may be running in this one
        figures = thread.submit(measure, concurrent=4, total=8, workers=2).result()
    assert figures.errors == 0 and len(figures.burst_seconds) == 4
    assert max(figures.memory_mb) < 1.5 * figures.memory_mb[0]


@pytest.mark.parametrize(
    ("edition", "template", "files"),
    [
        ("screen", "poster-a3", ["poster-a3-en-gb-parents-screen.pdf"]),
        ("office", "poster-a3", ["poster-a3-en-gb-parents-office.pdf"]),
        ("html", "poster-a3", ["poster-a3-en-gb-parents.html"]),
        (
            "social",
            "social-square",
            [
                "social-square-en-gb-parents.png",
                "social-square-en-gb-parents.jpg",
                "social-square-en-gb-parents.txt",
            ],
        ),
    ],
)
def test_every_edition_downloads_with_the_logo_described(
    client: TestClient, edition: str, template: str, files: list[str]
) -> None:
    """Each edition the pipeline offers comes out of the page, with its own files; the screen and web
    page editions read the logo's description aloud, so the form asks for it and passes it on."""
    fields = {**FORM, "edition": edition, "template": template, "name": "Riverside Primary"}
    described = {**fields, "logo_alt": "Riverside Primary crest", "action": "download"}
    download = post(client, described, LOGO)
    assert download.status_code == 200, download.text
    if len(files) == 1:
        assert f'filename="{files[0]}"' in download.headers["content-disposition"]
        body = download.content
    else:
        archive = zipfile.ZipFile(io.BytesIO(download.content))
        assert archive.namelist() == files
        body = archive.read(files[0])
    if edition == "html":
        assert 'alt="Riverside Primary crest"' in body.decode("utf-8")
    elif edition == "social":
        assert body.startswith(b"\x89PNG")
    else:
        assert body.startswith(b"%PDF")
    if edition in ("screen", "html"):  # without the description: said at the field, nothing made
        page = post(client, {**fields, "action": "download"}, LOGO)
        assert "logo" in problem_at(page.text, "logo_alt").lower()
