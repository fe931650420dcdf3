"""EXIF facts: GPS, capture time, camera, orientation, from real files and crafted EXIF blocks."""

from __future__ import annotations

import csv
import math
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from PIL.TiffImagePlugin import IFDRational as R

from media import exif as exif_module
from media.exif import PhotoMetadata, read_metadata
from media.photo import process_photo

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "photos"
SHANGHAI = ZoneInfo("Asia/Shanghai")
# Decoding the 200 MP HEIC takes seconds; test_photo_orientation covers it once.
SLOW = {"pillowheif_200MP.heic"}


def _manifest() -> list[dict[str, str]]:
    with open(FIXTURES / "MANIFEST.csv", newline="", encoding="utf-8") as f:
        return [row for row in csv.DictReader(f) if row["file"] not in SLOW]


MANIFEST = _manifest()
_metadata_cache: dict[str, PhotoMetadata] = {}


def _metadata(name: str) -> PhotoMetadata:
    if name not in _metadata_cache:
        _metadata_cache[name] = process_photo(FIXTURES / name, default_tz=SHANGHAI).metadata
    return _metadata_cache[name]


def _float(cell: str) -> float | None:
    return float(cell) if cell else None


# --- real files, against the measured manifest --------------------------------------------------


@pytest.mark.parametrize("row", MANIFEST, ids=[row["file"] for row in MANIFEST])
def test_gps_matches_the_manifest(row):
    meta = _metadata(row["file"])
    lat, lon, alt = _float(row["gps_lat"]), _float(row["gps_lon"]), _float(row["gps_alt"])
    if lat == 0 and lon == 0:
        # Null island is filler written without a fix: no position, and no altitude either.
        lat = lon = alt = None
    if lat is None:
        assert meta.lat is None and meta.lon is None
    else:
        # The manifest has 7 decimals; agree to 6.
        assert meta.lat == pytest.approx(lat, abs=1e-6)
        assert meta.lon == pytest.approx(lon, abs=1e-6)
    if alt is None:
        assert meta.alt is None
    else:
        assert meta.alt == pytest.approx(alt, abs=0.006)  # the manifest rounds metres to 2 decimals


@pytest.mark.parametrize("row", MANIFEST, ids=[row["file"] for row in MANIFEST])
def test_time_camera_and_orientation_match_the_manifest(row):
    meta = _metadata(row["file"])
    assert meta.make == (row["make"] or None)
    assert meta.model == (row["model"] or None)

    stamp = row["datetime_original"]
    if not stamp or stamp.startswith("0000"):
        assert meta.taken_at is None
    else:
        offset = re.search(r"OffsetTimeOriginal=([+-]\d\d):(\d\d)", row["notes"])
        tz = SHANGHAI
        if offset:
            hours, minutes = int(offset.group(1)), int(offset.group(2))
            tz = timezone(timedelta(hours=hours, minutes=math.copysign(minutes, hours)))
        assert meta.taken_at == datetime.strptime(stamp, "%Y:%m:%d %H:%M:%S").replace(tzinfo=tz)
        assert meta.taken_at.utcoffset() == tz.utcoffset(meta.taken_at)

    expected = int(row["orientation"] or 1) or 1  # absent or 0 mean "as stored"
    if row["format"] == "HEIF" or "stale Orientation" in row["notes"]:
        expected = 1  # libheif already rotated; the Sony's pixels are already upright
    assert meta.orientation == expected


def test_exif_at_the_end_of_a_heic_file_is_found():
    meta = _metadata("drew_exif-at-eof.heic")
    assert (round(meta.lat, 4), round(meta.lon, 4)) == (47.2071, 106.2431)
    assert meta.taken_at.utcoffset() == timedelta(hours=-4)


def test_webp_exif_with_nonstandard_prefix_is_read():
    meta = _metadata("drew_Issue_473_Java.webp")
    assert (meta.make, meta.model, meta.orientation) == ("Apple", "iPhone X", 6)
    assert meta.lon < 0


