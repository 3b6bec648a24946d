"""Issue 19.3: a designer writing a template sees every mistake in one run, a fit summary per slot and a
picture of the grid; the type stays legible; the docs name the keys the loader takes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image

from awareprint.diagnostics import AwareprintError
from awareprint.load.template_schema import template_schema
from awareprint.load.templates import SLOT_KEYS, TOP_KEYS, load_template
from awareprint.tools.preview import GRID_TITLE_HEIGHT

PROJECT = Path(__file__).resolve().parents[1]


def _plant_five_faults(path: Path, plant) -> None:  # type: ignore[no-untyped-def]
    plant(path, "brand_colour: navy", "brand_color: navy")  # a misspelt top-level key
    plant(path, "    content: kicker\n    style: kicker\n", "    content: kicker\n    style: kickr\n")
    plant(path, "    rows: 3-9\n", "    rows: 3-99\n")  # the headline outside the 66-row grid
    plant(
        path, "  fine:       {font: regular, size: 7.5pt-9pt,", "  fine:       {font: regular, size: 4pt-9pt,"
    )
    plant(path, "    content: source_line\n", "    content: contacts_checked\n")  # figures, no source


def test_every_fault_of_a_template_is_reported_in_one_run(cli, data: Path, plant) -> None:  # type: ignore[no-untyped-def]
    path = data / "templates" / "poster-a3.yaml"
    _plant_five_faults(path, plant)
    with pytest.raises(AwareprintError) as caught:
        load_template(path)
    keys = {d.key for d in caught.value.diagnostics}
    assert {"brand_color", "slots.kicker.style", "slots.headline.rows", "styles.fine.size"} <= keys
    codes = {d.code for d in caught.value.diagnostics}
    assert {"figures-without-source", "type-too-small"} <= codes
    assert all(d.file == path for d in caught.value.diagnostics)  # each names the file
    done = cli("--data", str(data), "templates", "check", str(path))
    assert done.code == 1
    lines = [line for line in done.err.splitlines() if line.startswith("error:")]
    assert len(lines) == 5, done.err
    assert all("poster-a3.yaml:" in line for line in lines)
    # `poster` with the broken design says all of it too, one line each, and writes nothing
    done = cli("--data", str(data), "poster", "--output", str(data / "x.pdf"))
    assert done.code == 1 and len(done.err.strip().splitlines()) == 5
    assert not (data / "x.pdf").exists()


def test_a_fault_that_extends_through_a_base_is_named_once(data: Path, plant) -> None:  # type: ignore[no-untyped-def]
    plant(data / "templates" / "poster-a3.yaml", "    style: kicker\n", "    style: kickr\n")
    with pytest.raises(AwareprintError) as caught:
        load_template(data / "templates" / "poster-a4.yaml")
    assert [d.key for d in caught.value.diagnostics] == ["slots.kicker.style"]


@pytest.mark.parametrize(
    ("template", "old", "new"),
    [
        ("poster-a3", "size: 7.5pt-9pt,", "size: 5.5pt-9pt,"),  # the A3's small print
        ("poster-a4", "  fine: {size: 9pt-11pt}", "  fine: {size: 8pt-11pt}"),  # x 0.72 = 5.8pt
        ("_leaflet", "size: 6.5pt-7.5pt,", "size: 5pt-7.5pt,"),
    ],
)
def test_type_below_the_legible_size_of_print_is_refused(  # type: ignore[no-untyped-def]
    data: Path, plant, template: str, old: str, new: str
) -> None:
    plant(data / "templates" / f"{template}.yaml", old, new)
    name = "leaflet-a4-trifold" if template == "_leaflet" else template
    with pytest.raises(AwareprintError) as caught:
        load_template(data / "templates" / f"{name}.yaml")
    assert caught.value.diagnostic.code == "type-too-small"
    assert "prints legibly, 6pt to 400pt" in caught.value.diagnostic.message


def test_fit_failures_are_one_line_per_slot_with_the_worst_languages(cli, data: Path, plant) -> None:  # type: ignore[no-untyped-def]
    path = data / "templates" / "poster-a3.yaml"
    plant(path, "    rows: 3-9\n", "    rows: 3-4\n")  # the headline gets two rows instead of seven
    plant(path, "size: 38pt-64pt,", "size: 30pt-64pt,")
    done = cli("--data", str(data), "templates", "check", str(path))
    assert done.code == 1
    errors = [line for line in done.err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, done.err  # not a line per language and audience
    (line,) = errors
    assert "slot 'headline' does not fit in" in line and "languages even at 30pt" in line
    assert line.count("mm too tall") == 3 and "more" in line
    assert "poster-a3.yaml" in line and "key 'slots.headline'" in line


def test_the_grid_preview_draws_slots_and_marks_the_overflow_in_red(
    cli, data: Path, plant, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    path = data / "templates" / "poster-a3.yaml"
    plant(path, "    rows: 3-9\n", "    rows: 3-4\n")
    plant(path, "size: 38pt-64pt,", "size: 30pt-64pt,")
    out = tmp_path / "grid"
    options = ("--grid", "--lang", "en,ta", "--out", str(out), "--dpi", "30")
    done = cli("--data", str(data), "templates", "preview", str(path), *options)
    assert done.code == 0, done.err
    pictures = sorted(p.name for p in out.glob("*.png"))
    # with the sample organisation, and as designed without one (the headline moves for the organisation)
    assert pictures == sorted(
        f"poster-a3-{code}-parents-p1{variant}.png" for code in ("en", "ta") for variant in ("", "-plain")
    )
    assert "slot 'headline' does not fit in ta even at 30pt" in done.err and "p1-plain.png" in done.err
    template = load_template(path)
    headline = next(s for s in template.pages[0].slots if s.name == "headline")
    scale = 30 / 72
    with Image.open(out / "poster-a3-ta-parents-p1-plain.png") as image:
        # the red frame along the top of the headline's box (under the 30 px title strip)
        y = GRID_TITLE_HEIGHT + round(headline.rect.y * scale)
        row = [
            image.getpixel((x, y))
            for x in range(round(headline.rect.x * scale) + 40, round(headline.rect.right * scale) - 5)
        ]
        assert sum(1 for pixel in row if pixel[0] > 180 and pixel[1] < 60 and pixel[2] < 60) > len(row) / 2
    with Image.open(out / "poster-a3-en-parents-p1.png") as image:  # nothing overflows: no red anywhere
        assert not any(r > 180 and g < 60 and b < 60 for _, (r, g, b) in image.getcolors(1 << 24))


def _section(text: str, heading: str) -> str:
    """The text under a Markdown heading, up to the next heading of the same or a higher level."""
    level = heading.split(" ")[0]
    start = text.index(heading + "\n") + len(heading)
    ends = [i for i in (text.find("\n" + "#" * n + " ", start) for n in range(1, len(level) + 1)) if i != -1]
    return text[start : min(ends, default=len(text))]


def _table_rows(section: str) -> list[list[str]]:
    rows = [line.strip().strip("|").split("|") for line in section.splitlines() if line.startswith("| ")]
    return [[cell.strip() for cell in row] for row in rows[2:]]  # without the header and its rule


def _named(cell: str) -> set[str]:
    """The keys a table cell names, leaving out the values in brackets: `content` (`tips`, ...)."""
    return set(re.findall(r"`([a-z_]+)`", re.sub(r"\([^)]*\)", "", cell)))


def test_the_docs_name_the_keys_the_loader_takes() -> None:
    """docs/templates.md and the README's 'Adding a template' name exactly the schema's keys (the README
    once called a `fill` a `panel`)."""
    docs = (PROJECT / "docs" / "templates.md").read_text(encoding="utf-8")
    top_level = {row[0].strip("`") for row in _table_rows(_section(docs, "## The parts"))}
    required, optional = TOP_KEYS
    assert top_level == required | optional | {"extends"}
    slots = _section(docs, "## Slots")
    kinds = {row[0].strip("`"): _named(row[1]) for row in _table_rows(slots)}
    assert set(kinds) == set(SLOT_KEYS)
    for kind, (required, optional) in SLOT_KEYS.items():
        assert kinds[kind] == (required | optional) - {"kind", "columns", "rows"}, kind
    for common in ("kind", "columns", "rows", "panel", "audience", "with_organisation"):
        assert re.search(f"`{common}[`:]", slots), common
    schema = template_schema()
    for key in schema["properties"]:
        assert f"`{key}`" in _section(docs, "## The parts")

    readme = _section((PROJECT / "README.md").read_text(encoding="utf-8"), "## Adding a template")
    bullets = re.findall(r"^- `([a-z_]+)`", readme, flags=re.MULTILINE)
    assert set(bullets) <= set(schema["properties"])
    assert [key for key in schema["properties"] if not re.search(f"`{key}[`:]", readme)] == []
    assert set(re.findall(r"^  - `([a-z_]+)`:", readme, flags=re.MULTILINE)) == set(SLOT_KEYS)
