"""Derivatives come out upright: EXIF orientations 0-8, a stale tag, and HEIF's own rotation."""

from __future__ import annotations

import io
from pathlib import Path
from zoneinfo import ZoneInfo

import pillow_heif
import pytest
from PIL import Image, ImageChops, ImageDraw, ImageStat

from media.photo import ImageTooLarge, PixelLimits, ProcessedPhoto, process_photo

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "photos"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _process(name: str) -> ProcessedPhoto:
    return process_photo(FIXTURES / name, default_tz=SHANGHAI)


def _grey(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    return image.convert("L").resize(size, Image.Resampling.BOX)


def _difference(a: Image.Image, b: Image.Image, size: tuple[int, int] = (64, 96)) -> float:
    """Mean absolute difference of two pictures, 0-255, compared small and grey."""
    return ImageStat.Stat(ImageChops.difference(_grey(a, size), _grey(b, size))).mean[0]


def _open(jpeg: bytes) -> Image.Image:
    return Image.open(io.BytesIO(jpeg))


@pytest.fixture(scope="module")
def reference() -> ProcessedPhoto:
    # Portrait_0 carries Orientation 0, which is invalid: it is shown as stored, and is upright.
    return _process("recurser_Portrait_0.jpg")


@pytest.mark.parametrize("orientation", range(2, 9))
def test_every_orientation_comes_out_upright(reference, orientation):
    photo = _process(f"recurser_Portrait_{orientation}.jpg")
    assert photo.metadata.orientation == orientation
    assert (photo.width, photo.height) == (1200, 1800)  # as shown, not as stored
    assert photo.display_size == reference.display_size
    assert photo.thumbnail_size == reference.thumbnail_size

    upright = _difference(_open(photo.display), _open(reference.display))
    # The same file shown without its tag (as stored) is the wrongly turned picture.
    as_stored = _difference(Image.open(FIXTURES / f"recurser_Portrait_{orientation}.jpg"), _open(reference.display))
    assert upright < 3
    assert as_stored > 8 * upright + 10
    assert _difference(_open(photo.thumbnail), _open(reference.thumbnail)) < 4


def test_real_phone_orientation_6_is_applied():
    photo = _process("drew_Samsung_GT-I9000_Galaxy_S.jpg")  # stored 640x480, tagged 6
    assert photo.metadata.orientation == 6
    assert (photo.width, photo.height) == (480, 640)
    assert photo.display_size == (480, 640)
    stored = Image.open(FIXTURES / "drew_Samsung_GT-I9000_Galaxy_S.jpg")
    turned = stored.transpose(Image.Transpose.ROTATE_270)
    assert _difference(_open(photo.display), turned, (48, 64)) < 3


def test_webp_orientation_6_is_applied():
    photo = _process("drew_Issue_473_Java.webp")
    assert (photo.width, photo.height) == (240, 320)
    assert _open(photo.display).size == (240, 320)


def test_stale_orientation_tag_is_not_applied_to_pixels_already_upright():
    # Orientation 6, but an editor already turned (and shrank) the picture: camera frame 640x480
    # landscape, stored 311x450 portrait. Honouring the tag would lay the photo on its side.
    photo = _process("drew_Sony_Cybershot_3.jpg")
    assert photo.metadata.orientation == 1
    assert (photo.width, photo.height) == (311, 450)
    stored = Image.open(FIXTURES / "drew_Sony_Cybershot_3.jpg")
    assert _difference(_open(photo.display), stored, (31, 45)) < 3


def _asymmetric_picture() -> Image.Image:
    picture = Image.new("RGB", (300, 200), (30, 90, 200))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, 0, 120, 60), fill=(250, 200, 0))
    draw.ellipse((200, 120, 290, 190), fill=(200, 20, 20))
    return picture


def test_heif_rotation_is_applied_once(tmp_path):
    # pillow-heif writes Orientation 6 as a HEIF 'irot' and keeps 6 in the EXIF, like phones do.
    # libheif applies irot while decoding; applying the EXIF tag again would turn it twice.
    picture = _asymmetric_picture()
    tags = Image.Exif()
    tags[0x0112] = 6
    path = tmp_path / "turned.heic"
    pillow_heif.from_pillow(picture).save(path, quality=90, exif=tags.tobytes())
    raw = Image.Exif()
    raw.load(pillow_heif.open_heif(path)[0].info["exif"])
    assert raw[0x0112] == 6  # the trap is really there

    photo = process_photo(path, default_tz=SHANGHAI)
    upright = picture.transpose(Image.Transpose.ROTATE_270)
    assert photo.metadata.orientation == 1
    assert (photo.width, photo.height) == (200, 300)
    display = _open(photo.display)
    assert display.size == (200, 300)  # turned twice, it would be landscape again
    assert _difference(display, upright, (40, 60)) < 4


def test_200_megapixel_limit_is_configurable_and_checked_before_decoding():
    with pytest.raises(ImageTooLarge) as caught:
        process_photo(FIXTURES / "pillowheif_200MP.heic", default_tz=SHANGHAI,
                      limits=PixelLimits().capped(100_000_000))
    assert "12240 x 16320" in caught.value.reason


@pytest.mark.slow
def test_real_200_megapixel_heic_is_accepted_and_upright():
    # Galaxy S24 Ultra, 12240x16320 after libheif's rotation; its raw EXIF Orientation is 6.
    photo = _process("pillowheif_200MP.heic")
    assert photo.content_type == "image/heic"
    assert (photo.width, photo.height) == (12240, 16320)
    assert photo.metadata.orientation == 1
    assert photo.display_size == (1200, 1600)
    assert photo.thumbnail_size == (240, 320)
    assert (photo.metadata.lat, photo.metadata.lon) == (None, None)  # empty refs, all 0/0
    assert photo.metadata.make == "samsung" and photo.metadata.model == "Galaxy S24 Ultra"
    assert photo.metadata.taken_at.isoformat() == "2025-01-19T14:53:27+03:00"
