"""Image type by content: magic bytes decide, names and headers do not."""

from __future__ import annotations

import io
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from media.imagetype import SNIFF_BYTES, sniff_content_type
from media.photo import CorruptImage, ImageTooLarge, PhotoRejected, UnsupportedImageType, process_photo

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "photos"


def _ftyp(major: bytes, *compatible: bytes) -> bytes:
    body = major + b"\x00\x00\x00\x00" + b"".join(compatible)
    return (8 + len(body)).to_bytes(4, "big") + b"ftyp" + body + b"\x00\x00\x00\x08free"


@pytest.mark.parametrize("name, expected", [
    ("drew_Apple_iPhone_4.jpg", "image/jpeg"),
    ("exifr_png_with_exif_and_gps.png", "image/png"),
    ("drew_Issue_473_Java.webp", "image/webp"),
    ("drew_Photo_1.webp", "image/webp"),
    ("ianare_IMG_5195.HEIC", "image/heic"),
    ("pillowheif_xiaomi.heic", "image/heic"),
    ("drew_exif-at-eof.heic", "image/heic"),
])
def test_real_files_are_recognised_by_their_bytes(name, expected):
    head = (FIXTURES / name).read_bytes()[:SNIFF_BYTES]
    assert sniff_content_type(head) == expected


@pytest.mark.parametrize("head, expected", [
    (_ftyp(b"heic", b"mif1", b"heic"), "image/heic"),
    (_ftyp(b"mif1", b"heic"), "image/heic"),  # an HEVC brand anywhere in the list makes it HEIC
    (_ftyp(b"heix", b"mif1"), "image/heic"),
    (_ftyp(b"hevc", b"msf1"), "image/heic"),
    (_ftyp(b"heim"), "image/heic"),
    (_ftyp(b"heis"), "image/heic"),
    (_ftyp(b"mif1"), "image/heif"),
    (_ftyp(b"msf1", b"iso8"), "image/heif"),
])
def test_heif_brands(head, expected):
    assert sniff_content_type(head) == expected


@pytest.mark.parametrize("head", [
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
    b"hello, this is a text file pretending to be photo.jpg\n",
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00",
    b"BM\x3a\x00\x00\x00\x00\x00\x00\x00",
    b"II*\x00\x08\x00\x00\x00",  # TIFF
    _ftyp(b"avif", b"mif1", b"miaf"),  # HEIF container, AV1 inside: no decoder for it
    _ftyp(b"isom", b"mp41"),  # an MP4 video
    b"RIFF\x24\x00\x00\x00WAVEfmt ",
    b"\xff\xd8",  # too short to be a JPEG
    b"",
])
def test_anything_else_is_unsupported(head):
    with pytest.raises(UnsupportedImageType):
        sniff_content_type(head)


def test_a_pdf_named_like_a_photo_is_refused(tmp_path):
    fake = tmp_path / "hazard.jpg"
    fake.write_bytes(b"%PDF-1.4\n" + b"0" * 2000)
    with pytest.raises(UnsupportedImageType) as caught:
        process_photo(fake, default_tz=ZoneInfo("Asia/Shanghai"))
    assert "JPEG, PNG, WebP or HEIC" in caught.value.reason


def test_text_bytes_in_a_file_object_are_refused():
    with pytest.raises(UnsupportedImageType):
        process_photo(io.BytesIO(b"just some text\n" * 100), default_tz=ZoneInfo("Asia/Shanghai"))


def test_every_rejection_is_a_value_error_with_a_plain_reason():
    for cls in (UnsupportedImageType, CorruptImage, ImageTooLarge):
        error = cls("the file is not a photo")
        assert isinstance(error, PhotoRejected) and isinstance(error, ValueError)
        assert error.reason == str(error) == "the file is not a photo"
