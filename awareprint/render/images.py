"""Logos as print needs them: read safely, upright, colour-managed into the print condition, flattened.

A logo comes from a school's website (an RGB PNG, often transparent, often small) or from a print shop (a
CMYK JPEG with its own profile). reportlab would place RGB as RGB (not allowed in CMYK print files)
and print transparent pixels black, so each logo is brought to 8 bits a channel (16-bit and float greys
scaled, palettes expanded), turned upright by its EXIF orientation, converted with LittleCMS (Pillow's
ImageCms) into the output condition's CMYK (print) or sRGB (screen), flattened onto the plate behind it
in that space, and saved as a JPEG the renderer passes through unchanged.

Embedded profiles: one that fits the image's colours (RGB, grey or CMYK) is the source of the conversion.
One that does not fit (a CMYK profile in an RGB file) or that LittleCMS cannot use is ignored with a
note, and the colours are read as an untagged file's are: RGB and grey as sRGB, CMYK as the output
condition's own numbers. A CMYK logo tagged with the output profile itself, or untagged, keeps its numbers
in print, so a black-only line stays black only instead of turning into four inks.
"""

from __future__ import annotations

import functools
import hashlib
import io
import logging
import warnings
from pathlib import Path

import msgspec
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError, features

from awareprint.diagnostics import AwareprintError, Diagnostic, Severity, user_error
from awareprint.load.cache import cached
from awareprint.load.inputs import read_input
from awareprint.units import Cmyk

from .colour import (
    apply,
    as_printed_rgb,
    cms_versions,
    output_profile,
    profile_bytes,
    profile_digest,
    srgb_profile,
    transform,
)

# Decoders that report every fault back to Pillow. Not TIFF: libtiff writes its complaints about a
# damaged file straight to the terminal, past the one line a user should see.
ACCEPTED_FORMATS = ("PNG", "JPEG", "WEBP", "GIF")
ACCEPTED_NAMES = "PNG, JPEG, WebP or GIF"
MAX_FILE_BYTES = 64 * 1024 * 1024  # a print-quality logo is a few MB
MAX_PIXELS = 40_000_000  # far above any logo; a decompression bomb stops here, before decoding
MAX_SIDE = 20_000  # pixels: an A0 poster's width at 600 ppi (JPEG itself stops at 65,535)
WARN_PPI = {"poster": 150, "leaflet": 300, "card": 300}  # by template kind: leaflets are read close up
REFUSE_SHARE = 0.5  # below half the recommended resolution a logo is refused
JPEG_QUALITY = 92
# what makes a converted logo's bytes, besides the logo, its plate and the profile: the persistent cache's key
_CODEC_VERSIONS = f"{cms_versions()} jpeg {features.version('jpg')}"

logging.getLogger("PIL").addHandler(logging.NullHandler())  # its remarks on a damaged file: not for users

_SPACE = {"L": "GRAY", "LA": "GRAY", "RGB": "RGB", "RGBA": "RGB", "CMYK": "CMYK"}  # the modes converted
_OPAQUE = {"GRAY": "L", "RGB": "RGB", "CMYK": "CMYK"}  # the mode of a colour space, without alpha
_EXPANDED = {"1": "L", "P": "RGBA", "PA": "RGBA", "La": "LA", "RGBa": "RGBA", "RGBX": "RGB", "YCbCr": "RGB"}
_SPACE_NAMES = {"GRAY": "greyscale", "RGB": "RGB", "CMYK": "CMYK", "LAB": "Lab"}
_ASSUMED = {"GRAY": "sRGB", "RGB": "sRGB", "CMYK": "the print condition's CMYK"}
_OTHER_FORMATS = (  # files people send as logos that Pillow should not, or cannot, read
    (b"%PDF", "PDF"),
    (b"%!PS", "EPS"),
    (b"\xc5\xd0\xd3\xc6", "EPS"),
    (b"8BPS", "Photoshop"),
    (b"BM", "BMP"),
    (b"II*\0", "TIFF"),
    (b"MM\0*", "TIFF"),
)


class Logo(msgspec.Struct, frozen=True):
    """A logo file, checked and decoded, not yet converted (that needs the colour behind it)."""

    path: Path
    width: int  # pixels, upright
    height: int
    digest: str  # SHA-256 of the file's bytes: what its conversions are cached by
    notes: tuple[Diagnostic, ...] = ()  # what reading it assumed: an embedded profile ignored, frames left

    @property
    def aspect(self) -> float:
        return self.width / self.height


