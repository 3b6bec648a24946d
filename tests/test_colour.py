"""Colours as they print: contrast is measured through the output profile, not by 1 - C arithmetic."""

from __future__ import annotations

from pathlib import Path

import pytest

from awareprint.render.colour import DEFAULT_PROFILE_PATH, as_printed_rgb, contrast_ratio
from awareprint.units import Cmyk

PAPER = Cmyk(0, 0, 0, 0)
PRINT_RED = Cmyk(0, 1, 1, 0)


def test_white_on_print_red_is_measured_through_the_profile() -> None:
    # 1 - C arithmetic takes [0, 100, 100, 0] for sRGB (255, 0, 0): 4.0:1, under AA, refused; the press
    # prints a darker red (FOGRA39: about sRGB 228, 0, 14), 4.9:1
    red = as_printed_rgb([PRINT_RED], DEFAULT_PROFILE_PATH)[PRINT_RED]
    assert red[0] < 0.95 and red[2] > 0.02
    assert contrast_ratio(PAPER, PRINT_RED) == pytest.approx(4.9, abs=0.1)
    assert contrast_ratio(PAPER, PRINT_RED) >= 4.5


def test_paper_is_screen_white_and_four_inks_screen_black() -> None:
    assert as_printed_rgb([PAPER], DEFAULT_PROFILE_PATH)[PAPER] == (1.0, 1.0, 1.0)
    assert contrast_ratio(Cmyk(1, 1, 1, 1), PAPER) == pytest.approx(21.0)
    # black ink alone is not the deepest black the press makes: 17.6:1, still far above AA
    assert contrast_ratio(Cmyk(0, 0, 0, 1), PAPER) == pytest.approx(17.6, abs=0.2)


def test_contrast_follows_the_profile_given(tmp_path: Path) -> None:
    copy = tmp_path / "shop.icc"
    copy.write_bytes(DEFAULT_PROFILE_PATH.read_bytes())
    assert contrast_ratio(PAPER, PRINT_RED, copy) == contrast_ratio(PAPER, PRINT_RED)


def test_an_organisations_print_red_behind_white_text_is_accepted(
    tmp_path: Path, data: Path, cli, plant
) -> None:  # type: ignore[no-untyped-def]
    # the red-team case: white text on the organisation's [0, 100, 100, 0] measured 4.0:1 and was refused
    poster = data / "templates" / "poster-a3.yaml"
    plant(poster, "leading: 1.2,  colour: sky}", "leading: 1.2,  colour: paper}")  # white kicker on the band
    plant(poster, "mist: [10, 3, 2, 0]", "mist: [0, 0, 0, 0]")  # the red headings then sit on paper only
    org = tmp_path / "org.yaml"
    org.write_text(
        "organisation:\n  name: Riverside Primary School\n  colour: [0, 100, 100, 0]\n", encoding="utf-8"
    )
    done = cli("--data", str(data), "poster", "--org", str(org), "--output", str(tmp_path / "red.pdf"))
    assert done.code == 0, done.err
    assert "contrast" not in done.err
