"""Copies of the real fixture photos with the place and time a test needs written into their EXIF.

The pixels are re-encoded by the save; tests that need the untouched bytes use the fixture file itself.
"""
from __future__ import annotations

from datetime import datetime
from io import BytesIO

from PIL import ExifTags, Image

from tests.factories import PHOTOS

METRES_PER_DEGREE_LAT = 111_195.0


def _dms(value: float) -> tuple[float, float, float]:
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = (value - degrees - minutes / 60) * 3600
    return float(degrees), float(minutes), round(seconds, 4)


def photo_with_exif(name: str, *, lat: float | None = None, lon: float | None = None,
                    taken_at: datetime | None = None, scale: float = 1.0, quality: int = 92) -> bytes:
    """The fixture ``name`` as a JPEG carrying the given GPS position and capture time (with its offset)."""
    with Image.open(PHOTOS / name) as image:
        image = image.convert("RGB")
        if scale != 1.0:
            image = image.resize((max(1, int(image.width * scale)), max(1, int(image.height * scale))))
        exif = Image.Exif()
        if lat is not None:
            gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
            gps[ExifTags.GPS.GPSLatitudeRef] = "N" if lat >= 0 else "S"
            gps[ExifTags.GPS.GPSLatitude] = _dms(lat)
            gps[ExifTags.GPS.GPSLongitudeRef] = "E" if lon >= 0 else "W"
            gps[ExifTags.GPS.GPSLongitude] = _dms(lon)
        if taken_at is not None:
            details = exif.get_ifd(ExifTags.IFD.Exif)
            details[ExifTags.Base.DateTimeOriginal] = taken_at.strftime("%Y:%m:%d %H:%M:%S")
            offset = taken_at.strftime("%z")
            details[ExifTags.Base.OffsetTimeOriginal] = f"{offset[:3]}:{offset[3:]}"
        buffer = BytesIO()
        image.save(buffer, "JPEG", quality=quality, exif=exif)
        return buffer.getvalue()


def north_of(lat: float, metres: float) -> float:
    return lat + metres / METRES_PER_DEGREE_LAT
