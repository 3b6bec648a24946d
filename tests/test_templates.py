"""Templates are data: every poster size loads, extends A3, and keeps text readable against its panel."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from awareprint.diagnostics import AwareprintError
from awareprint.load.template_schema import template_schema
from awareprint.load.templates import FillSlot, ListSlot, QrSlot, TextSlot, list_templates, load_template
from awareprint.resources import DATA

PROJECT = Path(__file__).resolve().parent.parent
MM = 72 / 25.4
INCH = 72.0

SIZES = {
    "poster-a2": (420 * MM, 594 * MM, 3 * MM),
    "poster-a3": (297 * MM, 420 * MM, 3 * MM),
    "poster-a4": (210 * MM, 297 * MM, 3 * MM),
    "poster-letter": (8.5 * INCH, 11 * INCH, 0.125 * INCH),
    "poster-tabloid": (11 * INCH, 17 * INCH, 0.125 * INCH),
}


def test_the_five_poster_sizes_exist() -> None:
    posters = {p.stem for p in list_templates(DATA / "templates") if p.stem.startswith("poster-")}
    assert posters == set(SIZES)


@pytest.mark.parametrize("name", sorted(SIZES))
def test_geometry(name: str) -> None:
    template = load_template(DATA / "templates" / f"{name}.yaml")
    width, height, bleed = SIZES[name]
    geometry = template.geometry
    assert geometry.trim_width == pytest.approx(width)
    assert geometry.trim_height == pytest.approx(height)
    assert geometry.bleed == pytest.approx(bleed)
    assert geometry.slug >= 6
    names = {slot.name for slot in template.slots}
    assert {"headline", "key_figures", "tips", "contacts", "qr", "source_line"} <= names
    (page,) = template.pages
    (panel,) = page.panels
    for slot in page.slots:
        if not isinstance(slot, FillSlot):
            assert panel.safe_area.contains(slot.rect), f"{name}: slot {slot.name} leaves the safe area"


def test_type_scale_multiplies_the_a3_sizes() -> None:
    a3 = load_template(DATA / "templates" / "poster-a3.yaml")
    a2 = load_template(DATA / "templates" / "poster-a2.yaml")
    headline = {t.name: t for t in (a3, a2)}
    size_a3 = next(s for s in headline["poster-a3"].slots if s.name == "headline")
    size_a2 = next(s for s in headline["poster-a2"].slots if s.name == "headline")
    assert isinstance(size_a3, TextSlot) and isinstance(size_a2, TextSlot)
    assert size_a2.style.max_size == pytest.approx(size_a3.style.max_size * 1.41)


def test_header_fill_runs_into_the_bleed() -> None:
    template = load_template(DATA / "templates" / "poster-a3.yaml")
    header = next(s for s in template.slots if s.name == "header")
    assert isinstance(header, FillSlot)
    bleed = template.geometry.bleed
    assert header.rect.x == pytest.approx(-bleed)
    assert header.rect.y == pytest.approx(-bleed)
    assert header.rect.right == pytest.approx(template.geometry.trim_width + bleed)


def test_qr_slot_is_at_least_25_mm() -> None:
    for name in SIZES:
        template = load_template(DATA / "templates" / f"{name}.yaml")
        qr = next(s for s in template.slots if isinstance(s, QrSlot))
        assert min(qr.rect.width, qr.rect.height) >= 25 * MM, name


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("  slate: [0, 0, 0, 78]", "  slate: [0, 0, 0, 20]", "contrast"),
        ("  bleed: 3mm\n", "  bleed: 3\n", "is not a length"),
        ("    rows: 1-15\n", "    rows: 1-99\n", "outside the grid"),
        ("    style: headline\n", "    style: headlines\n", "no style named 'headlines'"),
        ("    kind: qr\n", "    kind: barcode\n", "unknown slot kind"),
        ("  trim: 297mm x 420mm\n", "  trim: A3\n", "is not a page size"),
        ("    colour: navy\n", "    color: navy\n", "unknown key 'color'"),
    ],
)
def test_template_faults(data: Path, plant, old: str, new: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    path = data / "templates" / "poster-a3.yaml"
    plant(path, old, new)
    with pytest.raises(AwareprintError) as caught:
        load_template(path)
    message = caught.value.diagnostic.one_line()
    assert expected in message
    assert "poster-a3.yaml" in message


@pytest.mark.parametrize(
    ("template", "old", "new", "key", "expected"),
    [
        # issue 16: a negative bleed made boxes preflight rejects; a 1 mm one is as bad for the print shop
        ("poster-a3", "  bleed: 3mm\n", "  bleed: -3mm\n", "page.bleed", "'-3mm' is outside 3mm to 25mm"),
        ("poster-a3", "  bleed: 3mm\n", "  bleed: 1mm\n", "page.bleed", "'1mm' is outside 3mm to 25mm"),
        ("poster-a3", "  slug: 10mm\n", "  slug: 9000mm\n", "page.slug", "outside 6pt to 50mm"),
        ("poster-a3", "297mm x 420mm", "9000mm x 420mm", "page.trim", "outside what prints"),
        ("poster-a3", "297mm x 420mm", "10mm x 420mm", "page.trim", "each side from 50mm"),
        ("poster-a3", "{top: 14mm,", "{top: -14mm,", "page.margins.top", "outside 0mm to 148.5mm"),
        ("poster-a3", "  columns: 12\n", "  columns: 0\n", "grid.columns", "must be from 1 to 200, got 0"),
        ("poster-a3", "  rows: 66\n", "  rows: 100000\n", "grid.rows", "must be from 1 to 200"),
        ("poster-a3", "  rows: 66\n", "  rows: 1" + "0" * 5000 + "\n", "grid.rows", "at most 9 digits"),
        ("poster-a3", "  column_gap: 6mm\n", "  column_gap: -6mm\n", "grid.column_gap", "outside 0mm"),
        # a 0.0001 pt headline "fitted"; 400 pt is more than an A0 poster's headline needs
        ("poster-a3", "size: 38pt-64pt,", "size: 0.0001pt-64pt,", "styles.headline.size", "6pt to 400pt"),
        ("poster-a3", "size: 38pt-64pt,", "size: 38pt-9000pt,", "styles.headline.size", "6pt to 400pt"),
        ("poster-a3", "leading: 1.06,", "leading: nan,", "styles.headline.leading", "'nan' is not a number"),
        ("poster-a3", "leading: 1.06,", "leading: 1e300,", "styles.headline.leading", "from 0.8 to 3"),
        # a type scale of 1e300 printed 1,856 error lines
        ("poster-a4", "type_scale: 0.72\n", "type_scale: 1e300\n", "type_scale", "from 0.2 to 5, got 1e+300"),
        ("poster-a4", "type_scale: 0.72\n", "type_scale: inf\n", "type_scale", "'inf' is not a number"),
        ("poster-a4", "type_scale: 0.72\n", "type_scale: 0.5\n", "styles.contact.size", "x type_scale 0.5"),
    ],
)  # fmt: skip
def test_a_template_out_of_bounds_is_refused_at_load_in_one_line(  # type: ignore[no-untyped-def]
    data: Path, plant, template: str, old: str, new: str, key: str, expected: str
) -> None:
    plant(data / "templates" / f"{template}.yaml", old, new)
    with pytest.raises(AwareprintError) as caught:
        load_template(data / "templates" / f"{template}.yaml")
    diagnostic = next(d for d in caught.value.diagnostics if d.key == key)  # a scale may shrink several
    assert expected in diagnostic.message
    assert len(diagnostic.one_line().splitlines()) == 1 and len(diagnostic.one_line()) < 300


def test_faults_in_a_base_template_are_reported_through_the_size_that_extends_it(data: Path, plant) -> None:  # type: ignore[no-untyped-def]
    plant(data / "templates" / "poster-a3.yaml", "    style: headline\n", "    style: headlines\n")
    with pytest.raises(AwareprintError, match=r"poster-a3\.yaml"):
        load_template(data / "templates" / "poster-a4.yaml")


def widths_mm(template_name: str) -> dict[str, list[tuple[str, float]]]:
    template = load_template(DATA / "templates" / f"{template_name}.yaml")
    return {
        page.name: [(panel.name, round(panel.rect.width / MM, 2)) for panel in page.panels]
        for page in template.pages
    }


def test_trifold_is_a_roll_fold_with_the_tuck_in_panel_3mm_narrower() -> None:
    assert widths_mm("leaflet-a4-trifold") == {
        "outside": [("flap", 97.0), ("back", 100.0), ("front", 100.0)],
        "inside": [("left", 100.0), ("middle", 100.0), ("right", 97.0)],
    }
    template = load_template(DATA / "templates" / "leaflet-a4-trifold.yaml")
    outside, inside = template.pages
    # the flap's outside backs the inside's narrow panel: turned over, the folds line up
    assert [round(f / MM, 2) for f in outside.folds] == [97.0, 197.0]
    assert [round((template.geometry.trim_width - f) / MM, 2) for f in inside.folds] == [197.0, 97.0]


def test_bifold_and_cards() -> None:
    assert widths_mm("leaflet-a5-bifold") == {
        "outside": [("back", 148.5), ("front", 148.5)],
        "inside": [("left", 148.5), ("right", 148.5)],
    }
    for name, size in (("card-dl", (99, 210)), ("card-a6", (105, 148))):
        template = load_template(DATA / "templates" / f"{name}.yaml")
        geometry = template.geometry
        assert (round(geometry.trim_width / MM, 2), round(geometry.trim_height / MM, 2)) == size
        assert [page.name for page in template.pages] == ["front", "back"]
        assert template.kind == "card"


@pytest.mark.parametrize("path", list_templates(DATA / "templates"), ids=lambda p: p.stem)
def test_every_slot_sits_inside_its_panel(path: Path) -> None:
    template = load_template(path)
    for page in template.pages:
        for slot in page.slots:
            if isinstance(slot, FillSlot):
                continue
            assert any(panel.safe_area.contains(slot.rect) for panel in page.panels), (path.stem, slot.name)


def test_audience_slots_split_the_content() -> None:
    template = load_template(DATA / "templates" / "leaflet-a4-trifold.yaml")
    outside = template.pages[0]
    parents = {s.name for s in outside.slots_for("parents")}
    professionals = {s.name for s in outside.slots_for("professionals")}
    assert "more_figures" in parents - professionals
    assert "categories" in professionals - parents
    inside = template.pages[1]
    lists = {s.content for s in inside.slots_for("professionals") if isinstance(s, ListSlot)}
    assert {"tips", "disclosure", "found_images"} <= lists


def test_the_published_json_schema_is_the_one_the_code_builds() -> None:
    published = json.loads((PROJECT / "docs" / "template.schema.json").read_text())
    regenerate = "python generate.py templates schema > docs/template.schema.json"
    assert published == template_schema(), f"run: {regenerate}"


@pytest.mark.parametrize("path", sorted((DATA / "templates").glob("*.yaml")), ids=lambda p: p.stem)
def test_every_shipped_template_passes_the_json_schema(path: Path) -> None:
    jsonschema.validate(yaml.safe_load(path.read_text()), template_schema())


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("        kind: list\n        panel: left", "        kind: list\n        panle: left"),
        ("        per_row: 1\n        style: body", "        per_row: 1\n        style: 12"),
        ("  kind: leaflet", "  kind: brochure"),
        ("        valign: middle", "        valign: centre"),
        ("  columns: 6\n", "  columns: 0\n"),
        ("  rows: 48\n", "  rows: 500\n"),
        ("  margins: {top: 9mm", "  margins: {top: -9mm"),
        ("        item_spacing: 0.4", "        item_spacing: 50"),
    ],
)
def test_the_json_schema_catches_what_the_loader_refuses(tmp_path: Path, old: str, new: str) -> None:
    source = (DATA / "templates" / "leaflet-a4-trifold.yaml").read_text()
    assert old in source
    broken = tmp_path / "leaflet-a4-trifold.yaml"
    broken.write_text(source.replace(old, new, 1))
    (tmp_path / "_leaflet.yaml").write_text((DATA / "templates" / "_leaflet.yaml").read_text())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(yaml.safe_load(broken.read_text()), template_schema())
    with pytest.raises(AwareprintError):
        load_template(broken)
