from __future__ import annotations

import pytest

from awareprint.units import Cmyk, parse_cmyk, parse_length


@pytest.mark.parametrize(
    ("text", "points"), [("3mm", 8.50394), ("0.125in", 9.0), ("12pt", 12.0), ("1cm", 28.3465), ("96px", 72.0)]
)
def test_lengths_need_units(text: str, points: float) -> None:
    assert parse_length(text) == pytest.approx(points, abs=1e-4)


@pytest.mark.parametrize("text", ["3", "3 pc", "mm", ""])
def test_lengths_without_a_known_unit_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="unit"):
        parse_length(text)


def test_cmyk_from_percentages() -> None:
    assert parse_cmyk(["100", "60", "0", "20"]) == Cmyk(1.0, 0.6, 0.0, 0.2)
    with pytest.raises(ValueError, match="four percentages"):
        parse_cmyk(["100", "60", "0"])
    with pytest.raises(ValueError, match="between 0 and 100"):
        parse_cmyk(["120", "0", "0", "0"])
