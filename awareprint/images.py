"""Logos as print needs them: CMYK through the output profile, transparency flattened, size checked.

A PNG or JPEG from a school's website is RGB, often with transparency and often too small. reportlab would
place it as RGB (not allowed in CMYK print files) and print transparent pixels black, so the image is
converted here with LittleCMS (Pillow's ImageCms) into the print condition's CMYK, flattened onto the
colour behind it, and saved as a CMYK JPEG that the renderer passes through unchanged.
"""

from __future__ import annotations

import functools
import io
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageCms

from .colour import DEFAULT_PROFILE_PATH, as_printed_rgb, output_profile, srgb_profile
from .diagnostics import Diagnostic, Severity, user_error
from .units import Cmyk

MAX_PIXELS = 40_000_000  # far above any logo; a decompression bomb stops here, before decoding
WARN_PPI = {"poster": 150, "leaflet": 300, "card": 300}  # by template kind: leaflets are read close up
REFUSE_SHARE = 0.5  # below half the recommended resolution a logo is refused
JPEG_QUALITY = 92


@dataclass(frozen=True, slots=True)
class Logo:
    """A logo file, checked and decoded, not yet converted (that needs the colour behind it)."""

    path: Path
    width: int  # pixels
    height: int

    @property
    def aspect(self) -> float:
        return self.width / self.height


def open_logo(path: Path) -> Logo:
    with _Opened(path) as image:
        return Logo(path, image.width, image.height)


@functools.lru_cache(maxsize=16)
def logo_jpeg(logo: Logo, background: Cmyk, profile: Path | None) -> bytes:
    """The logo flattened onto `background`: CMYK for the print condition of `profile`, or sRGB (screen).

    Cached: a card prints its logo on both sides, and a check or batch lays the same logo out many times.
    """
    with _Opened(logo.path) as image:
        rgba = image.convert("RGBA")
        source = _source_profile(image.info.get("icc_profile"))
    backdrop = Image.new(
        "RGB",
        rgba.size,
        tuple(round(v * 255) for v in as_printed_rgb([background], DEFAULT_PROFILE_PATH)[background]),
    )
    backdrop.paste(rgba, mask=rgba.getchannel("A"))
    target = output_profile(str(profile)) if profile else srgb_profile()
    cmyk = ImageCms.profileToProfile(
        backdrop,
        source,
        target,
        outputMode="CMYK" if profile else "RGB",
        renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
        flags=ImageCms.Flags.BLACKPOINTCOMPENSATION,
    )
    assert cmyk is not None
    out = io.BytesIO()
    cmyk.save(out, "JPEG", quality=JPEG_QUALITY)  # CMYK as Adobe inverted CMYK, as reportlab expects
    return out.getvalue()


def resolution(logo: Logo, placed_width_pt: float) -> float:
    """Effective pixels per inch at the size the logo is printed."""
    return logo.width / (placed_width_pt / 72)


def resolution_diagnostic(logo: Logo, placed_width_pt: float, kind: str) -> Diagnostic | None:
    """A warning under the resolution `kind` (poster, leaflet) asks for; an error under half of it."""
    ppi = resolution(logo, placed_width_pt)
    wanted = WARN_PPI[kind]
    needed_pixels = round(logo.width * wanted / ppi)
    if ppi < wanted * REFUSE_SHARE:
        raise user_error(
            f"the logo is {logo.width} pixels wide: {ppi:.0f} ppi at its printed size on a {kind},"
            " too blurred to print",
            file=logo.path,
            hint=f"use a file at least {needed_pixels} pixels wide (a vector logo exported at that size)",
        )
    if ppi < wanted:
        return Diagnostic(
            Severity.WARNING,
            "logo-resolution",
            f"the logo prints at {ppi:.0f} ppi; {wanted} or more looks sharp on a {kind}",
            file=logo.path,
            hint=f"a file {needed_pixels} pixels wide would",
        )
    return None


class _Opened:
    """Open an image safely: size limit before decoding, one clear error for anything unreadable."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> Image.Image:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                image = Image.open(self.path)
                if image.width * image.height > MAX_PIXELS:
                    raise user_error(
                        f"the image is {image.width} x {image.height} pixels, more than a logo needs",
                        file=self.path,
                        hint="scale it down to a few thousand pixels wide",
                    )
                if image.format not in ("PNG", "JPEG"):
                    raise user_error(
                        f"{image.format} images are not supported",
                        file=self.path,
                        hint="save the logo as PNG or JPEG",
                    )
                image.load()
        except FileNotFoundError:
            raise user_error("logo file not found", file=self.path) from None
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise user_error(
                "the image is too large to open safely",
                file=self.path,
                hint="scale it down to a few thousand pixels wide",
            ) from None
        except (OSError, SyntaxError, ValueError) as exc:
            raise user_error(
                f"not a readable image ({exc})", file=self.path, hint="save the logo again as PNG or JPEG"
            ) from None
        self.image = image
        return image

    def __exit__(self, *_: object) -> None:
        self.image.close()


def _source_profile(embedded: bytes | None) -> ImageCms.ImageCmsProfile:
    if embedded:
        try:
            return ImageCms.ImageCmsProfile(io.BytesIO(embedded))
        except (OSError, ImageCms.PyCMSError):
            pass  # a broken embedded profile: treat the image as sRGB, as browsers do
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
