"""Display copy, thumbnail and perceptual hash: no metadata, never enlarged, sRGB, comparable."""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path
from zoneinfo import ZoneInfo

import pillow_heif
import pytest
from PIL import Image, ImageChops, ImageCms, ImageStat

from media import decode, imagetype
from media.photo import ProcessedPhoto, phash_distance, process_photo

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "photos"
SHANGHAI = ZoneInfo("Asia/Shanghai")

with open(FIXTURES / "MANIFEST.csv", newline="", encoding="utf-8") as _f:
    # The 200 MP HEIC takes seconds; test_photo_orientation covers it once.
    ALL_FILES = [row["file"] for row in csv.DictReader(_f) if row["file"] != "pillowheif_200MP.heic"]


def _process(source, **kwargs) -> ProcessedPhoto:
    return process_photo(source, default_tz=SHANGHAI, **kwargs)


def _jpeg_segments(data: bytes) -> list[int]:
    """The marker codes of a JPEG's header segments, up to the start of scan."""
    assert data[:2] == b"\xff\xd8"
    markers, at = [], 2
    while True:
        assert data[at] == 0xFF
        marker = data[at + 1]
        markers.append(marker)
        if marker == 0xDA:
            return markers
        at += 2 + int.from_bytes(data[at + 2:at + 4], "big")


