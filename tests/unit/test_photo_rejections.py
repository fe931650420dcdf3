"""Files refused, and files kept despite damage: truncation, corruption, decompression bombs."""

from __future__ import annotations

import io
import random
import struct
import zlib
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from media.photo import CorruptImage, ImageTooLarge, PhotoRejected, PixelLimits, ProcessedPhoto, process_photo

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "photos"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _process(source, **kwargs) -> ProcessedPhoto:
    return process_photo(source, default_tz=SHANGHAI, **kwargs)


def _scan_start(data: bytes) -> int:
    """Offset of the first entropy-coded byte of a JPEG (after its first start-of-scan header)."""
    at = 2
    while True:
        marker, length = data[at + 1], int.from_bytes(data[at + 2:at + 4], "big")
        at += 2 + length
        if marker == 0xDA:
            return at


def _png(width: int, height: int, raw_rows: bytes) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw_rows))
            + chunk(b"IEND", b""))


def _encoded(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


# --- truncated and corrupt files ----------------------------------------------------------------


def test_phone_jpeg_a_few_bytes_short_is_accepted_and_flagged():
    # drew_User_Comment_Encoding.jpg: 33 bytes of scan data missing, picture complete. Real evidence.
    photo = _process(FIXTURES / "drew_User_Comment_Encoding.jpg")
    assert photo.truncated
    assert (photo.width, photo.height, photo.display_size) == (3840, 2160, (1600, 900))
    assert (photo.metadata.make, photo.metadata.model) == ("Sony", "E5823")
    assert photo.metadata.taken_at.isoformat() == "2016-05-30T14:20:55+08:00"


def test_jpeg_missing_only_its_last_bytes_is_accepted():
    data = (FIXTURES / "exifr_IMG_20180725_163423-tiny.jpg").read_bytes()
    photo = _process(io.BytesIO(data[:-300]))
    assert photo.truncated


def test_complete_files_are_not_flagged():
    assert not _process(FIXTURES / "exifr_IMG_20180725_163423-tiny.jpg").truncated


@pytest.mark.parametrize("name", ["drew_User_Comment_Encoding.jpg", "exifr_IMG_20180725_163423-tiny.jpg"])
def test_jpeg_cut_in_half_is_refused(name):
    data = (FIXTURES / name).read_bytes()
    with pytest.raises(CorruptImage) as caught:
        _process(io.BytesIO(data[:len(data) // 2]))
    assert "incomplete" in caught.value.reason


def test_jpeg_with_headers_only_is_refused():
    data = (FIXTURES / "exexif_pp_editors_no_exif.jpg").read_bytes()
    with pytest.raises(CorruptImage):
        _process(io.BytesIO(data[:_scan_start(data)]))


@pytest.mark.parametrize("seed", range(3))
def test_jpeg_headers_followed_by_random_bytes_is_refused(seed):
    data = (FIXTURES / "exexif_pp_editors_no_exif.jpg").read_bytes()
    start = _scan_start(data)
    garbage = random.Random(seed).randbytes(len(data) - start)
    with pytest.raises(CorruptImage):
        _process(io.BytesIO(data[:start] + garbage))


@pytest.mark.parametrize("name", ["exifr_IMG_20180725_163423-1.png", "drew_Photo_1.webp", "pillowheif_xiaomi.heic"])
def test_other_formats_cut_in_half_are_refused(name):
    data = (FIXTURES / name).read_bytes()
    with pytest.raises(CorruptImage):
        _process(io.BytesIO(data[:len(data) // 2]))


@pytest.mark.parametrize("cut", [0.5, 0.99])
def test_heic_cut_short_is_refused(cut):
    # libheif itself paints missing grid tiles green instead of failing; the box walk catches it.
    data = (FIXTURES / "ianare_IMG_5195.HEIC").read_bytes()
    with pytest.raises(CorruptImage) as caught:
        _process(io.BytesIO(data[:int(len(data) * cut)]))
    assert "incomplete" in caught.value.reason


def test_heic_with_bytes_appended_is_accepted():
    data = (FIXTURES / "pillowheif_xiaomi.heic").read_bytes()
    for junk in (b"\x00\x01 trailing junk from some uploader", b"\x00" * 64):
        assert _process(io.BytesIO(data + junk)).width == 2592


def test_empty_file_is_refused():
    with pytest.raises(PhotoRejected):
        _process(io.BytesIO(b""))


@pytest.mark.filterwarnings("ignore::UserWarning:PIL.TiffImagePlugin")  # Pillow notes the bad EXIF
@pytest.mark.parametrize("name", ["exexif_sunrise.jpg", "drew_Sony_Cybershot_3.jpg", "drew_Issue_473_Java.webp",
                                  "exifr_IMG_20180725_163423-1.png", "exifr_png_with_exif_and_gps.png"])
def test_damaged_bytes_give_a_photo_or_a_rejection_never_a_crash(name):
    data = (FIXTURES / name).read_bytes()
    for seed in range(12):
        rnd = random.Random(seed)
        damaged = bytearray(data)
        for _ in range(rnd.randint(1, 16)):
            damaged[rnd.randrange(len(damaged))] = rnd.randrange(256)
        try:
            _process(io.BytesIO(bytes(damaged)))
        except PhotoRejected:
            pass


# --- decompression bombs and the pixel limit ----------------------------------------------------


def test_png_bomb_is_refused_before_decoding():
    bomb = _png(50_000, 50_000, b"\x00" + bytes(50_000 * 3))  # claims 2.5 gigapixels
    assert len(bomb) < 1000
    with pytest.raises(ImageTooLarge) as caught:
        _process(io.BytesIO(bomb))
    assert "50000 x 50000" in caught.value.reason


def test_jpeg_claiming_a_huge_size_is_refused():
    data = bytearray(_encoded(Image.new("RGB", (64, 48), "olive"), "JPEG"))
    frame = data.index(b"\xff\xc0")
    data[frame + 5:frame + 9] = struct.pack(">HH", 50_000, 50_000)  # height, width
    with pytest.raises(ImageTooLarge):
        _process(io.BytesIO(bytes(data)))


def test_webp_claiming_a_huge_canvas_is_refused():
    side = (16_383 - 1).to_bytes(3, "little")
    vp8x = b"VP8X" + (10).to_bytes(4, "little") + b"\x00\x00\x00\x00" + side + side
    riff = b"RIFF" + (4 + len(vp8x)).to_bytes(4, "little") + b"WEBP" + vp8x
    with pytest.raises(ImageTooLarge):
        _process(io.BytesIO(riff))


def test_pixel_limit_is_configurable():
    assert _process(FIXTURES / "drew_Photo_1.webp", limits=PixelLimits().capped(1024 * 772)).width == 1024
    with pytest.raises(ImageTooLarge):
        _process(FIXTURES / "drew_Photo_1.webp", limits=PixelLimits().capped(1024 * 772 - 1))


# --- why a cut JPEG's display copy was noise, and the cuts now refused (issue 13.3) -----------------------


def _phone_photo() -> bytes:
    return (FIXTURES / "ianare_HMD_Nokia_8.3_5G.jpg").read_bytes()  # a real phone's baseline JPEG, 9 MP


def _progressive(data: bytes) -> bytes:
    picture = Image.open(io.BytesIO(data))
    return _encoded(picture, "JPEG", quality=90, progressive=True, exif=picture.info.get("exif", b""))


@pytest.mark.parametrize("cut", [0.3, 0.7, 0.95, 0.985])
@pytest.mark.parametrize("kind", ["baseline", "progressive"])
def test_a_phone_photo_cut_at_any_point_is_refused_as_incomplete(kind, cut):
    data = _phone_photo() if kind == "baseline" else _progressive(_phone_photo())
    with pytest.raises(CorruptImage) as caught:
        _process(io.BytesIO(data[:int(len(data) * cut)]))
    assert "arrived incomplete" in caught.value.reason and "send it again" in caught.value.reason


def test_a_cut_photo_running_on_in_zero_bytes_is_not_painted_in_made_up_colour():
    # The file was allocated whole and written in part: libjpeg decodes the zeros as codes, a flat band that
    # continues the last colours and that the grey-filler test counted as picture (accepted, "truncated").
    data = _phone_photo()
    kept = int(len(data) * 0.7)
    with pytest.raises(CorruptImage) as caught:
        _process(io.BytesIO(data[:kept] + bytes(len(data) - kept)))
    assert "arrived incomplete" in caught.value.reason


def test_a_cut_photo_closed_with_an_end_of_image_marker_is_refused():
    # libjpeg fills the rest with grey without running out of data, so this passed as a whole photo.
    data = _phone_photo()
    with pytest.raises(CorruptImage):
        _process(io.BytesIO(data[:int(len(data) * 0.7)] + b"\xff\xd9"))


def test_zero_padding_after_the_end_of_image_is_harmless():
    photo = _process(io.BytesIO(_phone_photo() + bytes(100_000)))
    assert not photo.truncated


def test_a_decode_waits_its_turn_first_come_first_served():
    import threading
    import time

    from media.decode_gate import DecodeBusy, DecodeGate

    gate, order = DecodeGate(budget_bytes=100, wait_seconds=5), []

    def take(name, cost):
        with gate.hold(cost):
            order.append(name)
            time.sleep(0.05)

    with gate.hold(60):
        big = threading.Thread(target=take, args=("big", 100))
        big.start()
        time.sleep(0.05)
        small = threading.Thread(target=take, args=("small", 10))  # would fit now, but comes after the big one
        small.start()
        time.sleep(0.05)
        assert order == []
    big.join()
    small.join()
    assert order == ["big", "small"]
    with pytest.raises(ImageTooLarge):
        with gate.hold(101):
            pass
    quick = DecodeGate(budget_bytes=100, wait_seconds=0.05)
    with quick.hold(100), pytest.raises(DecodeBusy):
        with quick.hold(1):
            pass
    assert quick.in_use == 0
