"""Whether an ICC profile is whole and usable as a CMYK print profile: read by `--profile` before it is
embedded, and by preflight for the profile a PDF's OutputIntent carries.

A truncated profile (the first third of FOGRA39) still says CMYK in its header, so the header alone is not
enough: the size it declares must be the size it has, every tag must lie inside it, and LittleCMS must be
able to build a transform from it, as a print shop's RIP will.
"""

from __future__ import annotations

import hashlib
import io
import struct

HEADER_BYTES = 128  # then the tag count and the tag table


def profile_problem(data: bytes) -> str | None:
    """What is wrong with `data` as a CMYK output profile, in words for a user; None if nothing is."""
    if len(data) < HEADER_BYTES + 4 or data[36:40] != b"acsp":
        return "not an ICC profile"
    declared = struct.unpack_from(">I", data, 0)[0]
    if declared != len(data):
        return f"the profile is damaged or cut short: it declares {declared:,} bytes and has {len(data):,}"
    if data[12:16] != b"prtr":
        return (
            f"a {data[12:16].decode('latin-1').strip() or 'unknown'} profile, not an output (printer) profile"
        )
    if data[16:20] != b"CMYK":
        return f"a {data[16:20].decode('latin-1').strip() or 'unknown'} profile, not a CMYK one"
    count = struct.unpack_from(">I", data, HEADER_BYTES)[0]
    if HEADER_BYTES + 4 + 12 * count > len(data):
        return "the profile is damaged: its tag table runs past its end"
    for index in range(count):
        _, offset, size = struct.unpack_from(">4sII", data, HEADER_BYTES + 4 + 12 * index)
        if offset + size > len(data):
            return "the profile is damaged: a tag runs past its end"
    return _transform_problem(data)


def _transform_problem(data: bytes) -> str | None:
    """Building the transform takes LittleCMS about 40 ms, and every file of a batch carries the same
    profile: the answer is kept by the profile's digest, in this process and in the persistent cache."""
    digest = hashlib.sha256(data).digest()
    if digest not in _TRANSFORM_PROBLEMS:
        from awareprint.load.cache import cached

        from .colour import cms_versions

        answer = cached("icc-transform", (digest, cms_versions()), lambda: _build_transform(data).encode())
        _TRANSFORM_PROBLEMS[digest] = answer.decode() or None
    return _TRANSFORM_PROBLEMS[digest]


_TRANSFORM_PROBLEMS: dict[bytes, str | None] = {}  # by the profile's SHA-256: a few profiles at most


def _build_transform(data: bytes) -> str:
    """The problem LittleCMS finds building a transform from the profile, or "" if it builds."""
    from PIL import ImageCms

    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(data))
        ImageCms.buildTransform(profile, ImageCms.createProfile("sRGB"), "CMYK", "RGB")
    except (OSError, ImageCms.PyCMSError) as exc:
        return f"no colour conversion can be built from the profile ({exc})"
    return ""
