"""How many pixels a photo of each format may declare, and how few bytes may carry them.

Both are checked on the header alone, before a pixel is decoded, so a decompression bomb costs us a few
header bytes of reading, never the gigabytes it claims.

**Pixels, by format, sized to what phones produce:**

* JPEG and HEIC/HEIF come from cameras. The largest phone sensors are 200 MP: Samsung's ISOCELL HP1/HP2/HP3
  (Galaxy S23/S24/S25 Ultra, Xiaomi 12T Pro, Motorola Edge 30 Ultra) write 16320 x 12240 = 199.8 MP, and
  ``tests/fixtures/photos/pillowheif_200MP.heic`` is such a photo (12240 x 16320, Galaxy S24 Ultra). Phone
  panoramas are smaller (an iPhone's are at most 63 MP). 210 MP leaves 5 % to spare.
* PNG and WebP are screenshots and edited photos, never a camera's own output: the largest phone screens are
  1440 x 3200 (4.6 MP; an iPad Pro 13" 2064 x 2752, 5.7 MP), a long scrolling capture 1440 x 20000 (29 MP), and
  a 12 MP (4032 x 3024) or 24 MP (6000 x 4000) photo edited and saved again stays below 40 MP. They are also
  the formats we must decode whole (see ``media.decode_cost``): 40 MP.

**Bytes per declared pixel**, for images of more than `PLAUSIBLE_FROM_PIXELS` (below that a decode costs little
whatever the file holds). A real photo of N megapixels needs some data for each pixel; a file far below that is
not a photo but a header that lies, or a bomb made of one flat colour. Each floor is a quarter or less of the
leanest real file we know in its format, and far above what the bombs of issue 12 carried:

* JPEG 0.004: the flattest real phone file in our fixtures (ianare_67-0_length_string.jpg, Galaxy S7, one flat
  grey) has 0.020 bytes per pixel; a flat frame takes 0.016 with standard Huffman tables and 0.006 with
  optimised ones; the 26 KB file claiming 14000 x 14000 has 0.00013.
* HEIC/HEIF 0.002: the real 200 MP Galaxy S24 Ultra photo has 0.012; x265 encodes a flat 36 MP frame in 0.0006.
* PNG 0.001: a dark-mode screenshot of an empty screen has 0.0045 (RGB) and about 0.0015 as a palette image;
  zlib cannot go below about 1/1032 of the raw rows (all-zero RGBA 0.0039, palette 0.001, 1-bit 0.00012). So
  PNG's floor only catches sub-byte bombs: the all-zero 852 KB RGBA PNG of 219 MP is refused by its pixels.
* WebP 0.0004: a lossless screenshot of an empty dark screen has 0.0008, a flat lossless frame 0.00004.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from . import imagetype
from .photo_errors import ImageTooLarge, ImplausibleImage

PLAUSIBLE_FROM_PIXELS = 2_000_000


@dataclass(frozen=True)
class FormatLimit:
    """The most pixels one format may declare, and the fewest bytes per pixel above `PLAUSIBLE_FROM_PIXELS`."""

    max_pixels: int
    min_bytes_per_pixel: float


PHONE_LIMITS: dict[str, FormatLimit] = {
    imagetype.JPEG: FormatLimit(max_pixels=210_000_000, min_bytes_per_pixel=0.004),
    imagetype.HEIC: FormatLimit(max_pixels=210_000_000, min_bytes_per_pixel=0.002),
    imagetype.HEIF: FormatLimit(max_pixels=210_000_000, min_bytes_per_pixel=0.002),
    imagetype.PNG: FormatLimit(max_pixels=40_000_000, min_bytes_per_pixel=0.001),
    imagetype.WEBP: FormatLimit(max_pixels=40_000_000, min_bytes_per_pixel=0.0004),
}

_NAMES = {imagetype.JPEG: "JPEG", imagetype.HEIC: "HEIC", imagetype.HEIF: "HEIF", imagetype.PNG: "PNG",
          imagetype.WEBP: "WebP"}


@dataclass(frozen=True)
class PixelLimits:
    """The limits by content type (`PHONE_LIMITS` unless a caller, such as a test, sets others)."""

    by_type: dict[str, FormatLimit] = field(default_factory=lambda: dict(PHONE_LIMITS))

    def capped(self, max_pixels: int) -> PixelLimits:
        """These limits with no format allowed more than ``max_pixels``."""
        return PixelLimits({kind: replace(limit, max_pixels=min(limit.max_pixels, max_pixels))
                            for kind, limit in self.by_type.items()})

    def check(self, content_type: str, size: tuple[int, int], file_bytes: int) -> None:
        """Refuse a declared ``size`` (width, height) the format may not have, or that ``file_bytes`` cannot hold.

        Raises `ImageTooLarge` above the format's pixels and `ImplausibleImage` below its bytes per pixel.
        """
        width, height = size
        pixels = width * height
        limit = self.by_type[content_type]
        name = _NAMES.get(content_type, content_type)
        if pixels > limit.max_pixels:
            raise ImageTooLarge(
                f"the image is {width} x {height} pixels ({pixels / 1e6:.0f} megapixels); the most accepted for a "
                f"{name} is {limit.max_pixels / 1e6:.0f} megapixels"
            )
        if pixels > PLAUSIBLE_FROM_PIXELS and file_bytes < pixels * limit.min_bytes_per_pixel:
            raise ImplausibleImage(
                f"the file declares {width} x {height} pixels ({pixels / 1e6:.0f} megapixels) in only "
                f"{_size_text(file_bytes)}: far too little data for a photo of that size; send the photo as the "
                "camera saved it"
            )


def _size_text(count: int) -> str:
    return f"{count / 1e6:.1f} MB" if count >= 1e6 else f"{max(1, round(count / 1e3))} KB"
