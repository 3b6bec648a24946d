"""Colours as they print: CMYK through the output profile to sRGB, and contrast measured on that.

The screen edition shows each colour as the press prints it, and the contrast checks measure what a reader
sees. A naive conversion (R = (1 - C)(1 - K)) takes print red [0, 100, 100, 0] for pure sRGB red, 4.0:1
against white; through the profile it is the darker red the press makes, 4.9:1. LittleCMS (Pillow's
ImageCms) converts; it is imported on first use, so commands that never convert a colour start faster.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from awareprint.load.cache import cached
from awareprint.resources import DATA
from awareprint.units import Cmyk

if TYPE_CHECKING:
    from PIL import Image, ImageCms

DEFAULT_PROFILE_PATH = DATA / "profiles" / "FOGRA39L-coated.icc"

Rgb = tuple[float, float, float]  # sRGB, each 0..1


def as_printed_rgb(colours: list[Cmyk], profile: Path) -> dict[Cmyk, Rgb]:
    """sRGB for each CMYK colour as it prints under `profile`: the screen edition looks like the paper one.

    The converted values are kept in the persistent cache (by the profile's bytes and the versions of
    Pillow and LittleCMS): building the transform takes about 20 ms, and every poster's template has its
    contrast checked."""
    unique = list(dict.fromkeys(colours))
    if not unique:
        return {}
    cmyk = bytes(round(v * 255) for c in unique for v in (c.c, c.m, c.y, c.k))
    key = (profile_digest(str(profile)), cms_versions(), cmyk)
    rgb = cached("printed-rgb", key, lambda: _converted(cmyk, str(profile)))
    return {colour: tuple(v / 255 for v in rgb[3 * i : 3 * i + 3]) for i, colour in enumerate(unique)}  # type: ignore[misc]


def _converted(cmyk: bytes, profile: str) -> bytes:
    """CMYK pixels, 4 bytes each, as the RGB bytes LittleCMS converts them to."""
    from PIL import Image

    swatch = Image.frombytes("CMYK", (len(cmyk) // 4, 1), cmyk)
    return apply(cmyk_to_srgb(profile), swatch).tobytes()


@functools.lru_cache(maxsize=4)
def profile_bytes(profile: str) -> bytes:
    return Path(profile).read_bytes()


@functools.lru_cache(maxsize=4)
def profile_digest(profile: str) -> str:
    return hashlib.sha256(profile_bytes(profile)).hexdigest()


@functools.cache
def cms_versions() -> str:
    """The versions of what converts colours here, for the persistent cache's keys."""
    import PIL
    from PIL import features

    return f"pillow {PIL.__version__} lcms {features.version('littlecms2')}"


def contrast_ratio(a: Cmyk, b: Cmyk, profile: Path = DEFAULT_PROFILE_PATH) -> float:
    """WCAG contrast ratio of two colours as printed under `profile` (coated offset unless a shop's)."""
    la, lb = sorted((_luminance(a, str(profile)), _luminance(b, str(profile))), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@functools.lru_cache(maxsize=512)
def _luminance(colour: Cmyk, profile: str) -> float:
    """WCAG relative luminance of the colour's printed sRGB (sRGB's 0.04045: WCAG's 0.03928 differs from it
    on no 8-bit value)."""

    def linear(v: float) -> float:
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(v) for v in as_printed_rgb([colour], Path(profile))[colour])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def apply(transform: ImageCms.ImageCmsTransform, image: Image.Image) -> Image.Image:
    """`transform.apply(image)` without the copy of the target profile Pillow puts in the result's `info`:
    serialising the 0.5 MB CMYK output profile cost 1.6 ms a logo, and nothing here reads it (a logo's
    JPEG is saved without it)."""
    from PIL import Image

    converted = Image.new(transform.output_mode, image.size)
    transform.transform.apply(image.getim(), converted.getim())
    return converted


@functools.cache
def srgb_profile() -> ImageCms.ImageCmsProfile:
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


@functools.lru_cache(maxsize=4)
def output_profile(path: str) -> ImageCms.ImageCmsProfile:
    """The CMYK output profile, opened once (the CLI has checked it is a readable CMYK profile)."""
    from PIL import ImageCms

    return ImageCms.getOpenProfile(path)


@functools.lru_cache(maxsize=4)
def cmyk_to_srgb(profile: str) -> ImageCms.ImageCmsTransform:
    return transform(output_profile(profile), srgb_profile(), "CMYK", "RGB")


@functools.lru_cache(maxsize=16)
def transform(
    source: ImageCms.ImageCmsProfile, target: ImageCms.ImageCmsProfile, source_mode: str, target_mode: str
) -> ImageCms.ImageCmsTransform:
    """Every conversion here: relative colorimetric, paper white to screen white, black points matched.

    Cached (by the profiles opened once: sRGB and the output profile): building one takes about 11 ms, and
    a batch converts a logo per organisation."""
    from PIL import ImageCms

    return ImageCms.buildTransform(
        source,
        target,
        source_mode,
        target_mode,
        renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
        flags=ImageCms.Flags.BLACKPOINTCOMPENSATION,
    )