# --- crafted EXIF blocks ------------------------------------------------------------------------


def _exif(gps: dict | None = None, exif_ifd: dict | None = None, **ifd0) -> bytes:
    tags = Image.Exif()
    names = {"make": 0x010F, "model": 0x0110, "orientation": 0x0112, "datetime_original": 0x9003}
    for name, value in ifd0.items():
        tags[names[name]] = value
    if exif_ifd is not None:
        tags[0x8769] = exif_ifd
    if gps is not None:
        tags[0x8825] = gps
    return tags.tobytes()


def _gps(overrides: dict | None = None) -> dict:
    gps = {1: "N", 2: (R(31, 1), R(13, 1), R(4523, 100)), 3: "E", 4: (R(121, 1), R(28, 1), R(3012, 100)),
           5: b"\x00", 6: R(1250, 100)}
    gps.update(overrides or {})
    return {k: v for k, v in gps.items() if v is not None}


def _read(data: bytes, **kwargs) -> PhotoMetadata:
    return read_metadata(data, default_tz=SHANGHAI, **kwargs)


SHANGHAI_LAT = 31 + 13 / 60 + 45.23 / 3600
SHANGHAI_LON = 121 + 28 / 60 + 30.12 / 3600


def test_degrees_minutes_seconds():
    meta = _read(_exif(_gps()))
    assert meta.lat == pytest.approx(SHANGHAI_LAT, abs=1e-9)
    assert meta.lon == pytest.approx(SHANGHAI_LON, abs=1e-9)
    assert meta.alt == pytest.approx(12.5)


@pytest.mark.parametrize("lat, lon", [
    ((R(31, 1), R(1323, 100), R(0, 1)), (R(121, 1), R(2850, 100), R(0, 1))),  # decimal minutes, 0 s
    ((R(31, 1), R(1323, 100)), (R(121, 1), R(2850, 100))),  # only two values
    ((R(312205, 10000), R(0, 1), R(0, 1)), (R(1214750, 10000), R(0, 1), R(0, 1))),  # decimal degrees
    (R(312205, 10000), R(1214750, 10000)),  # one value, not a triple
])
def test_other_rational_layouts(lat, lon):
    meta = _read(_exif(_gps({2: lat, 4: lon})))
    assert meta.lat == pytest.approx(31.2205, abs=1e-6)
    assert meta.lon == pytest.approx(121.475, abs=1e-6)


@pytest.mark.parametrize("lat_ref, lon_ref, sign_lat, sign_lon", [
    ("N", "E", 1, 1), ("S", "E", -1, 1), ("N", "W", 1, -1), ("S", "W", -1, -1),
    (b"S\x00", b"W\x00", -1, -1),
])
def test_hemispheres(lat_ref, lon_ref, sign_lat, sign_lon):
    meta = _read(_exif(_gps({1: lat_ref, 3: lon_ref})))
    assert meta.lat == pytest.approx(sign_lat * SHANGHAI_LAT)
    assert meta.lon == pytest.approx(sign_lon * SHANGHAI_LON)


def test_raw_numerator_denominator_pairs_are_understood():
    # Older readers (and some libraries) hand out rationals as (numerator, denominator) pairs.
    assert exif_module._coordinate(((31, 1), (13, 1), (4523, 100)), "N", "N", "S", 90) == pytest.approx(SHANGHAI_LAT)
    assert exif_module._coordinate(((31, 1), (13, 1), (0, 0)), "N", "N", "S", 90) is None


@pytest.mark.parametrize("value", [(-31.0, 13.0, 0.0), "31.2205", b"31", (1.0, 2.0, 3.0, 4.0), ()])
def test_coordinate_values_that_are_not_a_position(value):
    # Negative parts (south is the reference's job), text, and too many or no parts.
    assert exif_module._coordinate(value, "N", "N", "S", 90) is None


