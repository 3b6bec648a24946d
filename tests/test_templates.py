"""Templates are data: every poster size loads, extends A3, and keeps text readable against its panel."""

from __future__ import annotations

from pathlib import Path

import pytest

from awareprint.diagnostics import AwareprintError
from awareprint.templates import FillSlot, QrSlot, TextSlot, list_templates, load_template

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
    assert {p.stem for p in list_templates(PROJECT / "templates")} == set(SIZES)


@pytest.mark.parametrize("name", sorted(SIZES))
def test_geometry(name: str) -> None:
    template = load_template(PROJECT / "templates" / f"{name}.yaml")
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
    a3 = load_template(PROJECT / "templates" / "poster-a3.yaml")
    a2 = load_template(PROJECT / "templates" / "poster-a2.yaml")
    headline = {t.name: t for t in (a3, a2)}
    size_a3 = next(s for s in headline["poster-a3"].slots if s.name == "headline")
    size_a2 = next(s for s in headline["poster-a2"].slots if s.name == "headline")
    assert isinstance(size_a3, TextSlot) and isinstance(size_a2, TextSlot)
    assert size_a2.style.max_size == pytest.approx(size_a3.style.max_size * 1.41)


def test_header_fill_runs_into_the_bleed() -> None:
    template = load_template(PROJECT / "templates" / "poster-a3.yaml")
    header = next(s for s in template.slots if s.name == "header")
    assert isinstance(header, FillSlot)
    bleed = template.geometry.bleed
    assert header.rect.x == pytest.approx(-bleed)
    assert header.rect.y == pytest.approx(-bleed)
    assert header.rect.right == pytest.approx(template.geometry.trim_width + bleed)


def test_qr_slot_is_at_least_25_mm() -> None:
    for name in SIZES:
        template = load_template(PROJECT / "templates" / f"{name}.yaml")
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


def test_faults_in_a_base_template_are_reported_through_the_size_that_extends_it(data: Path, plant) -> None:  # type: ignore[no-untyped-def]
    plant(data / "templates" / "poster-a3.yaml", "    style: headline\n", "    style: headlines\n")
    with pytest.raises(AwareprintError, match=r"poster-a3\.yaml"):
        load_template(data / "templates" / "poster-a4.yaml")
