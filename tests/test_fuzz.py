"""Fuzzing every user input through the command line: CLI arguments, organisation files, logos and
translation imports. The invariant, for every case: exit 0 with a sound PDF (no .notdef glyph drawn), or
exit 1 with one `error:` line and nothing written; never a traceback, and no file changed but the target.

A few cases each in the everyday suite; `pytest -m fuzz` loads the `fuzz` profile (conftest.py) for the
long run, about 10,000 cases.
"""

from __future__ import annotations

import hashlib
import io
import shutil
from pathlib import Path

import pikepdf
import pypdfium2
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from awareprint.resources import DATA

LONG_RUN = settings.default.max_examples >= 1_000
pytestmark = pytest.mark.fuzz


def cases(everyday: int) -> settings:
    return settings(
        max_examples=settings.default.max_examples if LONG_RUN else everyday,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def assert_the_invariant(result, output: Path, before: dict[str, str], folder: Path) -> None:  # type: ignore[no-untyped-def]
    assert "Traceback" not in result.err and "internal error" not in result.err, result.err
    after = snapshot(folder)
    target = str(output.relative_to(folder))
    changed = {name for name in set(before) | set(after) if before.get(name) != after.get(name)}
    if result.code == 0:
        assert changed <= {target}, f"changed beside the target: {changed - {target}}"
        with pikepdf.open(output) as pdf:
            assert len(pdf.pages) >= 1
        document = pypdfium2.PdfDocument(output)
        try:
            for page in document:
                text = page.get_textpage().get_text_range()
                assert "\ufffd" not in text, "a character printed as .notdef"
        finally:
            document.close()
        output.unlink()
    else:
        assert result.code == 1, result.err
        errors = [line for line in result.err.splitlines() if line.startswith("error")]
        assert len(errors) == 1, result.err
        assert not changed, f"a refused run changed {changed}"


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """A folder with a copy of the data, so that any change the run makes is seen."""
    for folder in ("materials", "regions", "templates"):
        shutil.copytree(DATA / folder, tmp_path / "data" / folder)
    return tmp_path


OPTION_VALUES = {
    "--lang": st.sampled_from(["en", "ar", "ur", "pl", "th", "xx", "EN", "", "en-GB", "../en"]),
    "--region": st.sampled_from(["gb", "us", "int", "zz", "", "GB"]),
    "--audience": st.sampled_from(["parents", "professionals", "teachers", ""]),
    "--template": st.sampled_from(["card-a6", "card-dl", "nope", "", "../templates/card-a6"]),
    "--edition": st.sampled_from(["print", "screen", "paper"]),
    "--pdfx": st.sampled_from(["x4", "x1a", "x3"]),
}


@cases(12)
@given(
    chosen=st.dictionaries(st.sampled_from(sorted(OPTION_VALUES)), st.just(None), max_size=4), data=st.data()
)
def test_any_poster_arguments(cli, work: Path, chosen: dict[str, None], data: st.DataObject) -> None:  # type: ignore[no-untyped-def]
    output = work / "out.pdf"
    args = ["--data", str(work / "data"), "poster", "--template", "card-a6"]
    for option in chosen:
        args += [option, data.draw(OPTION_VALUES[option], label=option)]
    before = snapshot(work)
    result = cli(*args, "--output", str(output))
    assert_the_invariant(result, output, before, work)


ORG_KEYS = st.sampled_from(["name", "safeguarding_lead", "contact", "colour", "lead_label", "logo", "nmae"])
ORG_VALUES = st.one_of(
    st.text(max_size=40),
    st.lists(st.text(max_size=20), max_size=5),
    st.lists(st.integers(-50, 150), max_size=5),
    st.integers(),
    st.none(),
)


@cases(25)
@given(fields=st.dictionaries(ORG_KEYS, ORG_VALUES, max_size=4), name=st.text(min_size=1, max_size=40))
def test_any_organisation_file(cli, work: Path, fields: dict[str, object], name: str) -> None:  # type: ignore[no-untyped-def]
    org = work / "org.yaml"
    org.write_text(yaml.safe_dump({"organisation": {"name": name, **fields}}, allow_unicode=True), "utf-8")
    output = work / "out.pdf"
    before = snapshot(work)
    result = cli("poster", "--template", "card-a6", "--org", str(org), "--output", str(output))
    assert_the_invariant(result, output, before, work)


MODES = st.sampled_from(["1", "L", "LA", "P", "RGB", "RGBA", "CMYK", "I;16"])


@st.composite
def logos(draw: st.DrawFn) -> bytes:
    if draw(st.booleans()):
        return draw(st.binary(max_size=300))
    mode = draw(MODES)
    size = (draw(st.integers(1, 90)), draw(st.integers(1, 90)))
    image = Image.new(mode, size, draw(st.integers(0, 255)))
    buffer = io.BytesIO()
    kind = (
        "JPEG"
        if mode == "CMYK"
        else draw(st.sampled_from(["PNG", "JPEG"]))
        if mode in ("L", "RGB")
        else "PNG"
    )
    image.save(buffer, kind)
    data = buffer.getvalue()
    cut = draw(st.integers(len(data) // 2, len(data)))
    return data[:cut]


@cases(25)
@given(logo=logos())
def test_any_logo(cli, work: Path, logo: bytes) -> None:  # type: ignore[no-untyped-def]
    path = work / "logo.png"
    path.write_bytes(logo)
    output = work / "out.pdf"
    before = snapshot(work)
    result = cli("poster", "--template", "card-a6", "--logo", str(path), "--output", str(output))
    assert_the_invariant(result, output, before, work)


PO_LINES = st.sampled_from(
    [
        'msgid ""',
        'msgstr ""',
        '"Language: pl\\n"',
        '"Content-Type: text/plain; charset=UTF-8\\n"',
        'msgctxt "labels.source"',
        'msgid "Source: {source}"',
        'msgstr "Źródło: {source}"',
        'msgstr "Źródło"',
        'msgid_plural "x"',
        'msgstr[0] "y"',
        "#, fuzzy",
        "#: labels.source",
        '"\\x00"',
        "",
        "msgid",
    ]
)


@cases(25)
@given(lines=st.lists(PO_LINES | st.text(max_size=30), max_size=12))
def test_any_po_import(cli, work: Path, lines: list[str]) -> None:  # type: ignore[no-untyped-def]
    po = work / "pl.po"
    po.write_text("\n".join(lines), "utf-8")
    target = work / "data" / "materials" / "pl.yaml"
    before = snapshot(work)
    result = cli("--data", str(work / "data"), "strings", "import", str(po), "--lang", "pl")
    assert "Traceback" not in result.err and "internal error" not in result.err, result.err
    changed = {n for n in set(before) | set(snapshot(work)) if before.get(n) != snapshot(work).get(n)}
    assert changed <= {str(target.relative_to(work))}, changed
    if result.code != 0:
        assert result.code == 1 and not changed, result.err
