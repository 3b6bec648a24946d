"""The PDF/X-4 finisher: a CMYK output profile is required; the rest is checked on real posters."""

from __future__ import annotations

from pathlib import Path

import pytest

from awareprint.diagnostics import AwareprintError
from awareprint.render.pdfx import DEFAULT_PROFILE, OutputProfile


def test_the_shipped_profile_is_cmyk() -> None:
    assert DEFAULT_PROFILE.data()[16:20] == b"CMYK"
    assert DEFAULT_PROFILE.identifier == "FOGRA39"


def test_an_output_profile_must_be_cmyk(tmp_path: Path) -> None:
    rgb = tmp_path / "srgb.icc"
    rgb.write_bytes(b"\0" * 16 + b"RGB " + b"\0" * 200)
    with pytest.raises(AwareprintError, match="not a CMYK ICC profile"):
        OutputProfile(rgb, "X", "x").data()


def test_a_missing_profile_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(AwareprintError, match="output profile not found"):
        OutputProfile(tmp_path / "absent.icc", "X", "x").data()
