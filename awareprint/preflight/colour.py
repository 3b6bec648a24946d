"""Colour spaces and ink: what each colour or image puts on paper (spot colours through their tint)."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from typing import Literal, cast

import msgspec
import pikepdf
from PIL import Image, ImageMath

MAX_INK_PERCENT = 300.0


# --- colour spaces --------------------------------------------------------------------------------------

_Kind = Literal["gray", "rgb", "cmyk", "spot", "registration", "none", "pattern", "other"]


class Space(msgspec.Struct, frozen=True):
    """A colour space as preflight sees it: its kind, and how a colour in it turns into ink."""

    kind: _Kind
    label: str
    components: int = 1
    to_cmyk: Callable[[list[float]], list[float] | None] | None = None  # spot tints → process CMYK

    def ink(self, values: list[float]) -> float | None:
        """Percent of ink a colour puts on paper (all plates together), None if it is not ink (RGB)."""
        if self.kind == "cmyk" and len(values) == 4:
            return 100 * sum(values)
        if self.kind == "gray" and len(values) == 1:
            return 100 * (1 - values[0])  # grey prints on the black plate only
        if self.kind == "spot":
            cmyk = self.to_cmyk(values) if self.to_cmyk else None
            return 100 * sum(cmyk) if cmyk is not None else 100 * sum(values)  # else: each tint its own plate
        if self.kind in ("registration", "none"):
            return 0.0
        return None


DEVICE = {
    "/DeviceGray": Space("gray", "DeviceGray"),
    "/G": Space("gray", "DeviceGray"),
    "/DeviceRGB": Space("rgb", "DeviceRGB", 3),
    "/RGB": Space("rgb", "DeviceRGB", 3),
    "/CalRGB": Space("rgb", "CalRGB", 3),
    "/DeviceCMYK": Space("cmyk", "DeviceCMYK", 4),
    "/CMYK": Space("cmyk", "DeviceCMYK", 4),
    "/Pattern": Space("pattern", "Pattern"),
}


def colour_space(value: pikepdf.Object | None, resources: pikepdf.Object | None = None) -> Space:
    """Resolve a colour space: a device name, a name in the resources, or an array."""
    if value is None:
        return Space("other", "unknown")
    if isinstance(value, pikepdf.Name):
        if str(value) in DEVICE:
            return DEVICE[str(value)]
        named = resources.get("/ColorSpace", pikepdf.Dictionary()).get(value) if resources else None
        return colour_space(named) if named is not None else Space("other", str(value))
    if not isinstance(value, pikepdf.Array) or not len(value):
        return Space("other", "unknown")
    family = str(value[0])
    if family in DEVICE and len(value) == 1:
        return DEVICE[family]
    if family == "/ICCBased":
        components = int(value[1].get("/N", 0))
        kinds: dict[int, _Kind] = {1: "gray", 3: "rgb", 4: "cmyk"}
        return Space(kinds.get(components, "other"), f"ICCBased ({components} components)", components)
    if family == "/CalRGB":
        return DEVICE["/CalRGB"]
    if family == "/CalGray":
        return Space("gray", "CalGray")
    if family == "/Indexed":
        base = colour_space(value[1])
        return Space(base.kind if base.kind == "rgb" else "other", f"Indexed {base.label}")
    if family in ("/Separation", "/DeviceN"):
        names = [str(value[1])] if family == "/Separation" else [str(n) for n in value[1]]
        if names == ["/All"]:
            return Space("registration", "Separation All")
        if all(n == "/None" for n in names):
            return Space("none", f"{family[1:]} None")
        alternate = colour_space(value[2])
        to_cmyk = _tint_transform(value[3]) if alternate.kind == "cmyk" else None
        return Space("spot", f"{family[1:]} {' '.join(n.lstrip('/') for n in names)}", len(names), to_cmyk)
    if family == "/Pattern":
        return Space("pattern", "Pattern")
    return Space("other", family.lstrip("/"))


def _tint_transform(function: pikepdf.Object) -> Callable[[list[float]], list[float] | None] | None:
    """Type 2 (exponential) and arithmetic Type 4 (calculator) functions; others are not simple."""
    kind = int(function.get("/FunctionType", -1))
    if kind == 2:
        c0 = [float(v) for v in function.get("/C0", [0.0])]
        c1 = [float(v) for v in function.get("/C1", [1.0])]
        exponent = float(function.get("/N", 1))

        def exponential(values: list[float]) -> list[float]:
            t = max(0.0, min(1.0, values[0])) ** exponent
            return [a + t * (b - a) for a, b in zip(c0, c1, strict=True)]

        return exponential
    if kind == 4 and isinstance(function, pikepdf.Stream):
        program = function.read_bytes().decode("latin-1").replace("{", " ").replace("}", " ").split()
        return lambda values: _calculate(program, values)
    return None


_BINARY: dict[str, Callable[[float, float], float]] = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b if b else 0.0,
}


def _calculate(program: list[str], values: list[float]) -> list[float] | None:
    """Run a PostScript calculator function made only of numbers, arithmetic and stack operators."""
    stack = list(values)
    try:
        for token in program:
            if token in _BINARY:
                b, a = stack.pop(), stack.pop()
                stack.append(_BINARY[token](a, b))
            elif token == "dup":
                stack.append(stack[-1])
            elif token == "exch":
                stack[-1], stack[-2] = stack[-2], stack[-1]
            elif token == "pop":
                stack.pop()
            elif token == "index":
                depth = int(stack.pop())
                stack.append(stack[-1 - depth])
            else:
                stack.append(float(token))
    except (IndexError, ValueError):
        return None  # an operator this small evaluator does not know (if, roll, exp, ...)
    return [max(0.0, min(1.0, v)) for v in stack] if len(stack) == 4 else None


# --- content streams: colour, images, transparency, ink -------------------------------------------------


class Ink(msgspec.Struct):
    percent: float = 0.0
    at: str | None = None
    # each image once per file
    images: dict[tuple[int, int], float | None] = msgspec.field(default_factory=dict)

    def record(self, percent: float | None, at: str) -> None:
        if percent is not None and percent > self.percent + 1e-9:
            self.percent, self.at = percent, at


_INVERTED_CMYK = [1, 0, 1, 0, 1, 0, 1, 0]


_IMAGE_INK: dict[tuple[object, ...], float | None] = {}  # by content: a batch prints one logo in every file
_IMAGE_INK_SIZE = 64


def image_ink(image: pikepdf.Stream, space: Space) -> float | None:
    """The highest ink of any pixel, in percent, for a CMYK or grey image (Decode arrays honoured)."""
    if space.kind not in ("cmyk", "gray") or int(image.get("/BitsPerComponent", 8)) != 8:
        return None
    raw = image.read_raw_bytes()
    how = ("/Filter", "/DecodeParms", "/Decode", "/Width", "/Height")
    key = (hashlib.blake2b(raw, digest_size=16).digest(), space.kind, *(str(image.get(k)) for k in how))
    if key not in _IMAGE_INK:
        if len(_IMAGE_INK) >= _IMAGE_INK_SIZE:
            del _IMAGE_INK[next(iter(_IMAGE_INK))]
        _IMAGE_INK[key] = _decoded_ink(image, raw, space)
    return _IMAGE_INK[key]


def _decoded_ink(image: pikepdf.Stream, raw: bytes, space: Space) -> float | None:
    inverted = [float(v) for v in image.get("/Decode", [])] == _INVERTED_CMYK[: 2 * space.components]
    filters = image.get("/Filter")
    if filters == pikepdf.Name.DCTDecode or (
        isinstance(filters, pikepdf.Array) and list(filters) == ["/DCTDecode"]
    ):
        pixels: Image.Image = Image.open(io.BytesIO(raw))
        # Pillow undoes Adobe's inverted CMYK itself; the /Decode array says whether the PDF does too.
        if "adobe" in pixels.info and pixels.mode == "CMYK":
            inverted = not inverted
    else:
        pixels = pikepdf.PdfImage(image).as_pil_image()
    pixels.load()
    if space.kind == "gray":
        darkest = cast(tuple[int, int], pixels.convert("L").getextrema())  # one band: (low, high)
        ink = darkest[1] if inverted else 255 - darkest[0]
        return 100 * ink / 255
    if pixels.mode != "CMYK":
        return None
    c, m, y, k = (channel.convert("I") for channel in pixels.split())
    total = ImageMath.lambda_eval(lambda px: px["c"] + px["m"] + px["y"] + px["k"], c=c, m=m, y=y, k=k)
    low, high = total.getextrema()
    return 100 * float((4 * 255 - low) if inverted else high) / 255
