"""QR encoding (zxing-cpp): the symbol is data by the time it reaches the renderer."""

from __future__ import annotations

import functools

import zxingcpp

QUIET_ZONE = 4  # modules of white around the symbol, as ISO/IEC 18004 asks


@functools.lru_cache(maxsize=64)
def qr_modules(data: str) -> tuple[tuple[bool, ...], ...]:
    """Error correction level M: about 15 % of the symbol may be damaged or dirty and still scan."""
    symbol = zxingcpp.create_barcode(data, zxingcpp.BarcodeFormat.QRCode, options="ecLevel=M")
    image = symbol.to_image(scale=1, add_quiet_zones=False)
    rows, columns = image.shape
    pixels = memoryview(image)  # type: ignore[arg-type]  # zxing-cpp's Image is a buffer; its hints do not say
    return tuple(tuple(pixels[row, column] == 0 for column in range(columns)) for row in range(rows))
