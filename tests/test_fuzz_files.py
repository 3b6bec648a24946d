"""Fuzzing the inputs test_fuzz.py leaves out: templates (shipped ones mutated, and hostile YAML), XLIFF
imports, batch files, organisation rosters (CSV and YAML) and hostile values of any path or name option.

The invariant is test_fuzz's: exit 0 with a sound PDF (no .notdef glyph drawn), or exit 1 with one `error:`
line and nothing written; never a traceback, and no file changed but the target. `templates check` lists
every error of a file (one line each, each naming it); a batch may make some files and fail others, so
there the rule is: every file written is inside the output folder and sound, and each failure has its line.

A few dozen cases each in the everyday suite; under `pytest -m fuzz` a fifth of the long run's count each,
so that the new tests do not double its length.
"""

from __future__ import annotations

import contextlib
import copy
import csv
import io
import os
import shutil
import string
from pathlib import Path

import pikepdf
import pypdfium2
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_fuzz import assert_the_invariant, snapshot

from awareprint.resources import DATA

PROJECT = Path(__file__).resolve().parent.parent
LONG_RUN = settings.default.max_examples >= 1_000
pytestmark = pytest.mark.fuzz


def cases(everyday: int) -> settings:
    return settings(
        max_examples=settings.default.max_examples // 5 if LONG_RUN else everyday,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """A folder with a copy of the data, so that any change the run makes is seen."""
    for folder in ("materials", "regions", "templates"):
        shutil.copytree(DATA / folder, tmp_path / "data" / folder)
    return tmp_path


def changed_files(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {name for name in set(before) | set(after) if before.get(name) != after.get(name)}


def no_crash(err: str) -> None:
    assert "Traceback" not in err and "internal error" not in err, err


def sound_pdf(path: Path) -> None:
    with pikepdf.open(path) as pdf:
        assert len(pdf.pages) >= 1
    document = pypdfium2.PdfDocument(path)
    try:
        for page in document:
            assert "\ufffd" not in page.get_textpage().get_text_range(), f"a .notdef glyph in {path}"
    finally:
        document.close()


# ---- templates


# values that break numbers, lengths, ranges, colours and types
HOSTILE_VALUES = st.one_of(
    st.sampled_from(
        [
            0,
            -1,
            -3,
            1e300,
            -1e300,
            float("inf"),
            float("nan"),
            10**30,
            0.0001,
            "0.0001pt",
            "1e300pt",
            "-3mm",
            "0mm",
            "99999mm",
            "1e-300mm",
            "3",
            "mm",
            "12pt-6pt",
            "6pt-6pt",
            "0pt-1e300pt",
            "nanpt",
            "105mm x",
            "x 148mm",
            "1-0",
            "0-200",
            "7-3",
            "all",
            "",
            " ",
            "\t",
            "\x1b",
            "\u202e",
            "../x",
            "/dev/zero",
            True,
            None,
            [],
            {},
            [0, 0, 0],
            [0, 0, 0, 101],
            [-1, 0, 0, 0],
            [1e300, 0, 0, 0],
            ["top", "nowhere"],
            {"nmae": 1},
        ]
    ),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
)


def paths_in(tree: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Every place in a parsed YAML tree where a value sits: mapping keys and list indexes."""
    found = [prefix] if prefix else []
    if isinstance(tree, dict):
        for key, value in tree.items():
            found += paths_in(value, (*prefix, key))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            found += paths_in(value, (*prefix, index))
    return found


def set_at(tree: object, path: tuple[object, ...], value: object) -> None:
    for step in path[:-1]:
        tree = tree[step]  # type: ignore[index]
    tree[path[-1]] = value  # type: ignore[index]


SHIPPED_TEMPLATES = sorted(p.name for p in (DATA / "templates").glob("*.yaml"))


@st.composite
def mutated_templates(draw: st.DrawFn) -> tuple[str, str]:
    """A shipped template file with a few values replaced, keys added or nested deep."""
    name = draw(st.sampled_from(SHIPPED_TEMPLATES))
    tree = yaml.safe_load((DATA / "templates" / name).read_text("utf-8"))
    tree = copy.deepcopy(tree)
    for _ in range(draw(st.integers(1, 3))):
        place = draw(st.sampled_from(paths_in(tree)))  # anew: a replaced value takes its children away
        kind = draw(st.sampled_from(["value", "value", "unknown key", "deep"]))
        if kind == "value":
            set_at(tree, place, draw(HOSTILE_VALUES))
        elif kind == "unknown key":
            parent = place[:-1]
            target = tree
            for step in parent:
                target = target[step]
            if isinstance(target, dict):
                target[draw(st.sampled_from(["colr", "size ", "Pages", "extend", "x"]))] = 1
        else:
            deep: object = 1
            for _ in range(draw(st.integers(10, 120))):
                deep = {"a": deep} if draw(st.booleans()) else [deep]
            set_at(tree, place, deep)
    return name, yaml.safe_dump(tree, allow_unicode=True, sort_keys=False)


def anchors_bomb(levels: int) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\ntemplate: {name: card-a6}\n"


HOSTILE_YAML = st.sampled_from(
    [
        anchors_bomb(9),
        "page: &p {trim: 105mm x 148mm}\nother: *p\n",
        "x: " + "[" * 3000 + "]" * 3000,
        "x: " + "{a: " * 500 + "1" + "}" * 500,
        "template: !!python/object/apply:os.system ['true']\n",
        "template: {name: card-a6}\ntemplate: {name: card-dl}\n",
        "\ufefftemplate: {name: card-a6}\n",
        "- 1\n- 2\n",
        "",
        "---\n...\n---\n",
        "template: {name: card-a6}\n<<: {page: {}}\n",
        "template:\n\tname: card-a6\n",
        "extends: card-a6\n",
        "extends: [_leaflet, _leaflet]\n",
    ]
)


def template_refused_or_sound(result, output: Path, before: dict[str, str], work: Path) -> None:  # type: ignore[no-untyped-def]
    """A poster with a broken template: every problem of the template on its own line (as `templates
    check` lists them), each naming a template file; else test_fuzz's invariant."""
    if result.code == 1:
        no_crash(result.err)
        errors = [line for line in result.err.splitlines() if line.startswith("error")]
        assert errors and all("templates" in line or "template" in line for line in errors), result.err
        assert not changed_files(before, snapshot(work))
    else:
        assert_the_invariant(result, output, before, work)


def check_templates_result(result, file: Path, before: dict[str, str], folder: Path) -> None:  # type: ignore[no-untyped-def]
    """`templates check`: exit 0 or 1, every error line names a template file, and nothing changes."""
    no_crash(result.err)
    assert result.code in (0, 1), result.err
    assert not changed_files(before, snapshot(folder))
    errors = [line for line in result.err.splitlines() if line.startswith("error")]
    if result.code == 1:
        assert errors, result.err
    # the file checked, or the template it extends
    assert all(str(file.parent) in line for line in errors), result.err


@cases(30)
@given(template=mutated_templates())
def test_any_mutated_template(cli, work: Path, template: tuple[str, str]) -> None:  # type: ignore[no-untyped-def]
    name, text = template
    file = work / "data" / "templates" / name
    file.write_text(text, "utf-8")
    before = snapshot(work)
    check_templates_result(cli("templates", "check", str(file)), file, before, work)
    if name.startswith("_"):
        name = "card-a6.yaml"  # a base file is used through a template that extends it
    output = work / "out.pdf"
    result = cli("--data", str(work / "data"), "poster", "--template", name[:-5], "--output", str(output))
    template_refused_or_sound(result, output, before, work)


@cases(14)
@given(text=HOSTILE_YAML | st.text(max_size=200))
def test_any_yaml_as_a_template(cli, work: Path, text: str) -> None:  # type: ignore[no-untyped-def]
    file = work / "data" / "templates" / "card-a6.yaml"
    file.write_text(text, "utf-8", errors="replace")
    before = snapshot(work)
    check_templates_result(cli("templates", "check", str(file)), file, before, work)
    output = work / "out.pdf"
    result = cli("--data", str(work / "data"), "poster", "--template", "card-a6", "--output", str(output))
    template_refused_or_sound(result, output, before, work)


# ---- XLIFF imports


@pytest.fixture(scope="module")
def polish_xliff(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The Polish strings as `strings export` writes them: the seed the mutations start from."""
    from awareprint.cli import main

    file = tmp_path_factory.mktemp("xliff") / "pl.xliff"
    with contextlib.suppress(SystemExit):
        main(["strings", "export", "--lang", "pl", "--format", "xliff", "--output", str(file)])
    return file.read_text("utf-8")


XLIFF_EDITS = st.sampled_from(
    [
        ("Bezpieczeństwo", "Bezpiecz\teństwo"),
        ("Bezpieczeństwo", "Bezpiecz&#x1b;eństwo"),
        ("Bezpieczeństwo", "Bezpiecz\x85eństwo"),
        ("Bezpieczeństwo", "\u202eBezpieczeństwo"),
        ("Bezpieczeństwo", "🙂"),
        ("Bezpieczeństwo", "&e;"),
        ("Bezpieczeństwo", "<g id='1'>B</g>"),
        ("Bezpieczeństwo", "{name}"),
        ('id="labels.figures_heading"', 'id="labels.kicker"'),
        ('id="labels.figures_heading"', 'id="labels.nope"'),
        ('id="labels.figures_heading"', ""),
        ('target-language="pl"', 'target-language="de"'),
        ('target-language="pl"', ""),
        ('approved="no"', 'approved="yes"'),
        ('state="translated"', 'state="needs-translation"'),
        ('state="translated"', 'state="final"'),
        ("<source>", "<source>x"),
        ("<target", "<target><target"),
        ("</target>", ""),
        ("document:1.1", "document:2.0"),
        (
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE xliff [<!ENTITY e SYSTEM "file:///etc/hostname">]>',
        ),
        ('<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0" encoding="latin-1"?>'),
        ("<body>", "<body>" + "<group>" * 300),
    ]
)


@cases(30)
@given(
    edits=st.lists(XLIFF_EDITS, max_size=4),
    cut=st.none() | st.floats(0, 1),
    noise=st.text(max_size=20),
    encoding=st.sampled_from(["utf-8", "utf-8", "utf-16", "latin-1"]),
)
def test_any_xliff_import(  # type: ignore[no-untyped-def]
    cli,
    work: Path,
    polish_xliff: str,
    edits: list[tuple[str, str]],
    cut: float | None,
    noise: str,
    encoding: str,
) -> None:
    text = polish_xliff
    for old, new in edits:
        text = text.replace(old, new, 1)
    if cut is not None:
        at = int(len(text) * cut)
        text = text[:at] + noise + text[at:]
    xliff = work / "pl.xliff"
    xliff.write_bytes(text.encode(encoding, errors="replace"))
    target = work / "data" / "materials" / "pl.yaml"
    before = snapshot(work)
    result = cli("--data", str(work / "data"), "strings", "import", str(xliff), "--lang", "pl")
    no_crash(result.err)
    changed = changed_files(before, snapshot(work))
    assert changed <= {str(target.relative_to(work))}, changed
    if result.code != 0:
        assert result.code == 1 and not changed, result.err
        assert len([line for line in result.err.splitlines() if line.startswith("error")]) == 1, result.err
    else:
        # what was imported still loads, and every string is text a font draws
        check = cli("--data", str(work / "data"), "languages")
        no_crash(check.err)
        assert check.code == 0, check.err


# ---- batch files


MATRIX_VALUES = {
    "languages": st.sampled_from(["en", ["en"], ["en", "en"], "pl", "xx", [], 5, [["en"]], None, "EN"]),
    "templates": st.sampled_from(["card-a6", ["card-a6"], "nope", "../card-a6", "", [None]]),
    "audiences": st.sampled_from(["parents", ["parents"], "teachers", {"a": 1}]),
    "regions": st.sampled_from(["gb", ["gb"], "zz", "GB", 1.5]),
    "editions": st.sampled_from(["print", "screen", ["print", "screen"], "paper"]),
}
OTHER_VALUES = {
    "output": st.sampled_from(
        ["out", "out/deeper", ".", "", "..", "../out", "/tmp", "out\x00", "batch.yaml"]
    ),
    "pdfx": st.sampled_from(["x4", "x1a", "x3", 4, ""]),
    "allow_overflow": st.sampled_from([True, False, "yes", 1, None]),
    "organisation": st.sampled_from(["org.yaml", "missing.yaml", "../org.yaml", "/etc/hostname", "fifo"]),
    "logo": st.sampled_from(["logo.png", "org.yaml", "fifo", "loop"]),
    "profile": st.sampled_from(["org.yaml", "nope.icc"]),
    "langauges": st.just("en"),
}
SAFE_MATRIX = {"languages": "en", "templates": "card-a6", "audiences": "parents", "output": "out"}


def batch_folder(work: Path) -> Path:
    """The batch file's folder with an organisation, a logo, a FIFO and a loop of links beside it."""
    folder = work / "job"
    if folder.exists():  # the same folder for every example of a test
        return folder
    folder.mkdir()
    (folder / "org.yaml").write_text("organisation:\n  name: Riverside Primary\n", "utf-8")
    shutil.copy(PROJECT / "examples" / "logos" / "school-01.png", folder / "logo.png")
    os.mkfifo(folder / "fifo")
    (folder / "loop").symlink_to(folder / "loop")
    return folder


def check_batch_result(result, folder: Path, before: dict[str, str], work: Path) -> None:  # type: ignore[no-untyped-def]
    """Exit 0 or 1; what changed is inside the batch's own output folder and every PDF there is sound; a
    failure says why (a refused batch file in one line; each failed row or file in its own)."""
    no_crash(result.err)
    assert result.code in (0, 1), result.err
    changed = changed_files(before, snapshot(work))
    job = str(folder.relative_to(work))
    for name in changed:
        assert name.startswith(job + "/") and not name.endswith((".yaml", ".png")), changed
        if name.endswith(".pdf"):
            sound_pdf(work / name)
    if result.code == 1:  # a refused batch, or rows and files that failed alone: each says why
        assert [line for line in result.err.splitlines() if line.startswith(("error", "failed"))], result.err
    assert not [p for p in folder.rglob("*.part")]


@cases(20)
@given(
    replaced=st.dictionaries(st.sampled_from(sorted(MATRIX_VALUES)), st.just(None), max_size=2),
    extra=st.dictionaries(st.sampled_from(sorted(OTHER_VALUES)), st.just(None), max_size=2),
    data=st.data(),
)
def test_any_batch_file(  # type: ignore[no-untyped-def]
    cli, work: Path, replaced: dict[str, None], extra: dict[str, None], data: st.DataObject
) -> None:
    folder = batch_folder(work)
    settings_: dict[str, object] = dict(SAFE_MATRIX)
    for key in replaced:
        settings_[key] = data.draw(MATRIX_VALUES[key], label=key)
    for key in extra:
        settings_[key] = data.draw(OTHER_VALUES[key], label=key)
    file = folder / "batch.yaml"
    file.write_text(yaml.safe_dump({"batch": settings_}, allow_unicode=True), "utf-8")
    before = snapshot(work)
    result = cli("--data", str(work / "data"), "batch", str(file), "--jobs", "0")
    check_batch_result(result, folder, before, work)


# ---- organisation rosters

ROSTER_COLUMNS = st.sampled_from(
    ["name", "safeguarding_lead", "contact", "logo", "colour", "languages", "regions", "nmae", "", "Name"]
)
CELLS = st.one_of(
    st.sampled_from(
        [
            "Riverside Primary",
            "Oakfield Academy",
            "020 7946 0101|a@b.example",
            "logo.png",
            "fifo",
            "../logo.png",
            "0|90|80|45",
            "0|90|80",
            "0|900|80|45",
            "en|pl",
            "en;pl",
            "xx",
            "gb",
            "zz",
            "\t",
            "Tab\there",
            "Esc\x1bhere",
            "\u202eevil",
            '"quoted"',
            "",
            " ",
            "=cmd|' /C calc'!A0",
            "a" * 400,
        ]
    ),
    st.text(max_size=20),
)


@st.composite
def rosters(draw: st.DrawFn) -> tuple[str, str]:
    """A CSV or YAML file of one to three organisations, with hostile columns and cells."""
    columns = ["name", *draw(st.lists(ROSTER_COLUMNS, max_size=3))]
    rows = draw(
        st.lists(st.lists(CELLS, min_size=len(columns), max_size=len(columns)), min_size=1, max_size=3)
    )
    if draw(st.booleans()):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        writer.writerows(rows)
        return "orgs.csv", buffer.getvalue()
    listed = [dict(zip(columns, row, strict=False)) for row in rows]
    return "orgs.yaml", yaml.safe_dump({"organisations": listed}, allow_unicode=True)


@cases(20)
@given(roster=rosters())
def test_any_organisation_roster(cli, work: Path, roster: tuple[str, str]) -> None:  # type: ignore[no-untyped-def]
    folder = batch_folder(work)
    name, text = roster
    file = folder / name
    file.write_text(text, "utf-8", errors="replace")
    before = snapshot(work)
    result = cli(
        "--data",
        str(work / "data"),
        "batch",
        "--orgs",
        str(file),
        "--lang",
        "en",
        "--template",
        "card-a6",
        "--audience",
        "parents",
        "--output",
        str(folder / "out"),
        "--jobs",
        "0",
    )
    check_batch_result(result, folder, before, work)


# ---- any option given a hostile value


def hostile_paths(work: Path) -> st.SearchStrategy[str]:
    names = st.text(string.ascii_letters + "é學 -_.\u202e", min_size=1, max_size=20)
    return st.one_of(
        st.sampled_from(
            [
                "",
                ".",
                "..",
                "/dev/null",
                "/dev/zero",
                "/dev/full",
                "/proc/self/mem",
                "/proc/self/fd/0",
                str(work / "fifo"),
                str(work / "loop"),
                str(work / "loop") + "/x.pdf",
                str(work / "data"),
                str(work / "data") + "/",
                str(work / ("a" * 250 + ".pdf")),
                str(work / ("a" * 260 + ".pdf")),
                str(work / "deep" / ("d" * 200 + "/")) * 30 + "x.pdf",
                str(work / "x\x00.pdf"),
                str(work / "new" / "folder") + "/",
                str(work / "org.yaml") + "/x.pdf",
            ]
        ),
        names.map(lambda name: str(work / name)),
        st.text(max_size=30).map(lambda name: str(work / "t") + name),
    )


HOSTILE_NAMES = st.one_of(
    st.sampled_from(
        ["", " ", "\x00", "en\x00", "a" * 5000, "../en", "en/../en", "é", "\u202een", "-", "--help"]
    ),
    st.text(max_size=12),
)


@cases(40)
@given(data=st.data())
def test_any_option_value(cli, work: Path, monkeypatch: pytest.MonkeyPatch, data: st.DataObject) -> None:  # type: ignore[no-untyped-def]
    """Paths and names with NUL, very long, unicode, devices, FIFOs, folders, loops; run in the folder so a
    relative name cannot land in the project."""
    monkeypatch.chdir(work)
    for leftover in ("fifo", "loop", "org.yaml"):
        (work / leftover).unlink(missing_ok=True)
    os.mkfifo(work / "fifo")
    (work / "loop").symlink_to(work / "loop")
    (work / "org.yaml").write_text("organisation:\n  name: Riverside Primary\n", "utf-8")
    option = data.draw(st.sampled_from(["--output", "--org", "--logo", "--profile", "--lang", "--region"]))
    value = data.draw(
        hostile_paths(work) if option in ("--output", "--org", "--logo", "--profile") else HOSTILE_NAMES
    )
    args = ["poster", "--template", "card-a6"]
    output = work / "out.pdf"
    if option != "--output":
        args += ["--output", str(output)]
    args += [option, value]
    before = snapshot(work)
    result = cli(*args)
    if option == "--output" and result.code == 0:  # the one new file, whatever its name
        (written,) = changed_files(before, snapshot(work))
        output = work / written
    assert "Usage:" not in result.err or result.code == 2, result.err
    if result.code == 2:  # typer's own refusal of a value it cannot parse: nothing written
        assert not changed_files(before, snapshot(work))
        return
    assert_the_invariant(result, output, before, work)