_OPENED_KEPT = 64  # logos a process remembers having opened: a batch worker's recent organisations
_KEPT_PIXELS = 4_000_000  # the last logo's pixels are kept for its conversion up to this size (16 MB)
_opened: dict[tuple[Path, str], Logo] = {}  # by file and content, most recently used last
_last_decoded: dict[tuple[Path, str], _Decoded] = {}  # the pixels of the logo opened last, for logo_jpeg


def open_logo(path: Path) -> Logo:
    """The logo's size and notes. Remembered by its bytes: a batch opens an organisation's logo for each of
    its files, and a file changed since is read again."""
    data = read_logo_bytes(path)
    key = (path, hashlib.sha256(data).hexdigest())
    logo = _opened.pop(key, None)
    if logo is None:
        decoded = _decode(data, path)
        logo = Logo(path, decoded.image.width, decoded.image.height, key[1], decoded.notes)
        _last_decoded.clear()
        if decoded.image.width * decoded.image.height <= _KEPT_PIXELS:
            _last_decoded[key] = decoded
    _opened[key] = logo
    if len(_opened) > _OPENED_KEPT:
        del _opened[next(iter(_opened))]
    return logo


@functools.lru_cache(maxsize=16)
def logo_jpeg(logo: Logo, background: Cmyk, profile: Path, screen: bool) -> bytes:
    """The logo flattened onto `background`: in the CMYK of `profile` (print), or in sRGB as it prints.

    Cached in the process (a card prints its logo on both sides) and in the persistent cache, by the
    logo's bytes, so the batch's workers convert each organisation's logo once between them.
    """
    key = (
        logo.digest,
        ",".join(str(v) for v in (background.c, background.m, background.y, background.k)),
        profile_digest(str(profile)),
        "screen" if screen else "print",
        str(JPEG_QUALITY),
        _CODEC_VERSIONS,
    )
    return cached("logo-jpeg", key, lambda: _flattened_jpeg(logo, background, profile, screen))


def _flattened_jpeg(logo: Logo, background: Cmyk, profile: Path, screen: bool) -> bytes:
    decoded = _last_decoded.get((logo.path, logo.digest))
    if decoded is None:
        data = read_logo_bytes(logo.path)
        if hashlib.sha256(data).hexdigest() != logo.digest:
            raise user_error("the logo changed while it was being used", file=logo.path, hint="run again")
        decoded = _decode(data, logo.path)
    image = decoded.image
    alpha = image.getchannel("A") if image.mode in ("LA", "RGBA") else None
    converted = _converted(image, decoded.profile, str(profile), screen)
    plate: tuple[float, ...]
    if screen:
        plate = as_printed_rgb([background], profile)[background]
    else:
        plate = (background.c, background.m, background.y, background.k)
    flat = Image.new(converted.mode, converted.size, tuple(round(v * 255) for v in plate))
    flat.paste(converted, mask=alpha)
    out = io.BytesIO()
    flat.save(out, "JPEG", quality=JPEG_QUALITY)  # CMYK as Adobe inverted CMYK, as reportlab expects
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


def read_logo_bytes(path: Path) -> bytes:
    """The file's bytes, at most MAX_FILE_BYTES, through the one bounded reader (a device or FIFO never
    ends). The one place a logo file is read."""
    return read_input(path, MAX_FILE_BYTES, "logo file")


class _Decoded(msgspec.Struct, frozen=True):
    image: Image.Image  # upright, in one of the modes of _SPACE
    profile: bytes | None  # the embedded ICC profile, if it fits the pixels and LittleCMS can use it
    notes: tuple[Diagnostic, ...]