@pytest.mark.parametrize("overrides", [
    {2: (R(48, 1), R(5332358, 100000), R(0, 0))},  # 0/0 seconds: NaN (drew_Nikon_D5000.jpg)
    {2: (R(0, 0), R(0, 0), R(0, 0)), 4: (R(0, 0), R(0, 0), R(0, 0))},  # all 0/0 (pillowheif_200MP.heic)
    {1: "", 3: ""},  # empty references: the sign is unknown
    {1: "\x00", 3: "\x00"},
    {1: None, 3: None},  # no references at all
    {1: "X"},
    {2: (R(91, 1), R(0, 1), R(0, 1))},  # beyond the pole
    {4: (R(181, 1), R(0, 1), R(0, 1))},
    {2: None},
])
def test_no_usable_position(overrides):
    meta = _read(_exif(_gps(overrides)))
    assert meta.lat is None and meta.lon is None


def test_null_island_is_no_position_and_no_altitude():
    zero = (R(0, 1), R(0, 1), R(0, 1))
    meta = _read(_exif(_gps({2: zero, 4: zero, 6: R(0, 1)})))
    assert (meta.lat, meta.lon, meta.alt) == (None, None, None)


def test_only_one_coordinate_at_zero_is_a_real_place():
    meta = _read(_exif(_gps({2: (R(0, 1), R(0, 1), R(0, 1))})))  # on the equator
    assert meta.lat == 0.0 and meta.lon == pytest.approx(SHANGHAI_LON)


@pytest.mark.parametrize("ref, value, expected", [
    (b"\x00", R(4250, 100), 42.5),
    (b"\x01", R(848, 1), -848.0),  # below sea level (a deep mine is possible)
    (None, R(10, 1), 10.0),  # no reference: above sea level, as the standard's default
    (R(0, 100), R(10, 1), 10.0),  # reference written as a RATIONAL (mapillary_corrupt_exif.jpg)
    (b"\x00", R(0, 0), None),
    (b"\x00", R(5_000_000, 1), None),  # 5000 km up is a broken value
])
def test_altitude(ref, value, expected):
    meta = _read(_exif(_gps({5: ref, 6: value})))
    assert meta.alt == (pytest.approx(expected) if expected is not None else None)


def test_time_with_offset():
    meta = _read(_exif(exif_ifd={0x9003: "2024:06:16 09:30:05", 0x9011: "-03:30"}))
    assert meta.taken_at == datetime(2024, 6, 16, 9, 30, 5, tzinfo=timezone(-timedelta(hours=3, minutes=30)))


def test_time_without_offset_takes_the_default_zone():
    meta = _read(_exif(exif_ifd={0x9003: "2024:06:16 09:30:05\x00"}))
    assert meta.taken_at == datetime(2024, 6, 16, 9, 30, 5, tzinfo=SHANGHAI)
    assert meta.taken_at.utcoffset() == timedelta(hours=8)


@pytest.mark.parametrize("offset", ["", "   :  ", "+8", "+25:00", "Z"])
def test_unreadable_offset_falls_back_to_the_default_zone(offset):
    meta = _read(_exif(exif_ifd={0x9003: "2024:06:16 09:30:05", 0x9011: offset}))
    assert meta.taken_at.tzinfo is SHANGHAI


@pytest.mark.parametrize("stamp", [
    "0000:00:00 00:00:00", "    :  :     :  :  ", "", "2019:02:30 10:00:00", "2019:13:01 10:00:00",
    "yesterday", "1800:01:01 00:00:00",
])
def test_placeholder_times_are_none(stamp):
    assert _read(_exif(exif_ifd={0x9003: stamp})).taken_at is None


@pytest.mark.parametrize(("stamp", "offset"), [
    ("9999:12:31 23:59:59", "-12:00"),  # year 10000 in UTC: no datetime can hold it
    ("9999:12:31 23:59:59", None),
    ("3000:01:01 00:00:00", "+00:00"),
    ("0001:01:01 00:00:00", "+14:00"),  # year 0 in UTC
    ("1900:01:01 07:59:59", None),      # 1899 in UTC
])
def test_times_outside_the_years_1900_to_2999_utc_are_none(stamp, offset):
    tags = {0x9003: stamp, **({0x9011: offset} if offset else {})}
    assert _read(_exif(exif_ifd=tags)).taken_at is None


