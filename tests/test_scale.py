"""Many organisations in one batch cost little more than one (issue 15): the structural wins, pinned.

Speed itself is measured in benchmarks/ (`run.py --orgs`), never here; these tests pin the causes: a logo
decoded once per file and read once per row of an organisations file, converted without copying the
output profile, converted once between the workers (the persistent cache), a cache that does not list its
folder on every write, and workers whose garbage collections do not walk what they keep for all files.
"""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from PIL import Image
from test_logo import make_logo

from awareprint.batch import BatchItem, known_names, make_item, resolve_spec
from awareprint.batch.run import _make_in_worker
from awareprint.load import cache
from awareprint.load.folders import Folders
from awareprint.load.roster import load_roster
from awareprint.render import images
from awareprint.render.colour import DEFAULT_PROFILE_PATH, apply, output_profile, srgb_profile, transform
from awareprint.units import Cmyk

WHITE = Cmyk(0, 0, 0, 0)


@pytest.fixture
def decodes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Each logo file decoded from now on, with a fresh persistent cache and no logo remembered."""
    monkeypatch.setenv("AWAREPRINT_CACHE_DIR", str(tmp_path / "cache"))
    images.logo_jpeg.cache_clear()
    monkeypatch.setattr(images, "_opened", {})
    monkeypatch.setattr(images, "_last_decoded", {})
    decoded: list[Path] = []
    original = images._decode

    def counting(data: bytes, path: Path) -> images._Decoded:
        decoded.append(path)
        return original(data, path)

    monkeypatch.setattr(images, "_decode", counting)
    return decoded


def test_a_conversion_does_not_copy_the_output_profile_and_changes_no_pixel() -> None:
    image = Image.radial_gradient("L").convert("RGB")
    to_cmyk = transform(srgb_profile(), output_profile(str(DEFAULT_PROFILE_PATH)), "RGB", "CMYK")
    converted = apply(to_cmyk, image)
    assert "icc_profile" not in converted.info  # Pillow's own apply serialises the 0.5 MB profile here
    assert converted.tobytes() == to_cmyk.apply(image).tobytes()


def test_a_logo_is_decoded_once_for_a_file_and_opened_again_from_memory(
    tmp_path: Path, decodes: list[Path]
) -> None:
    logo = make_logo(tmp_path / "logo.png")
    opened = images.open_logo(logo)
    images.logo_jpeg(opened, WHITE, DEFAULT_PROFILE_PATH, False)
    assert images.open_logo(logo) == opened  # the next file of the same organisation
    assert decodes == [logo]
    make_logo(tmp_path / "logo.png", 600, 300)  # changed: read again, never the old size
    assert (images.open_logo(logo).width, len(decodes)) == (600, 2)


def test_workers_convert_a_logo_once_between_them(tmp_path: Path, decodes: list[Path]) -> None:
    logo = make_logo(tmp_path / "logo.png")
    first = images.logo_jpeg(images.open_logo(logo), WHITE, DEFAULT_PROFILE_PATH, False)
    images.logo_jpeg.cache_clear()  # another worker: a process of its own, the same cache folder
    images._last_decoded.clear()
    copy = make_logo(tmp_path / "the same logo.png")  # another organisation's file with the same bytes
    again = images.logo_jpeg(images.open_logo(copy), WHITE, DEFAULT_PROFILE_PATH, False)
    assert again == first
    assert decodes == [logo, copy]  # opened (its size and notes), but not converted again
    other_plate = images.logo_jpeg(images.open_logo(copy), Cmyk(0, 0.1, 0.2, 0), DEFAULT_PROFILE_PATH, False)
    assert other_plate != first


def test_the_cache_lists_its_folder_only_when_it_may_be_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWAREPRINT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cache, "MAX_BYTES", 30_000)
    sweeps = []
    original = cache._bound
    monkeypatch.setattr(cache, "_bound", lambda root: sweeps.append(root) or original(root))
    for number in range(60):
        cache.cached("test", (str(number),), lambda: b"x" * 900)
    assert 2 <= len(sweeps) <= 8  # not 60: a sweep leaves room for several more writes
    total = sum(p.stat().st_size for p in (tmp_path / "cache").glob("*/*/*"))
    assert total <= 30_000


def test_a_row_reads_its_logo_once_and_is_fingerprinted_by_its_bytes(
    tmp_path: Path, decodes: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    logo = make_logo(tmp_path / "logo.png")
    table = tmp_path / "schools.csv"
    table.write_text("name,logo\nOakfield Academy,logo.png\nRiverside School,logo.png\n", encoding="utf-8")
    reads: list[Path] = []
    original = images.read_logo_bytes
    monkeypatch.setattr(images, "read_logo_bytes", lambda path: reads.append(path) or original(path))
    rows = load_roster(table, known_names(Folders())).rows
    assert reads == [logo, logo] and decodes == [logo]  # once a row, decoded once for both
    make_logo(logo, 600, 300)  # new bytes: each row's files are made again
    again = load_roster(table, known_names(Folders())).rows
    assert all(old.fingerprint != new.fingerprint for old, new in zip(rows, again, strict=True))
    assert load_roster(table, known_names(Folders())).rows == again  # the same bytes: nothing to redo


def test_a_worker_freezes_what_it_keeps_after_each_file(tmp_path: Path) -> None:
    """The same file as `make_item` makes; afterwards the worker's objects are out of the collector's way."""
    spec = resolve_spec(Folders(), tmp_path / "out", languages=("en",), templates=("card-a6",))
    item = BatchItem("en", "card-a6", "parents", "gb", "print")
    (tmp_path / "out").mkdir()
    try:
        made = _make_in_worker(item, "inputs", spec, Folders(), False)
        assert gc.get_freeze_count() > 0 and gc.get_count()[0] < 100
    finally:
        gc.unfreeze()  # this test process is not a worker
    again = make_item(item, "inputs", spec, Folders(), False)
    assert made.action == again.action == "made" and made.record.sha256 == again.record.sha256
