"""The copies we show instead of the original: upright, sRGB, JPEG, and free of metadata.

The original keeps its EXIF as evidence; the copies carry none (no EXIF, no GPS, no XMP, no ICC
profile), because they are what ends up in browsers, notices and exports. Colours are converted
to sRGB first, so dropping the profile does not change how they look (iPhones shoot Display P3).
"""

from __future__ import annotations

import functools
import io

from PIL import Image, ImageCms

#: Longest side of the display copy and of the thumbnail, in pixels.
DISPLAY_LONGEST = 1600
THUMBNAIL_LONGEST = 320

_JPEG_QUALITY = 85

# EXIF orientation -> the transpose that shows the stored pixels upright.
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def upright_size(size: tuple[int, int], orientation: int) -> tuple[int, int]:
    """The size once ``orientation`` is applied (5-8 swap width and height)."""
    return (size[1], size[0]) if orientation in (5, 6, 7, 8) else size


def fitted_size(size: tuple[int, int], longest: int) -> tuple[int, int]:
    """``size`` scaled so its longer side is ``longest``; never enlarged."""
    width, height = size
    scale = min(1.0, longest / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def fit(image: Image.Image, longest: int) -> Image.Image:
    """A copy no longer than ``longest`` on either side (never upscaled)."""
    size = fitted_size(image.size, longest)
    if size == image.size:
        return image.copy()
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0)


def make_display(image: Image.Image, *, orientation: int, icc_profile: bytes | None) -> Image.Image:
    """The display copy of decoded pixels: at most `DISPLAY_LONGEST`, upright, RGB or L in sRGB.

    Resizing comes before rotating and colour conversion, so those work on the small image.
    """
    display = fit(image, DISPLAY_LONGEST)
    if orientation in _TRANSPOSE:
        display = display.transpose(_TRANSPOSE[orientation])
    return _to_srgb(display, icc_profile)


def encode_jpeg(image: Image.Image) -> bytes:
    """JPEG bytes of ``image`` with no metadata segments at all (only the JFIF header).

    Clears ``image.info``: resize and transpose copy the original's ``info`` (EXIF, ICC, XMP)
    along, and nothing of it may reach the file whatever a Pillow version does with it.
    """
    image.info.clear()
    out = io.BytesIO()
    image.save(out, "JPEG", quality=_JPEG_QUALITY, optimize=True)
    return out.getvalue()


def _to_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """RGB (or L) pixels meant as sRGB, transparency flattened onto white."""
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", image.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat  # the profile (if any) still describes these RGB values
    if image.mode in ("RGB", "CMYK") and icc_profile:
        converted = _apply_profile(image, icc_profile)
        if converted is not None:
            return converted
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    return image


def _apply_profile(image: Image.Image, icc_profile: bytes) -> Image.Image | None:
    """``image`` converted from its embedded profile to sRGB; None if the profile is unusable."""
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        if image.mode == "RGB" and ImageCms.getProfileDescription(source).strip().lower().startswith("srgb"):
            return image  # already sRGB: skip a costly no-op transform
        transform = ImageCms.buildTransform(source, _srgb(), image.mode, "RGB")
        return ImageCms.applyTransform(image, transform)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        # A broken or mismatched profile (a grey profile on RGB pixels, …): use the pixels as sRGB.
        return None


@functools.cache
def _srgb() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
