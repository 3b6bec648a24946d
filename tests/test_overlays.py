"""A data folder (`--data DIR`) adds to the built-in content, file by file, and nothing is ever written into
the installed package; `fonts add` checks a font before it records it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from fontTools.ttLib import TTFont
from stand_in_font import make_font

from awareprint.diagnostics import AwareprintError
from awareprint.load import folders as folders_module
from awareprint.load.templates import list_templates
from awareprint.resources import DATA


def text_of(path: Path) -> str:
    return "\n".join(page.get_textpage().get_text_range() for page in pdfium.PdfDocument(path))


def one_error(err: str) -> str:
    (line,) = [line for line in err.splitlines() if line.startswith("error")]
    return line


def test_a_region_file_overrides_the_built_in_one_and_the_rest_stays(cli, tmp_path: Path, plant) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    (data / "regions").mkdir(parents=True)
    shutil.copy(DATA / "regions" / "gb.yaml", data / "regions" / "gb.yaml")
    plant(
        data / "regions" / "gb.yaml",
        "name: Internet Watch Foundation",
        "name: Internet Watch Foundation (local)",
    )
    done = cli("--data", str(data), "poster", "--region", "gb", "--output", str(tmp_path / "gb.pdf"))
    assert done.code == 0, done.err
    assert "Internet Watch Foundation (local)" in text_of(tmp_path / "gb.pdf")
    assert "from your data folder: regions/gb.yaml" in done.err  # the note names what it used
    # every other region, language and template still comes from the package
    assert (
        cli(
            "--data",
            str(data),
            "poster",
            "--region",
            "us",
            "--lang",
            "fr",
            "--output",
            str(tmp_path / "us.pdf"),
        ).code
        == 0
    )
    assert "Internet Watch Foundation (local)" not in cli("regions", "gb").out


def test_a_region_and_a_template_in_the_data_folder_are_added_and_listed(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    (data / "regions").mkdir(parents=True)
    (data / "templates").mkdir()
    region = (DATA / "regions" / "gb.yaml").read_text(encoding="utf-8")
    (data / "regions" / "xg.yaml").write_text(region.replace("code: gb", "code: xg"), encoding="utf-8")
    (data / "templates" / "poster-mine.yaml").write_text(
        "extends: poster-a4\ntemplate: {name: poster-mine, description: Ours}\n", encoding="utf-8"
    )
    assert "poster-mine" in cli("--data", str(data), "templates").out
    assert "poster-a3" in cli("--data", str(data), "templates").out
    assert "xg" in cli("--data", str(data), "regions").out
    done = cli(
        "--data",
        str(data),
        "poster",
        "--region",
        "xg",
        "--template",
        "poster-mine",
        "--output",
        str(tmp_path / "m.pdf"),
    )
    assert done.code == 0, done.err
    assert "regions/xg.yaml, templates/poster-mine.yaml" in done.err


def test_a_template_file_anywhere_extends_a_built_in_one(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    design = tmp_path / "desk" / "wide.yaml"
    design.parent.mkdir()
    design.write_text("extends: poster-a3\ntemplate: {name: wide, description: From the desk}\n")
    done = cli("poster", "--template", str(design), "--output", f"{tmp_path / 'out'}/")
    assert done.code == 0, done.err
    assert (tmp_path / "out" / "wide-en-gb-parents.pdf").is_file()
    missing = cli("poster", "--template", str(tmp_path / "nowhere.yaml"))
    assert missing.code == 1 and "template file not found" in one_error(missing.err)
    design.write_text("extends: poster-a9\ntemplate: {name: wide, description: Wide}\n")
    unknown = cli("poster", "--template", str(design))
    assert "no template 'poster-a9' to extend" in one_error(unknown.err)
    assert "name a built-in one: card-a6, card-dl" in unknown.err


def test_an_overlay_template_may_extend_the_built_in_one_of_its_own_name(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    (data / "templates").mkdir(parents=True)
    (data / "templates" / "poster-a3.yaml").write_text(
        "extends: poster-a3\ntemplate: {name: poster-a3, description: Ours, kind: poster}\n"
    )
    out = cli("--data", str(data), "templates").out
    assert "Ours" in out and "A3 poster (297 x 420 mm)" not in out


def test_a_language_file_in_the_data_folder_overrides_the_built_in_one(cli, tmp_path: Path, plant) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    (data / "materials").mkdir(parents=True)
    shutil.copy(DATA / "materials" / "fr.yaml", data / "materials" / "fr.yaml")
    plant(data / "materials" / "fr.yaml", "native_name: Français", "native_name: Français (local)")
    assert "Français (local)" in cli("--data", str(data), "languages").out
    assert "Français (local)" not in cli("languages").out


def test_strings_init_writes_into_the_current_folder_never_into_the_package(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    done = cli("strings", "init", "am")
    assert done.code == 0, done.err
    assert (tmp_path / "materials" / "am.yaml").is_file()
    assert not (DATA / "materials" / "am.yaml").exists()
    assert f"awareprint --data {tmp_path} strings export --lang am" in done.out
    assert cli("strings", "init", "fr").code == 1  # a built-in language is not started again


def test_a_wrong_data_folder_is_one_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert "data folder not found" in one_error(cli("--data", str(tmp_path / "nope"), "templates").err)
    (tmp_path / "materials.yaml").write_text("x: 1\n")  # the materials folder given instead of its parent
    assert "holds none of materials/" in one_error(cli("--data", str(tmp_path), "templates").err)


def test_no_content_is_an_error_not_an_empty_listing(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AwareprintError, match="no templates found"):
        list_templates(tmp_path)
    monkeypatch.setattr(folders_module, "BUILTIN", tmp_path)  # an install that lost its data
    done = cli("templates")
    assert done.code == 1 and "the built-in content is missing" in one_error(done.err)


def test_version(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("--version").out.strip().startswith("awareprint 0.")


@pytest.fixture
def font(tmp_path: Path) -> Path:
    return make_font(tmp_path / "downloads")


def test_fonts_add_records_the_font_in_the_data_folder(cli, tmp_path: Path, font: Path) -> None:  # type: ignore[no-untyped-def]
    done = cli("fonts", "add", str(font), "--data", str(tmp_path / "data"))
    assert done.code == 0, done.err
    assert "added Test Sans Ethiopic for Ethiopic (345 letters)" in done.out
    folder = tmp_path / "data" / "fonts" / "test-sans-ethiopic"
    assert sorted(p.name for p in folder.iterdir()) == ["OFL.txt", "TestSansEthiopic-Regular.ttf"]
    again = cli("fonts", "add", str(font), "--data", str(tmp_path / "data"))
    assert again.code == 1 and "already in the manifest" in one_error(again.err)
    assert not (DATA / "fonts" / "test-sans-ethiopic").exists()


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("no licence", "no licence file beside the font"),
        ("other licence", "not one that allows embedding"),
        ("no letters", "covers no script"),
        ("CFF", "no TrueType outlines"),
        ("not a font", "not a font file"),
    ],
)
def test_fonts_add_refuses_a_font_it_cannot_ship(
    cli, tmp_path: Path, font: Path, fault: str, message: str
) -> None:  # type: ignore[no-untyped-def]
    licence = font.parent / "OFL.txt"
    if fault == "no licence":
        licence.unlink()
    elif fault == "other licence":
        licence.write_text("All rights reserved. Not to be redistributed.\n")
    elif fault == "no letters":
        font = make_font(tmp_path / "few", "Test Few", range(0x1200, 0x1205))
    elif fault == "CFF":
        cff = TTFont(font)
        del cff["glyf"], cff["loca"]
        cff.save(font.parent / "Cff.otf")
        font = font.parent / "Cff.otf"
    else:
        font.write_bytes(b"not a font")
    done = cli("fonts", "add", str(font), "--data", str(tmp_path / "data"))
    assert done.code == 1 and message in one_error(done.err)
    assert not (tmp_path / "data" / "fonts").exists()  # nothing half-written
