"""Facts a photo's EXIF block states: where, when, with what, and which way up.

Phones and cameras write EXIF in many slightly wrong ways, and a bad tag must never cost us the
photo itself: every field is read on its own, and a field that cannot be read is simply None.
Values are taken as written; the caller decides how much to trust them (camera clocks drift,
and a GPS fix can be minutes old).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any, Callable, TypeVar

from PIL import Image

from media.instants import instant_in_range

_T = TypeVar("_T")

# Tag numbers (EXIF 2.32 / TIFF 6.0).
_IFD_EXIF, _IFD_GPS = 0x8769, 0x8825
_MAKE, _MODEL, _ORIENTATION = 0x010F, 0x0110, 0x0112
_DATETIME_ORIGINAL, _OFFSET_TIME_ORIGINAL = 0x9003, 0x9011
_PIXEL_X, _PIXEL_Y = 0xA002, 0xA003
_GPS_LAT_REF, _GPS_LAT, _GPS_LON_REF, _GPS_LON, _GPS_ALT_REF, _GPS_ALT = 1, 2, 3, 4, 5, 6

# From the deepest ocean floor to well above any aircraft a phone rides in: outside this an
# altitude is a broken value, not a place (mines are inside it, so -848 m is kept).
_ALTITUDE_RANGE = (-11_000.0, 12_000.0)
# Orientations 5-8 swap width and height when applied.
_SWAPS_AXES = {5, 6, 7, 8}
_TEXT_LIMIT = 100

_DATETIME = re.compile(r"(\d{4})[:\-](\d{2})[:\-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_OFFSET = re.compile(r"([+-])(\d{2}):(\d{2})")


@dataclass(frozen=True)
class PhotoMetadata:
    """What the EXIF says; None wherever it says nothing usable.

    ``lat``/``lon`` are WGS-84 decimal degrees (negative south/west), ``alt`` metres above sea
    level, ``taken_at`` an aware datetime. ``orientation`` (1-8) is the transform still to apply
    to the decoded pixels to show them upright: 1 when the file has none, an invalid one, a stale
    one, or when the decoder has already applied it (HEIF).
    """

    lat: float | None = None
    lon: float | None = None
    alt: float | None = None
    taken_at: datetime | None = None
    make: str | None = None
    model: str | None = None
    orientation: int = 1


def read_metadata(
    exif: bytes | None,
    *,
    default_tz: tzinfo,
    stored_size: tuple[int, int] | None = None,
    pixels_upright: bool = False,
) -> PhotoMetadata:
    """Read a `PhotoMetadata` from raw EXIF bytes (TIFF data, with or without ``Exif\\0\\0``).

    ``default_tz`` places a DateTimeOriginal that has no OffsetTimeOriginal (most phones write
    local time without one). ``stored_size`` is the pixel size as stored, used to spot a stale
    orientation tag. ``pixels_upright`` says the decoder already applied the rotation (libheif
    does for HEIF), so the tag must not be applied again. Never raises on malformed EXIF.
    """
    tags = _load(exif)
    if tags is None:
        return PhotoMetadata()
    exif_ifd = _safe(lambda: dict(tags.get_ifd(_IFD_EXIF)), {})
    gps_ifd = _safe(lambda: dict(tags.get_ifd(_IFD_GPS)), {})
    lat, lon, alt = _safe(lambda: _position(gps_ifd), (None, None, None))
    return PhotoMetadata(
        lat=lat,
        lon=lon,
        alt=alt,
        taken_at=_safe(lambda: _taken_at(exif_ifd, tags, default_tz), None),
        make=_safe(lambda: _text(tags.get(_MAKE)), None),
        model=_safe(lambda: _text(tags.get(_MODEL)), None),
        orientation=1 if pixels_upright else _safe(lambda: _orientation(tags, exif_ifd, stored_size), 1),
    )


def _load(exif: bytes | None) -> Image.Exif | None:
    if not exif:
        return None
    tags = Image.Exif()
    try:
        tags.load(exif)  # strips an "Exif\0\0" prefix itself (JPEG APP1, HEIF, some WebP)
    except Exception:  # any parser error means "no readable EXIF", never a failed upload
        return None
    return tags


def _safe(read: Callable[[], _T], default: _T) -> _T:
    """One broken tag spoils only its own field."""
    try:
        return read()
    except Exception:
        return default


# --- GPS ---------------------------------------------------------------------------------------


def _position(gps: dict[int, Any]) -> tuple[float | None, float | None, float | None]:
    lat = _coordinate(gps.get(_GPS_LAT), gps.get(_GPS_LAT_REF), "N", "S", 90.0)
    lon = _coordinate(gps.get(_GPS_LON), gps.get(_GPS_LON_REF), "E", "W", 180.0)
    if lat is None or lon is None:
        lat = lon = None
    elif lat == 0.0 and lon == 0.0:
        # "Null island": phones write zeros when they have no fix; the whole GPS block is filler.
        return None, None, None
    return lat, lon, _altitude(gps.get(_GPS_ALT), gps.get(_GPS_ALT_REF))


def _coordinate(value: Any, ref: Any, positive: str, negative: str, limit: float) -> float | None:
    """Degrees from (deg, min, sec) or a single number, signed by its N/S or E/W reference."""
    hemisphere = _text(ref)
    # Without a reference letter the sign is unknown, and a mirrored position is worse than none.
    if hemisphere not in (positive, negative):
        return None
    parts = [_number(part) for part in value] if isinstance(value, (tuple, list)) else [_number(value)]
    if not 1 <= len(parts) <= 3 or any(p is None or not math.isfinite(p) or p < 0 for p in parts):
        return None  # 0/0 rationals come through as NaN: no fix
    degrees = sum(p / 60**i for i, p in enumerate(parts))
    if degrees > limit:
        return None
    return -degrees if hemisphere == negative else degrees


def _altitude(value: Any, ref: Any) -> float | None:
    metres = _number(value)
    if metres is None or not math.isfinite(metres):
        return None
    # GPSAltitudeRef is a BYTE (0 above, 1 below sea level); some writers store it as another
    # type (mapillary_corrupt_exif.jpg: a RATIONAL), so compare its numeric value.
    if isinstance(ref, bytes):
        ref = ref[0] if ref else None
    below = _number(ref) == 1
    metres = -metres if below else metres
    low, high = _ALTITUDE_RANGE
    return metres if low <= metres <= high else None


def _number(value: Any) -> float | None:
    """A float from IFDRational, int, float or a raw (numerator, denominator) pair."""
    if isinstance(value, (tuple, list)) and len(value) == 2 and all(isinstance(v, int) for v in value):
        numerator, denominator = value
        return numerator / denominator if denominator else math.nan
    if isinstance(value, (bytes, str, tuple, list)) or value is None:
        return None
    try:
        return float(value)  # IFDRational(0, 0) gives NaN here
    except (TypeError, ValueError, ZeroDivisionError):
        return None


# --- time, text, orientation --------------------------------------------------------------------


def _taken_at(exif_ifd: dict[int, Any], ifd0: Image.Exif, default_tz: tzinfo) -> datetime | None:
    # Some writers put DateTimeOriginal in IFD0 instead of the Exif IFD.
    raw = _text(exif_ifd.get(_DATETIME_ORIGINAL)) or _text(ifd0.get(_DATETIME_ORIGINAL))
    match = _DATETIME.match(raw or "")
    if not match:
        return None
    try:
        local = datetime(*(int(g) for g in match.groups()))
    except ValueError:  # "0000:00:00 00:00:00" and other placeholders
        return None
    taken = local.replace(tzinfo=_offset(exif_ifd.get(_OFFSET_TIME_ORIGINAL)) or default_tz)
    # Outside the years the service records: a placeholder or a broken clock, not a moment.
    if not instant_in_range(taken):
        return None
    return taken


def _offset(value: Any) -> timezone | None:
    match = _OFFSET.fullmatch(_text(value) or "")
    if not match:
        return None
    sign, hours, minutes = match.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    if delta > timedelta(hours=14):
        return None
    return timezone(-delta if sign == "-" else delta)


def _text(value: Any) -> str | None:
    """A tag's text without the NULs and padding cameras leave in it; None when empty."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    value = value.replace("\x00", " ").strip()
    return value[:_TEXT_LIMIT] or None