def _decode(data: bytes, path: Path) -> _Decoded:
    """The logo's pixels, or one clear error: sizes are checked from the header, before decoding."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow's remarks on odd metadata: the image itself reads
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as opened:
                _check_size(opened, path)
                animated = getattr(opened, "is_animated", False)
                opened.load()
                embedded = opened.info.get("icc_profile")
                image = _expanded(ImageOps.exif_transpose(opened), path)
    except AwareprintError:
        raise
    except UnidentifiedImageError:
        raise _not_accepted(data, path) from None
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise user_error(
            "the image is too large to open safely",
            file=path,
            hint="scale it down to a few thousand pixels wide",
        ) from None
    except Exception as exc:  # a decoder meeting a damaged or hostile file fails in many ways
        raise user_error(
            f"not a readable image ({type(exc).__name__}: {exc})",
            file=path,
            hint=f"save the logo again as {ACCEPTED_NAMES}",
        ) from None
    profile, profile_note = _usable_profile(embedded, _SPACE[image.mode], path)
    notes = [profile_note] if profile_note else []
    if animated:
        notes.append(
            Diagnostic(
                Severity.INFO,
                "logo-frames",
                "the logo has several frames (animated, or pages): the first prints",
                file=path,
            )
        )
    return _Decoded(image, profile, tuple(notes))


def _check_size(image: Image.Image, path: Path) -> None:
    width, height = image.size
    if width < 1 or height < 1:
        raise user_error("the image is empty (no pixels)", file=path)
    if max(width, height) > MAX_SIDE or width * height > MAX_PIXELS:
        raise user_error(
            f"the image is {width:,} x {height:,} pixels, more than a logo needs",
            file=path,
            hint=f"scale it down to a few thousand pixels a side; {MAX_SIDE:,} at most",
        )


def _not_accepted(data: bytes, path: Path) -> AwareprintError:
    """Name what the file is when it is something people often send as a logo (a PDF, an SVG)."""
    head = data[:1024].lstrip()
    kind = next((name for magic, name in _OTHER_FORMATS if head.startswith(magic)), None)
    if kind is None and b"<svg" in head:
        kind = "SVG"
    if kind is None and data[4:8] == b"ftyp":
        kind = "HEIC or AVIF"
    what = f"the file is in {kind} format" if kind else "not a readable image"
    return user_error(
        f"{what}; a logo is a {ACCEPTED_NAMES} image",
        file=path,
        hint=f"export the logo as {ACCEPTED_NAMES}" + (" at a few thousand pixels wide" if kind else ""),
    )


def _expanded(image: Image.Image, path: Path) -> Image.Image:
    """The image at 8 bits a channel in a mode LittleCMS converts: L, LA, RGB, RGBA or CMYK.

    16-bit greys are scaled down (a plain conversion clips them to white). 32-bit integer and float greys
    have no fixed range: 0..1, 0..255 and 0..65535 are read as such, anything larger by its maximum.
    """
    mode = image.mode
    if mode in _SPACE:
        return image
    if mode in _EXPANDED:
        return image.convert(_EXPANDED[mode])  # palettes keep their transparency as alpha
    if mode.startswith("I;16"):
        return image.convert("I").point(lambda v: v / 257).convert("L")
    if mode in ("I", "F"):
        top = float(image.getextrema()[1])  # type: ignore[arg-type]
        scale = 255 if top <= 1 else 1 if top <= 255 else 1 / 257 if top <= 65535 else 255 / top
        return image.point(lambda v: v * scale).convert("L")
    raise user_error(
        f"the image's colours are in a mode a logo cannot use ({mode})",
        file=path,
        hint=f"save the logo as an RGB or CMYK {ACCEPTED_NAMES} image",
    )


def _usable_profile(embedded: bytes | None, space: str, path: Path) -> tuple[bytes | None, Diagnostic | None]:
    """The embedded profile if it fits the pixels and converts; otherwise none, and a note saying so."""
    if not embedded:
        return None, None
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(embedded))
        found = profile.profile.xcolor_space.strip().upper()
        if found == space:
            transform(profile, srgb_profile(), _OPAQUE[space], "RGB")  # usable as a source, as converted
            return embedded, None
        problem = f"is for {_SPACE_NAMES.get(found, found)} images, but the logo is {_SPACE_NAMES[space]}"
    except (OSError, ValueError, ImageCms.PyCMSError):
        problem = "cannot be read"
    return None, Diagnostic(
        Severity.INFO,
        "logo-profile",
        f"the logo's embedded colour profile {problem}: ignored, its colours read as {_ASSUMED[space]}",
        file=path,
        hint="export the logo again with a matching colour profile, or none, to silence this",
    )


def _converted(image: Image.Image, embedded: bytes | None, profile: str, screen: bool) -> Image.Image:
    """The image's colours, without alpha, in the print condition's CMYK or (screen) in sRGB."""
    space = _SPACE[image.mode]
    colours = image.convert(_OPAQUE[space])
    if space == "CMYK":
        if not screen and (embedded is None or _is_profile(embedded, profile)):
            return colours  # already the print condition's numbers
        source = _opened_profile(embedded) if embedded else output_profile(profile)
    elif embedded:
        source = _opened_profile(embedded)
    else:
        colours = colours.convert("RGB")  # untagged grey and RGB are sRGB
        if screen:
            return colours
        source = srgb_profile()
    if screen:
        return apply(transform(source, srgb_profile(), colours.mode, "RGB"), colours)
    return apply(transform(source, output_profile(profile), colours.mode, "CMYK"), colours)


def _opened_profile(embedded: bytes) -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(io.BytesIO(embedded))


def _is_profile(embedded: bytes, profile: str) -> bool:
    """The embedded profile is the output profile: the same bytes, or the same profile ID in the header."""
    output = profile_bytes(profile)
    identifier = embedded[84:100]
    return embedded == output or (any(identifier) and identifier == output[84:100])
