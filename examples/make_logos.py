"""Writes the fictitious schools' logos in examples/logos/: simple shapes, no text, no pictures of people.

Run once after changing the list (`python examples/make_logos.py`); the PNGs are committed, so the example
works without running it. Each logo is 300 x 300 pixels: 300 ppi at 25 mm, enough for a leaflet.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
SIZE = 300
PALETTE = [(0, 84, 147), (192, 57, 43), (39, 120, 70), (142, 68, 173), (211, 140, 0), (22, 110, 122)]


def star(centre: float, outer: float, inner: float, points: int) -> list[tuple[float, float]]:
    corners = []
    for index in range(points * 2):
        radius = outer if index % 2 == 0 else inner
        angle = math.pi * index / points - math.pi / 2
        corners.append((centre + radius * math.cos(angle), centre + radius * math.sin(angle)))
    return corners


def logo(number: int) -> Image.Image:
    """A shape, an inner shape and a colour pair, all chosen by the school's number."""
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    colour = PALETTE[number % len(PALETTE)]
    accent = PALETTE[(number * 5 + 2) % len(PALETTE)]
    middle, margin = SIZE / 2, 12
    shape = number % 4
    if shape == 0:
        draw.ellipse((margin, margin, SIZE - margin, SIZE - margin), fill=colour)
    elif shape == 1:
        draw.rounded_rectangle((margin, margin, SIZE - margin, SIZE - margin), radius=48, fill=colour)
    elif shape == 2:  # a shield
        draw.polygon(
            [
                (margin, margin),
                (SIZE - margin, margin),
                (SIZE - margin, middle),
                (middle, SIZE - margin),
                (margin, middle),
            ],
            fill=colour,
        )
    else:
        draw.regular_polygon((middle, middle, middle - margin), 6, fill=colour)
    inner = (number // 4) % 3
    if inner == 0:
        draw.polygon(star(middle, 90, 38, 5 + number % 3), fill=(255, 255, 255))
    elif inner == 1:
        draw.ellipse((middle - 70, middle - 70, middle + 70, middle + 70), fill=(255, 255, 255))
        draw.ellipse((middle - 40, middle - 40, middle + 40, middle + 40), fill=accent)
    else:
        draw.polygon(
            [(middle, middle - 85), (middle + 80, middle + 60), (middle - 80, middle + 60)], fill=accent
        )
        draw.rectangle((middle - 80, middle + 60, middle + 80, middle + 75), fill=(255, 255, 255))
    return image.quantize(colors=8)  # a palette image: a few KB


def main() -> None:
    with (HERE / "schools.csv").open(encoding="utf-8-sig", newline="") as stream:
        logos = [row["logo"] for row in csv.DictReader(stream) if row.get("logo")]
    for number, name in enumerate(logos):
        path = HERE / name
        path.parent.mkdir(parents=True, exist_ok=True)
        logo(number).save(path, optimize=True)


if __name__ == "__main__":
    main()