def test_the_edges_of_the_range_are_kept():
    first = _read(_exif(exif_ifd={0x9003: "1900:01:01 08:00:00", 0x9011: "+08:00"})).taken_at
    last = _read(_exif(exif_ifd={0x9003: "2999:12:31 23:59:59", 0x9011: "+00:00"})).taken_at
    assert first == datetime(1900, 1, 1, tzinfo=timezone.utc)
    assert last == datetime(2999, 12, 31, 23, 59, 59, tzinfo=timezone.utc)


def test_time_in_ifd0_and_with_dashes_is_accepted():
    meta = _read(_exif(datetime_original="2024-06-16 09:30:05"))
    assert meta.taken_at == datetime(2024, 6, 16, 9, 30, 5, tzinfo=SHANGHAI)


def test_make_and_model_lose_nuls_and_padding():
    meta = _read(_exif(make="SAMSUNG            ", model="\x00 HUAWEI P60 \x00\x00"))
    assert (meta.make, meta.model) == ("SAMSUNG", "HUAWEI P60")
    assert _read(_exif(make="   \x00")).make is None


@pytest.mark.parametrize("value, expected", [(1, 1), (3, 3), (8, 8), (0, 1), (9, 1), (65535, 1)])
def test_orientation_values(value, expected):
    assert _read(_exif(orientation=value)).orientation == expected


def test_orientation_is_1_when_the_decoder_already_applied_it():
    assert _read(_exif(orientation=6), pixels_upright=True).orientation == 1


@pytest.mark.parametrize("camera, stored, expected", [
    ((640, 480), (311, 450), 1),  # re-saved rotated and resized by software: stale (the Sony)
    ((640, 480), (640, 480), 6),  # as the camera wrote it: honoured
    ((640, 480), (320, 240), 6),  # downscaled but not rotated: honoured
    ((4000, 3000), (3000, 4000), 6),  # exact swap: some phones record the upright size; honoured
    ((3000, 3000), (300, 400), 6),  # square camera frame says nothing
])
def test_stale_orientation_is_recognised_only_on_clear_evidence(camera, stored, expected):
    data = _exif(exif_ifd={0xA002: camera[0], 0xA003: camera[1]}, orientation=6)
    assert _read(data, stored_size=stored).orientation == expected


@pytest.mark.filterwarnings("ignore::UserWarning:PIL.TiffImagePlugin")  # Pillow notes the bad EXIF
@pytest.mark.parametrize("data", [
    None, b"", b"Exif\x00\x00", b"garbage that is not TIFF at all", b"Exif\x00\x00MM\x00*\xff\xff\xff\xff",
    b"II*\x00\x08\x00\x00\x00\xff\xff" + b"\x00" * 20,  # 65535 entries announced, none there
    b"MM\x00*\x00\x00\x00\x08\x00\x01\x88\x25\x00\x04\x00\x00\x00\x01\x7f\xff\xff\xff",  # GPS IFD far away
])
def test_malformed_exif_gives_empty_metadata(data):
    assert _read(data) == PhotoMetadata()


@pytest.mark.filterwarnings("ignore::UserWarning:PIL.TiffImagePlugin")
def test_a_broken_gps_block_does_not_spoil_the_other_fields():
    data = _exif(_gps(), make="Xiaomi", exif_ifd={0x9003: "2024:06:16 09:30:05"})
    entry = b"\x88\x25\x00\x04\x00\x00\x00\x01"  # IFD0's GPS pointer (big-endian LONG, count 1)
    assert data.count(entry) == 1
    at = data.index(entry) + len(entry)
    data = data[:at] + b"\x7f\xff\xff\xff" + data[at + 4:]  # points far beyond the block
    meta = _read(data)
    assert meta.make == "Xiaomi" and meta.taken_at is not None
    assert meta.lat is None
