"""Decode an uploaded image once, no larger than the derivatives need, within a pixel budget.

The file is opened with the decoder its magic bytes name (never by guessing), its declared size
is checked against ``max_pixels`` before any pixel is decoded, and the decoded pixels are
reduced at once, so that at most one full-size image is ever held:

* JPEG is decoded already scaled down by libjpeg (``draft``: 1/2, 1/4 or 1/8 in the DCT
  domain), so a 12 MP photo is never decoded at full size.
* HEIF has no scaled decoding: libheif decodes the full image and we reduce it strip by strip
  straight out of libheif's buffer, instead of copying all of it into Pillow first. Decoding is
  most of the CPU a HEIC costs (libde265 entropy decoding, SAO, then libheif's YCbCr->RGB), and
  pillow-heif offers no setting that makes it cheaper: its thread count (``DECODE_THREADS``)
  changes the wall time of tiled (phone) images, not the CPU time, so we keep its default.
* PNG and WebP are decoded at full size, converted and reduced, and the full image dropped.

Nothing here touches Pillow's global settings (MAX_IMAGE_PIXELS, LOAD_TRUNCATED_IMAGES), so
callers and other threads keep Pillow's defaults.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from typing import IO

import pillow_heif
from PIL import Image, ImageChops, JpegImagePlugin, PngImagePlugin, WebPImagePlugin

from . import imagetype
from .photo_errors import CorruptImage, ImageTooLarge, PhotoRejected

#: Largest image accepted by default: a 200 MP phone sensor (16384 x 12288 = 201 MP; the
#: Galaxy S24 Ultra writes 16320 x 12240) with 10 % to spare. Decoding that much as HEIF
#: costs about 0.9 GB for a moment (libheif's own buffers); JPEGs cost far less (scaled decode).
DEFAULT_MAX_PIXELS = 220_000_000

#: A JPEG whose data stops before its end is kept if at least this share of the picture (from
#: the top) decoded: phones sometimes write files a few bytes short (drew_User_Comment_Encoding.jpg
#: is 33 bytes short and shows all of its picture), while a file cut in half in transit is not a
#: usable photo and should be sent again.
MIN_DECODED_SHARE = 0.9

# libjpeg fills the blocks it had no data for with zero coefficients: flat mid-grey.
_MISSING_JPEG_GREY = 128
_STRIP_ROWS = 256
# Boxes found at the top level of HEIF files (ISO/IEC 14496-12 and 23008-12).
_TOP_LEVEL_BOXES = {b"ftyp", b"meta", b"mdat", b"moov", b"moof", b"mfra", b"free", b"skip", b"wide",
                    b"uuid", b"meco", b"idat", b"styp", b"sidx", b"pdin"}
# Everything Pillow's and pillow-heif's parsers and decoders raise on bad bytes.
_DECODER_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError, TypeError,
                   struct.error, RuntimeError, ZeroDivisionError)


@dataclass
class DecodedPhoto:
    """Pixels ready for the derivatives, and what the file said about them.

    ``image`` is as stored (not yet oriented), reduced but never below what a ``longest``-pixel
    copy needs. ``stored_size`` is the full size in the file. ``pixels_upright`` is True when the
    decoder already applied the file's rotation (HEIF). ``truncated`` marks a JPEG accepted
    although its data ended early.
    """

    image: Image.Image
    stored_size: tuple[int, int]
    exif: bytes | None
    icc_profile: bytes | None
    pixels_upright: bool = False
    truncated: bool = False


def decode_photo(fp: IO[bytes], content_type: str, *, longest: int, max_pixels: int) -> DecodedPhoto:
    """Decode the image in ``fp`` (of the sniffed ``content_type``) for copies of ``longest`` px.

    Raises `ImageTooLarge` when the declared size exceeds ``max_pixels``, and `CorruptImage`
    when the file cannot be decoded or (JPEG) too little of it is present.
    """
    try:
        if content_type == imagetype.JPEG:
            return _decode_jpeg(fp, longest, max_pixels)
        if content_type in (imagetype.HEIC, imagetype.HEIF):
            return _decode_heif(fp, longest, max_pixels)
        opener = PngImagePlugin.PngImageFile if content_type == imagetype.PNG else WebPImagePlugin.WebPImageFile
        return _decode_full(opener, fp, longest, max_pixels)
    except PhotoRejected:  # our own verdicts (they are ValueErrors too) pass through unchanged
        raise
    except Image.DecompressionBombError as exc:  # Pillow's own WebP check, before ours can run
        raise ImageTooLarge("the image has far too many pixels to be a photo") from exc
    except _DECODER_ERRORS as exc:
        raise CorruptImage("the image file is damaged or incomplete and cannot be read") from exc


class _TolerantJpeg(JpegImagePlugin.JpegImageFile):
    """A JPEG that finishes decoding when its data ends early, and remembers that it did.

    When the file runs out, the decoder is handed an end-of-image marker, as libjpeg's own file
    reader does; the missing blocks come out grey. This is Pillow's LOAD_TRUNCATED_IMAGES
    behaviour for this one image only, instead of a process-wide switch.
    """

    ran_out = False

    def load_read(self, read_bytes: int) -> bytes:
        data = self.fp.read(read_bytes)
        if not data and not self.ran_out:
            self.ran_out = True
            return b"\xff\xd9"
        return data


def _decode_jpeg(fp: IO[bytes], longest: int, max_pixels: int) -> DecodedPhoto:
    image = _TolerantJpeg(fp)
    stored = image.size
    _check_pixels(stored, max_pixels)
    exif, icc = image.info.get("exif"), image.info.get("icc_profile")
    # libjpeg picks the largest 1/2, 1/4, 1/8 scale that still covers this size.
    image.draft("RGB", _covering_size(stored, longest))
    image.load()
    if image.ran_out:
        share = _decoded_share(image)
        if share < MIN_DECODED_SHARE:
            raise CorruptImage(f"the photo file is incomplete: only {share:.0%} of the picture could be read")
    return DecodedPhoto(image, stored, exif, icc, truncated=image.ran_out)


def _decode_heif(fp: IO[bytes], longest: int, max_pixels: int) -> DecodedPhoto:
    data = fp.read()  # pillow-heif reads the whole file anyway
    # libheif decodes a grid image whose tiles lie past the end of a cut file without an error,
    # painting the missing tiles green; the box structure shows the cut, so check it first.
    if _last_box_overruns(data):
        raise CorruptImage("the photo file is incomplete: its data stops before the end of the picture")
    heif = pillow_heif.open_heif(data, convert_hdr_to_8bit=True)
    primary = heif[heif.primary_index]
    _check_pixels(primary.size, max_pixels)
    exif, icc = primary.info.get("exif"), primary.info.get("icc_profile")
    # Decoding happens here; libheif applies the HEIF rotation/mirror (irot/imir) as it goes,
    # so the size is read afterwards and the EXIF Orientation must not be applied again.
    pixels = memoryview(primary.data)
    size, mode, stride = primary.size, primary.mode, primary.stride
    factor = _reduce_factor(size, longest)
    if factor == 1:
        # Nothing to reduce: take the buffer whole (at most one copy), not strip by strip (three).
        image = Image.frombuffer(mode, size, pixels, "raw", mode, stride, 1)
    else:
        image = _reduce_in_strips(pixels, mode, size, stride, factor)
    return DecodedPhoto(image, size, exif, icc or None, pixels_upright=True)


def _decode_full(opener: type[Image.Image], fp: IO[bytes], longest: int, max_pixels: int) -> DecodedPhoto:
    full = opener(fp)
    stored = full.size
    _check_pixels(stored, max_pixels)
    full.load()
    exif, icc = full.info.get("exif"), full.info.get("icc_profile")  # PNG's eXIf may follow IDAT
    # Palette and 16-bit images cannot be reduced as they are; convert first (one full copy).
    converted = _reducible(full)
    if converted is not full:
        full.close()
    image = converted.reduce(_reduce_factor(stored, longest))
    converted.close()
    return DecodedPhoto(image, stored, exif, icc)


def _last_box_overruns(data: bytes) -> bool:
    """True when an ISO-BMFF top-level box (ftyp, meta, mdat, ...) claims bytes the file lacks."""
    at = 0
    while at + 8 <= len(data):
        size, kind = int.from_bytes(data[at:at + 4], "big"), data[at + 4:at + 8]
        if kind not in _TOP_LEVEL_BOXES:
            return False  # not a box: trailing bytes some tool appended, not our business
        if size == 1:  # a 64-bit size follows the type
            size = int.from_bytes(data[at + 8:at + 16], "big")
        elif size == 0:  # the box runs to the end of the file
            return False
        if size < 8:
            return False
        at += size
    return at > len(data)


def _check_pixels(size: tuple[int, int], max_pixels: int) -> None:
    width, height = size
    if width < 1 or height < 1:
        raise CorruptImage("the image declares no pixels")
    if width * height > max_pixels:
        raise ImageTooLarge(
            f"the image is {width} x {height} pixels ({width * height / 1e6:.0f} megapixels); "
            f"the most accepted is {max_pixels / 1e6:.0f} megapixels"
        )


def _covering_size(size: tuple[int, int], longest: int) -> tuple[int, int]:
    """The size, shrunk to ``longest`` on its longer side (rounded up), never enlarged."""
    width, height = size
    scale = min(1.0, longest / max(width, height))
    return max(1, math.ceil(width * scale)), max(1, math.ceil(height * scale))


def _reduce_factor(size: tuple[int, int], longest: int) -> int:
    # The largest whole factor that still leaves ``longest`` pixels, as libjpeg's scaled decode
    # does for JPEGs; the Lanczos resize does the rest. On a 12 MP photo, box-reducing 4000 px
    # to 2000 first comes out within 47 dB PSNR of Lanczos from the full image (JPEG's 1/2-scale
    # decode: 47 dB too) and halves the resize's CPU time (105 -> 53 ms).
    return max(1, max(size) // longest)


def _reduce_in_strips(pixels: memoryview, mode: str, size: tuple[int, int], stride: int, factor: int) -> Image.Image:
    """``Image.reduce(factor)`` of a raw buffer, a few hundred rows at a time.

    Strips start on multiples of ``factor``, so the result equals reducing the whole image.
    """
    width, height = size
    out = Image.new(mode, (math.ceil(width / factor), math.ceil(height / factor)))
    rows = factor * max(1, _STRIP_ROWS // factor)
    for top in range(0, height, rows):
        count = min(rows, height - top)
        chunk = pixels[top * stride:(top + count) * stride]
        strip = Image.frombuffer(mode, (width, count), chunk, "raw", mode, stride, 1)
        out.paste(strip.reduce(factor), (0, top // factor))
    return out


def _reducible(image: Image.Image) -> Image.Image:
    """The image in a mode ``reduce`` and the later conversions handle well."""
    if image.mode == "P":
        return image.convert("RGBA" if "transparency" in image.info else "RGB")
    if image.mode == "1":
        return image.convert("L")
    if image.mode.startswith("I") or image.mode == "F":
        # 16-bit grey: scale to 8 bits instead of clipping everything above 255 to white.
        return image.convert("I").point(lambda value: value * (1 / 257)).convert("L")
    return image


def _decoded_share(image: Image.Image) -> float:
    """The share of rows, from the top, holding more than libjpeg's grey filler."""
    filler = Image.new(image.mode, image.size, (_MISSING_JPEG_GREY,) * len(image.getbands()))
    box = ImageChops.difference(image, filler).getbbox()
    return 0.0 if box is None else box[3] / image.height
