"""What decoding one photo costs in memory, estimated from its header before any pixel is decoded.

The figures are this machine's measured peaks (Pillow 13, libjpeg-turbo 3.2, libheif 1.23, libwebp 1.6; peak RSS
of one ``process_photo`` above the process's RSS before it), rounded up into simple formulas. Each estimate is
what `media.decode_gate.DecodeGate` holds while the photo is decoded and its copies are made:

* JPEG: libjpeg decodes scaled down (1/2 .. 1/8) straight into the output image, so a baseline photo costs its
  scaled output only (a 36 MP baseline JPEG: 63 MB). A progressive JPEG, or one whose first scan lacks a
  component, is buffered whole as DCT coefficients first: 128 bytes per 8 x 8 block of every component, about
  3 bytes per pixel at 4:2:0 and 6 at 4:4:4 (36 MP: 138 and 241 MB).
* HEIC/HEIF: libheif holds the decoded YCbCr planes and the interleaved RGB(A) it converts them to, plus a
  planar RGB step when the chroma is not 4:2:0 or the depth is above 8 bits: 4.5 bytes per pixel for a phone's
  8-bit 4:2:0 (the 200 MP Galaxy S24 Ultra photo peaks at 870 MB; 12 MP: 58 MB), 6.6 with alpha, 7.5 at 10 bits,
  8.9 at 4:4:4 (12 MP: 79, 90, 107 MB).
* PNG: the full image in Pillow's layout (4 bytes per pixel for RGB and RGBA, 2 for 16-bit grey, 1 for grey,
  palette and 1-bit), reduced a strip at a time (36 MP RGBA: 150 MB).
* WebP: Pillow decodes through libwebp's animation decoder, which keeps a canvas and a frame of its own, hands
  over a copy, and Pillow copies that into the image: 16 bytes per pixel (36 MP: 549 MB), plus the file twice.

Every photo also costs the work on its reduced pixels (at most 3200 px on the long side) and its display copy
and thumbnail: `COPIES_BYTES`.
"""

from __future__ import annotations

import math

MB = 1024 * 1024
#: The display copy and thumbnail made from the reduced pixels: resize, rotate, colour conversion, encoding.
COPIES_BYTES = 40 * MB
_HEIF_CHROMA_SHARE = {420: 0.5, 422: 1.0, 444: 2.0, 400: 0.0}
# Bytes per pixel of an image in Pillow's memory layout, by mode (RGB is kept as 4 bytes a pixel).
_PILLOW_BYTES = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16B": 2, "I;16L": 2}


def reduced_bytes(size: tuple[int, int], factor: int, bands: int = 4) -> int:
    """The pixels of ``size`` box-reduced by ``factor``, as Pillow holds them."""
    return math.ceil(size[0] / factor) * math.ceil(size[1] / factor) * bands


def jpeg(scaled_size: tuple[int, int], blocks: int, *, buffered: bool) -> int:
    """A JPEG decoded at ``scaled_size``; ``blocks`` 8 x 8 blocks of all components, kept if ``buffered``."""
    coefficients = blocks * 64 * 2 if buffered else 0
    return COPIES_BYTES + scaled_size[0] * scaled_size[1] * 4 + coefficients


def jpeg_blocks(size: tuple[int, int], sampling: list[tuple[int, int]]) -> int:
    """How many 8 x 8 blocks libjpeg allocates for a frame of ``size`` with these (h, v) sampling factors."""
    h_max = max(h for h, _v in sampling)
    v_max = max(v for _h, v in sampling)
    mcu_columns = math.ceil(size[0] / (8 * h_max))
    mcu_rows = math.ceil(size[1] / (8 * v_max))
    return sum(mcu_columns * h * mcu_rows * v for h, v in sampling)


def heif(size: tuple[int, int], *, bit_depth: int, chroma: int, alpha: bool, file_bytes: int,
         reduced: int) -> int:
    """An HEIF image decoded whole by libheif, then reduced (``reduced`` bytes)."""
    sample = 1 if bit_depth <= 8 else 2
    planes = (1 + _HEIF_CHROMA_SHARE.get(chroma, 2.0) + (1 if alpha else 0)) * sample
    channels = 4 if alpha else 3
    planar_rgb = channels * sample if (chroma != 420 or bit_depth > 8) else 0
    per_pixel = planes + channels + planar_rgb
    return COPIES_BYTES + file_bytes + math.ceil(size[0] * size[1] * per_pixel) + reduced


def png(size: tuple[int, int], mode: str, *, reduced: int) -> int:
    """A PNG decoded whole into Pillow's ``mode``, then reduced strip by strip."""
    return COPIES_BYTES + size[0] * size[1] * _PILLOW_BYTES.get(mode, 4) + reduced


def webp(size: tuple[int, int], *, file_bytes: int, reduced: int) -> int:
    """A WebP decoded by Pillow (libwebp's animation decoder), then reduced."""
    return COPIES_BYTES + 2 * file_bytes + size[0] * size[1] * 16 + reduced