def _encoded(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


# --- copies -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL_FILES)
def test_derivatives_carry_no_metadata_and_never_grow(name):
    photo = _process(FIXTURES / name)
    assert photo.content_type in {"image/jpeg", "image/png", "image/webp", "image/heic", "image/heif"}
    for data, size, longest in ((photo.display, photo.display_size, 1600),
                                (photo.thumbnail, photo.thumbnail_size, 320)):
        copy = Image.open(io.BytesIO(data))
        assert copy.format == "JPEG" and copy.size == size
        assert len(copy.getexif()) == 0
        assert not {"exif", "icc_profile", "xmp", "comment"} & set(copy.info)
        # Only JFIF (APP0), tables, frame and scan: no APP1 (EXIF/XMP), APP2 (ICC), other APPn, COM.
        assert not [m for m in _jpeg_segments(data) if 0xE1 <= m <= 0xEF or m == 0xFE]
        assert max(size) <= longest
        assert size[0] <= photo.width and size[1] <= photo.height
        # Aspect ratio kept (to a pixel of rounding).
        assert abs(size[0] * photo.height / photo.width - size[1]) <= 1
    assert photo.thumbnail_size[0] <= photo.display_size[0] and photo.thumbnail_size[1] <= photo.display_size[1]
    if max(photo.width, photo.height) > 1600:
        assert max(photo.display_size) == 1600
    assert len(photo.phash) == 16 and int(photo.phash, 16) >= 0


def test_thumbnail_shows_the_display_copy_smaller():
    photo = _process(FIXTURES / "drew_Apple_iPhone_4.jpg")
    display = Image.open(io.BytesIO(photo.display)).convert("L")
    thumb = Image.open(io.BytesIO(photo.thumbnail)).convert("L")
    small = display.resize(thumb.size, Image.Resampling.BOX)
    assert ImageStat.Stat(ImageChops.difference(small, thumb)).mean[0] < 4


def test_big_jpeg_is_decoded_scaled_down():
    # A 12 MP photo needs at most 1600 px: libjpeg decodes it at 1/2 scale, never at full size.
    picture = Image.linear_gradient("L").resize((4000, 3000)).convert("RGB")
    data = _encoded(picture, "JPEG", quality=90)
    decoded = decode.decode_photo(io.BytesIO(data), imagetype.JPEG, longest=1600)
    assert decoded.stored_size == (4000, 3000)
    assert decoded.image.size == (2000, 1500)
    photo = _process(io.BytesIO(data))
    assert (photo.width, photo.height) == (4000, 3000)
    assert (photo.display_size, photo.thumbnail_size) == ((1600, 1200), (320, 240))


def test_strip_reduction_equals_reducing_the_whole_image():
    rnd = random.Random(7)
    size, factor = (301, 517), 3  # odd sizes: the last strip and column are partial
    raw = rnd.randbytes(size[0] * size[1] * 3)
    whole = Image.frombytes("RGB", size, raw).reduce(factor)
    stripped = decode._reduce_in_strips(memoryview(raw), "RGB", size, size[0] * 3, factor)
    assert stripped.tobytes() == whole.tobytes()


def test_heif_needing_no_reduction_keeps_every_decoded_pixel():
    data = (FIXTURES / "pillowheif_xiaomi.heic").read_bytes()  # 2592 px: less than 2 x 1600
    decoded = decode.decode_photo(io.BytesIO(data), imagetype.HEIC, longest=1600)
    heif = pillow_heif.open_heif(data)
    assert decoded.image.tobytes() == heif[heif.primary_index].to_pillow().tobytes()


def test_big_heif_is_reduced_no_further_than_the_target():
    # Like a JPEG's scaled decode: 1000 px for 400 px copies is box-reduced 2x, to 500 px.
    picture = Image.linear_gradient("L").resize((1000, 750)).convert("RGB")
    out = io.BytesIO()
    pillow_heif.from_pillow(picture).save(out, quality=90)
    decoded = decode.decode_photo(io.BytesIO(out.getvalue()), imagetype.HEIC, longest=400)
    assert decoded.image.size == (500, 375)


@pytest.mark.parametrize("length", [1600, 1601, 3199, 3200, 4000, 4799, 4800, 16320])
def test_reduction_never_goes_below_the_target(length):
    factor = decode._reduce_factor((length, length // 2), 1600)
    assert -(-length // factor) >= 1600  # Image.reduce rounds up
    assert length // (factor + 1) < 1600  # and no larger factor would do


def test_a_file_object_already_read_to_its_end_works():
    data = (FIXTURES / "exexif_sunrise.jpg").read_bytes()
    stream = io.BytesIO(data)
    stream.read()  # the caller has just streamed it through SHA-256
    assert _process(stream) == _process(FIXTURES / "exexif_sunrise.jpg")


# --- files without or with broken EXIF ----------------------------------------------------------


@pytest.mark.parametrize("name", [
    "exexif_pp_editors_no_exif.jpg", "drew_Photo_1.webp", "exifr_IMG_20180725_163423-1.png",  # none
    "mapillary_corrupt_exif.jpg", "ianare_67-0_length_string.jpg", "drew_Nikon_E885.jpg",  # broken
    "drew_Issue_173_dotnet.jpg", "drew_Issue_508.jpg",
])
def test_files_without_or_with_broken_exif_process_cleanly(name):
    photo = _process(FIXTURES / name)
    assert photo.display and photo.thumbnail and not photo.truncated


@pytest.mark.filterwarnings("ignore::UserWarning:PIL.TiffImagePlugin")  # Pillow notes the bad EXIF
def test_garbage_exif_segment_is_ignored():
    jpeg = _encoded(Image.new("RGB", (64, 48), "navy"), "JPEG")
    junk = b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\xff\xff" + bytes(range(256)) * 4
    segment = b"\xff\xe1" + (len(junk) + 2).to_bytes(2, "big") + junk
    photo = _process(io.BytesIO(jpeg[:2] + segment + jpeg[2:]))
    assert photo.metadata.lat is None and photo.metadata.orientation == 1
    assert photo.display_size == (64, 48)


# --- perceptual hash ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["drew_Apple_iPhone_4.jpg", "exexif_pp_editors_no_exif.jpg",
                                  "drew_Samsung_GT-I9000_Galaxy_S.jpg", "pillowheif_xiaomi.heic"])
def test_a_resized_recompressed_copy_hashes_close(name):
    photo = _process(FIXTURES / name)
    # Someone re-sends the picture as a messaging app would: upright, 3/4 size, lower quality.
    upright = Image.open(io.BytesIO(photo.display))
    copy = upright.resize((upright.width * 3 // 4, upright.height * 3 // 4))
    for data in (_encoded(copy, "JPEG", quality=55), _encoded(copy, "WEBP", quality=50)):
        assert phash_distance(photo.phash, _process(io.BytesIO(data)).phash) <= 6


def test_different_photos_hash_far_apart():
    names = ["drew_Apple_iPhone_4.jpg", "drew_FujiFilm_FinePixS1Pro_1.jpg", "drew_Photo_1.webp",
             "exexif_sunrise.jpg", "exifr_IMG_20180725_163423-tiny.jpg", "pillowheif_xiaomi.heic",
             "drew_exif-at-eof.heic", "recurser_Portrait_0.jpg", "drew_Nikon_E885.jpg"]
    hashes = [_process(FIXTURES / name).phash for name in names]
    for i, a in enumerate(hashes):
        for b in hashes[i + 1:]:
            assert phash_distance(a, b) >= 16


def test_phash_distance():
    assert phash_distance("ffffffffffffffff", "ffffffffffffffff") == 0
    assert phash_distance("0000000000000000", "ffffffffffffffff") == 64
    assert phash_distance("8000000000000001", "0000000000000000") == 2
    with pytest.raises(ValueError):
        phash_distance("abc", "0000000000000000")


# --- colour -------------------------------------------------------------------------------------


def _display_pixel(data: bytes) -> tuple[int, ...]:
    return Image.open(io.BytesIO(_process(io.BytesIO(data)).display)).convert("RGB").getpixel((4, 4))


def test_wide_gamut_colours_are_converted_to_srgb():
    p3 = pillow_heif.open_heif(FIXTURES / "ianare_IMG_5195.HEIC")[0].info["icc_profile"]  # Display P3
    colour = (40, 170, 60)
    data = _encoded(Image.new("RGB", (32, 32), colour), "JPEG", quality=100, icc_profile=p3)
    expected = ImageCms.profileToProfile(Image.new("RGB", (1, 1), colour), io.BytesIO(p3),
                                         ImageCms.createProfile("sRGB")).getpixel((0, 0))
    got = _display_pixel(data)
    assert all(abs(g - e) <= 3 for g, e in zip(got, expected))
    assert sum(abs(g - c) for g, c in zip(got, colour)) > 15  # it really moved


def test_transparency_is_flattened_onto_white():
    picture = Image.new("RGBA", (32, 32), (0, 0, 0, 0))
    assert all(v >= 250 for v in _display_pixel(_encoded(picture, "PNG")))


def test_16_bit_grey_png_is_scaled_not_clipped():
    picture = Image.new("I;16", (32, 32), 30_000)
    assert 110 <= _display_pixel(_encoded(picture, "PNG"))[0] <= 125  # 30000/65535 of white


def test_cmyk_jpeg_becomes_rgb():
    data = _encoded(Image.new("CMYK", (32, 32), (0, 255, 255, 0)), "JPEG", quality=95)
    red, green, blue = _display_pixel(data)
    assert red > 200 and green < 60 and blue < 60