def _orientation(tags: Image.Exif, exif_ifd: dict[int, Any], stored_size: tuple[int, int] | None) -> int:
    value = tags.get(_ORIENTATION)
    if not isinstance(value, int) or not 1 <= value <= 8:
        return 1  # absent, 0 (recurser_Portrait_0.jpg) or junk: treat as "as stored"
    if value in _SWAPS_AXES and stored_size and _pixels_rotated_by_software(exif_ifd, stored_size):
        return 1
    return value


def _pixels_rotated_by_software(exif_ifd: dict[int, Any], stored_size: tuple[int, int]) -> bool:
    """True when the tag is stale: the pixels were already turned upright by an editor.

    PixelXDimension/PixelYDimension record the frame the camera wrote. If the stored pixels
    have the opposite shape (portrait vs landscape) *and* a different size, software has re-saved
    the picture rotated and forgot to reset the tag (drew_Sony_Cybershot_3.jpg: camera frame
    640x480, stored 311x450, Orientation 6). An exact swap (3000x4000 stored for 4000x3000) is
    left alone: some phones write the upright size there, and then the tag is still right.
    """
    camera_w, camera_h = exif_ifd.get(_PIXEL_X), exif_ifd.get(_PIXEL_Y)
    if not (isinstance(camera_w, int) and isinstance(camera_h, int) and camera_w > 0 and camera_h > 0):
        return False
    stored_w, stored_h = stored_size
    if camera_w == camera_h or stored_w == stored_h:
        return False
    opposite_shape = (camera_w > camera_h) != (stored_w > stored_h)
    return opposite_shape and (stored_w, stored_h) != (camera_h, camera_w)
