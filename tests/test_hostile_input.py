"""Random and adversarial input through the loaders and the CLI: a clear line or a sound PDF, never a crash.

Free text reaches awareprint through organisation files (name, lead, contact lines) and data files. Each
example either makes a PDF that opens, or fails with exactly one `error:` line; never a traceback, an
internal error, or text that overflowed without an error.
"""

from __future__ import annotations

import resource
import string
import subprocess
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pikepdf
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from awareprint.batch import load_batch_file
from awareprint.diagnostics import AwareprintError
from awareprint.load.folders import Folders
from awareprint.load.organisation import load_organisation
from awareprint.load.schema import load_yaml

PROJECT = Path(__file__).resolve().parent.parent

# Scripts the fonts cover, plus what tends to break text engines: bidi controls, combining marks, joiners,
# emoji (refused in an organisation's fields, as control characters are: test_text_input), long words.
PIECES = st.sampled_from(
    [
        "Riverside Primary",
        "مدرسة النور",
        "שלום",
        "विद्यालय",
        "স্কুল",
        "โรงเรียน",
        "学校",
        "Zażółć",
        "Ωμέγα",
        "Школа",
        "020 7946 0000",
        "(+44) 20-7946",
        "a@b.example",
        "\u202e",
        "\u2066",
        "\u200d",
        "\u200c",
        "e\u0301",
        "\u0651",
        "🙂",
        "Donaudampfschifffahrtsgesellschaftskapitän" * 3,
        "\t",
        " ",
        "%",
        "{name}",
        "<b>",
        "'\"",
    ]
)
FREE_TEXT = st.lists(PIECES, min_size=1, max_size=6).map("".join)


def org_yaml(name: str, lead: str | None, contact: list[str]) -> str:
    organisation: dict[str, object] = {"name": name}
    if lead is not None:
        organisation["safeguarding_lead"] = lead
    if contact:
        organisation["contact"] = contact
    return yaml.safe_dump({"organisation": organisation}, allow_unicode=True)


def refusal(load: Callable[[Path], object], path: Path) -> AwareprintError | None:
    """The loader's one-line refusal, or None if it accepted the file; anything else is a bug."""
    try:
        load(path)
    except AwareprintError as error:
        return error
    return None


def assert_one_error_line(err: str) -> None:
    lines = [line for line in err.splitlines() if line.startswith("error")]
    assert len(lines) == 1, err
    assert "Traceback" not in err and "internal error" not in err


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_as_a_data_file_loads_or_is_one_clear_line(tmp_path_factory, text: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("yaml") / "org.yaml"
    path.write_text(text, encoding="utf-8", errors="replace")
    for load in (load_yaml, load_organisation, partial(load_batch_file, folders=Folders())):
        error = refusal(load, path)
        if error is not None:
            line = error.diagnostic.one_line()
            assert "\n" not in line and "org.yaml" in line


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.text(string.printable, max_size=8) | st.none() | st.integers(),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
        max_leaves=12,
    )
)
def test_any_structure_as_an_org_file_is_accepted_or_refused_clearly(tmp_path_factory, value: object) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("org") / "org.yaml"
    path.write_text(yaml.safe_dump({"organisation": value}), encoding="utf-8")
    error = refusal(load_organisation, path)
    if error is not None:
        assert "\n" not in error.diagnostic.one_line()
    else:
        assert load_organisation(path).name.strip()


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=FREE_TEXT, lead=st.none() | FREE_TEXT, contact=st.lists(FREE_TEXT, max_size=5))
def test_free_text_in_an_org_file_makes_a_sound_pdf_or_one_error(
    cli, tmp_path: Path, name: str, lead: str | None, contact: list[str]
) -> None:  # type: ignore[no-untyped-def]
    org = tmp_path / "org.yaml"
    org.write_text(org_yaml(name, lead, contact), encoding="utf-8")
    output = tmp_path / "card.pdf"
    output.unlink(missing_ok=True)
    result = cli("poster", "--template", "card-a6", "--org", str(org), "--output", str(output))
    if result.code == 0:
        with pikepdf.open(output) as pdf:
            assert len(pdf.pages) == 2
        assert "overflow" not in result.err  # overflow is an error unless --allow-overflow
    else:
        assert result.code == 1
        assert_one_error_line(result.err)
        assert not output.exists()
        assert not list(tmp_path.glob(".*.part"))


def test_a_full_disk_is_one_line_and_leaves_nothing(tmp_path: Path) -> None:
    """RLIMIT_FSIZE makes writes fail the way a full disk does (Python ignores SIGXFSZ)."""

    def small_disk() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    folder = tmp_path / "out"
    command = [sys.executable, str(PROJECT / "generate.py"), "poster", "--output", str(folder / "a3.pdf")]
    done = subprocess.run(command, capture_output=True, text=True, preexec_fn=small_disk, check=False)
    assert done.returncode == 1
    assert_one_error_line(done.stderr)
    assert "cannot write the file" in done.stderr and "a3.pdf" in done.stderr
    assert list(folder.iterdir()) == []


def test_dev_stdout_sent_to_a_file_is_refused_and_the_file_kept(tmp_path: Path) -> None:
    """`--output /dev/stdout > log`: /dev/stdout is then the regular file `log`; renaming over it left the
    shell writing into a deleted file and the PDF where the log was."""
    log = tmp_path / "log.txt"
    command = [sys.executable, str(PROJECT / "generate.py"), "poster", "--template", "card-a6"]
    command += ["--output", "/dev/stdout"]
    with log.open("wb") as stdout:
        done = subprocess.run(command, stdout=stdout, stderr=subprocess.PIPE, text=True, check=False)
    assert done.returncode == 1
    assert_one_error_line(done.stderr)
    assert "own standard output" in done.stderr
    assert log.read_bytes() == b""  # the same file, still empty: no PDF was renamed over it


def polish_xliff(cli, folder: Path) -> str:  # type: ignore[no-untyped-def]
    file = folder / "seed.xliff"
    assert cli("strings", "export", "--lang", "pl", "--format", "xliff", "--output", str(file)).code == 0
    return file.read_text("utf-8")


def test_an_xliff_file_giving_a_key_twice_is_refused(cli, data: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # the second unit, another string's text under the first one's id, silently replaced the kicker
    text = polish_xliff(cli, tmp_path).replace('id="labels.figures_heading"', 'id="labels.kicker"', 1)
    (tmp_path / "pl.xliff").write_text(text, "utf-8")
    before = (data / "materials" / "pl.yaml").read_bytes()
    result = cli("--data", str(data), "strings", "import", str(tmp_path / "pl.xliff"), "--lang", "pl")
    assert result.code == 1
    assert_one_error_line(result.err)
    assert "key 'labels.kicker': the string is given twice (first on line" in result.err
    assert (data / "materials" / "pl.yaml").read_bytes() == before


def test_an_xliff_file_with_entities_is_refused(cli, data: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # an external entity was not expanded (good) but its string silently vanished from the import
    seed = polish_xliff(cli, tmp_path)
    kicker = "Bezpieczeństwo dzieci w internecie"
    assert kicker in seed
    declaration = '<!DOCTYPE xliff [<!ENTITY e SYSTEM "file:///etc/hostname">]>\n<xliff '
    text = seed.replace("<xliff ", declaration, 1).replace(kicker, "&e;", 1)
    (tmp_path / "pl.xliff").write_text(text, "utf-8")
    before = (data / "materials" / "pl.yaml").read_bytes()
    result = cli("--data", str(data), "strings", "import", str(tmp_path / "pl.xliff"), "--lang", "pl")
    assert result.code == 1
    assert_one_error_line(result.err)
    assert "declares a DOCTYPE with entities" in result.err
    assert (data / "materials" / "pl.yaml").read_bytes() == before
