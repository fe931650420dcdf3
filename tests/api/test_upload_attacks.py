"""The upload attack corpus (issue 12): decompression bombs by format, lying headers, polyglots, huge metadata and
over-size streams, each sent through the API as an attacker would.

Every attack is checked three ways: the answer (status and message), what it cost this process in memory (the
peak RSS above the RSS before it, Linux's VmHWM reset just before; the bound is generous, while each bomb claims
gigabytes), and what it left behind: no photo or upload row, no object in the bucket, no temporary file (neither
in the temp directory nor held open after deletion).
"""
from __future__ import annotations

import gc
import http.client
import io
import os
import struct
import tempfile
import threading
import uuid
import zipfile
import zlib
from contextlib import contextmanager
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select
from werkzeug.serving import make_server

from inspections.models import Upload
from tests.api.conftest import API
from tests.api.test_photos import (  # noqa: F401  (store is a fixture)
    http_get, keys, new_hazard, photo_bytes, photo_count, sha256, store, upload,
)
from tests.api.test_uploads import attach, post_to_store, start, uploaded

MB = 1024 * 1024
# Far above what any refusal here costs (a header read: a few MB) and what the accepted files cost (< 100 MB),
# far below what the bombs would take if decoded (0.9 to 6 GB).
MEMORY_BOUND = 300 * MB


# --- watching memory and leftovers ----------------------------------------------------------------------


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def _deleted_open_files() -> set[str]:
    gc.collect()  # files that are only garbage are not what we look for
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.endswith("(deleted)"):
            found.add(target)
    return found


@pytest.fixture(autouse=True)
def _own_temp_dir(tmp_path, monkeypatch):
    """Temporary files of this process go to a directory of this test's own (the machine's /tmp is shared)."""
    own = tmp_path / "tmp"
    own.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(own))


@contextmanager
def attacked(db_session, store, *, accepted: int = 0):
    """Around one attack: the peak memory it cost, and that it left ``accepted`` photos and nothing else."""
    temp_before = set(os.listdir(tempfile.gettempdir()))
    deleted_before = _deleted_open_files()
    Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current RSS
    start_rss = _status_kb("VmRSS")
    sent = _Sent()
    yield sent
    for response in sent.responses:
        # The test client keeps the body it sent (spooled to a temporary file when large) with the response.
        response.request.environ["wsgi.input"].close()
    peak = (_status_kb("VmHWM") - start_rss) * 1024
    assert peak < MEMORY_BOUND, f"the attack cost {peak / MB:.0f} MB"
    assert photo_count(db_session) == accepted
    if not accepted:
        assert not keys(store), keys(store)
    assert set(os.listdir(tempfile.gettempdir())) - temp_before == set()
    assert _deleted_open_files() - deleted_before == set()


class _Sent:
    """The test client's answers inside `attacked`, whose request bodies are the client's, not the server's."""

    def __init__(self):
        self.responses = []

    def __call__(self, response):
        self.responses.append(response)
        return response


def refused(response, status: int, *words: str) -> None:
    body = response.get_json()
    assert response.status_code == status, body
    assert body["code"] == status
    for word in words:
        assert word in body["message"], body["message"]


# --- bombs by format ------------------------------------------------------------------------------------


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def zero_png(width: int, height: int, color_type: int = 6, bit_depth: int = 8) -> bytes:
    """A valid all-zero PNG, made in a fraction of a second: the deflate stream of 100 rows, fully flushed so it
    depends on nothing before it, repeated; then an empty final block and the Adler-32 of all the rows."""
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color_type]
    row = bytes(1 + (width * channels * bit_depth + 7) // 8)
    compressor = zlib.compressobj(9)
    header_and_first = compressor.compress(row * 100) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeated = compressor.compress(row * 100) + compressor.flush(zlib.Z_FULL_FLUSH)
    blocks, rest = divmod(height, 100)
    tail = zlib.compressobj(9)
    tail_block = tail.compress(row * rest)[2:] + tail.flush(zlib.Z_FULL_FLUSH) if rest else b""
    adler = 1
    for _ in range(height):
        adler = zlib.adler32(row, adler)
    stream = header_and_first + repeated * (blocks - 1) + tail_block + b"\x03\x00" + struct.pack(">I", adler)
    header = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", stream) + _chunk(b"IEND", b"")


def jpeg_claiming(content: bytes, width: int, height: int) -> bytes:
    """A real JPEG whose frame header (SOF) claims another size."""
    data = bytearray(content)
    frame = next(i for i in range(2, len(data) - 1) if data[i] == 0xFF and data[i + 1] in (0xC0, 0xC1, 0xC2))
    data[frame + 5:frame + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def heic_claiming(width: int, height: int) -> bytes:
    """A tiny flat HEIC whose image spatial extent (ispe) claims another size."""
    import pillow_heif

    out = io.BytesIO()
    pillow_heif.from_pillow(Image.new("RGB", (512, 512), (90, 120, 30))).save(out, quality=50)
    data = bytearray(out.getvalue())
    at = data.find(b"ispe")
    data[at + 8:at + 16] = struct.pack(">II", width, height)
    return bytes(data)


def webp_canvas(side: int) -> bytes:
    """A WebP header (VP8X) declaring a square canvas, and nothing else."""
    size = (side - 1).to_bytes(3, "little")
    vp8x = b"VP8X" + (10).to_bytes(4, "little") + b"\x00\x00\x00\x00" + size + size
    return b"RIFF" + (4 + len(vp8x)).to_bytes(4, "little") + b"WEBP" + vp8x


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


BOMBS = {
    # Issue 12's own: 852 KB of zeros claiming 14800 x 14800 RGBA (219 MP; decoding took +1.5 GB for 6.5 s).
    "png-219MP-zeros": (lambda: zero_png(14800, 14800), "the most accepted for a PNG is 40 megapixels"),
    # Under the PNG cap but made of nothing: a 1-bit all-zero 6000 x 6000 in 4 KB.
    "png-36MP-1bit": (lambda: zero_png(6000, 6000, color_type=0, bit_depth=1), "far too little data"),
    "webp-canvas-268MP": (lambda: webp_canvas(16383), "the most accepted for a WebP is 40 megapixels"),
    "webp-9MP-lossless-flat": (lambda: encoded(Image.new("RGB", (3000, 3000)), "WEBP", lossless=True),
                               "far too little data"),
    # Issue 12's: a small JPEG claiming 14000 x 14000 was stored as such.
    "jpeg-claims-196MP": (lambda: jpeg_claiming(photo_bytes("exexif_sunrise.jpg"), 14000, 14000),
                          "far too little data"),
    "jpeg-claims-2500MP": (lambda: jpeg_claiming(photo_bytes("exexif_sunrise.jpg"), 50000, 50000),
                           "the most accepted for a JPEG is 210 megapixels"),
    "heic-claims-144MP": (lambda: heic_claiming(12000, 12000), "far too little data"),
    "heic-claims-268MP": (lambda: heic_claiming(16384, 16384), "the most accepted for a HEIC is 210 megapixels"),
}


@pytest.mark.parametrize("name", BOMBS)
def test_bombs_are_refused_on_their_header(client, district, store, db_session, name):
    make, words = BOMBS[name]
    content = make()
    hazard = new_hazard(client, district["wang"], district.plant.id)
    with attacked(db_session, store) as sent:
        response = sent(upload(client, district["wang"], hazard["id"], content))
    refused(response, 422, words)


def test_a_bomb_sent_as_a_direct_upload_is_refused_and_its_object_removed(client, district, store, db_session):
    content = zero_png(14800, 14800)
    hazard = new_hazard(client, district["wang"], district.plant.id)
    ticket = uploaded(client, district["wang"], content, "image/png")
    with attacked(db_session, store) as sent:
        response = sent(attach(client, district["wang"], hazard["id"], ticket["upload_id"]))
    refused(response, 422, "40 megapixels")


# --- lying headers --------------------------------------------------------------------------------------


def test_a_png_declaring_more_rows_than_it_holds_is_incomplete(client, district, store, db_session):
    rows = b"".join(b"\x00" + os.urandom(4000 * 3) for _ in range(50))  # 50 rows of noise, filter "none"
    header = struct.pack(">IIBBBBB", 4000, 3000, 8, 2, 0, 0, 0)
    content = (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows))
               + _chunk(b"IEND", b""))
    hazard = new_hazard(client, district["wang"], district.plant.id)
    with attacked(db_session, store) as sent:
        response = sent(upload(client, district["wang"], hazard["id"], content))
    refused(response, 422, "incomplete")


def test_a_jpeg_declaring_more_rows_than_it_holds_is_incomplete(client, district, store, db_session):
    content = jpeg_claiming(photo_bytes("drew_Apple_iPhone_4.jpg"), 1296, 3000)  # holds 968 rows
    hazard = new_hazard(client, district["wang"], district.plant.id)
    with attacked(db_session, store) as sent:
        response = sent(upload(client, district["wang"], hazard["id"], content))
    refused(response, 422, "incomplete", "send it again")


def test_the_content_type_a_client_claims_is_ignored_for_the_bytes_it_sent(client, district, store, db_session):
    hazard = new_hazard(client, district["wang"], district.plant.id)
    data = {"kind": "evidence", "file": (io.BytesIO(photo_bytes("exexif_sunrise.jpg")), "photo.png", "image/png")}
    with attacked(db_session, store, accepted=1) as sent:
        as_png = sent(client.post(f"{API}/hazards/{hazard['id']}/photos", data=data, headers=district["wang"],
                                  content_type="multipart/form-data"))
    assert as_png.status_code == 201 and as_png.get_json()["content_type"] == "image/jpeg"
    html = {"kind": "evidence", "file": (io.BytesIO(b"<html><script>alert(1)</script></html>" * 20), "photo.jpg",
                                         "image/jpeg")}
    with attacked(db_session, store, accepted=1) as sent:
        as_jpeg = sent(client.post(f"{API}/hazards/{hazard['id']}/photos", data=html, headers=district["wang"],
                                   content_type="multipart/form-data"))
    refused(as_jpeg, 415)


def test_a_direct_upload_of_other_bytes_than_declared_is_refused_and_removed(client, district, store, db_session):
    content = photo_bytes("exexif_sunrise.jpg")
    other = bytearray(content)
    other[-200] ^= 0x55
    hazard = new_hazard(client, district["wang"], district.plant.id)
    ticket = start(client, district["wang"], content).get_json()
    assert post_to_store(ticket, bytes(other)) in (200, 201, 204)  # same size and type: the store cannot tell
    with attacked(db_session, store) as sent:
        wrong_sha = sent(attach(client, district["wang"], hazard["id"], ticket["upload_id"]))
    refused(wrong_sha, 422, "not the one declared")

    longer = start(client, district["wang"], photo_bytes("drew_Issue_473_Java.webp"), "image/webp").get_json()
    with attacked(db_session, store):
        # The signed form binds size and type: the store itself refuses another size or another type.
        assert post_to_store(longer, photo_bytes("drew_Issue_473_Java.webp") + b"x", "image/webp") in (400, 403)
        assert post_to_store(dict(longer, fields={**longer["fields"], "Content-Type": "text/html"}),
                             photo_bytes("drew_Issue_473_Java.webp"), "text/html") in (400, 403)
        never_came = attach(client, district["wang"], hazard["id"], longer["upload_id"])
    refused(never_came, 422)


def test_a_direct_upload_declared_as_png_is_judged_by_its_bytes(client, district, store, db_session):
    content = photo_bytes("exexif_sunrise.jpg")
    hazard = new_hazard(client, district["wang"], district.plant.id)
    ticket = uploaded(client, district["wang"], content, "image/png")
    with attacked(db_session, store, accepted=1) as sent:
        response = sent(attach(client, district["wang"], hazard["id"], ticket["upload_id"]))
    assert response.status_code == 201 and response.get_json()["content_type"] == "image/jpeg"


# --- polyglots: kept byte for byte as evidence, never shown ----------------------------------------------


def _segment(marker: int, body: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body


def _zip_archive() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.html", "<script>alert(document.cookie)</script>")
    return out.getvalue()


POLYGLOTS = {
    "jpeg+html": photo_bytes("drew_Apple_iPhone_4.jpg") + b"<html><script>alert(document.cookie)</script></html>",
    # The comment segment comes first, within the bytes a browser sniffs.
    "jpeg-com-html": (b"\xff\xd8" + _segment(0xFE, b"<html><script>alert(1)</script></html>")
                      + photo_bytes("drew_Apple_iPhone_4.jpg")[2:]),
    "jpeg+zip": photo_bytes("drew_Apple_iPhone_4.jpg") + _zip_archive(),
}


@pytest.mark.parametrize("name", POLYGLOTS)
def test_polyglots_are_kept_whole_downloaded_as_images_and_shown_only_as_our_copies(client, district, store,
                                                                                   db_session, name):
    content = POLYGLOTS[name]
    if name == "jpeg+zip":
        assert zipfile.ZipFile(io.BytesIO(content)).namelist() == ["payload.html"]  # really both
    hazard = new_hazard(client, district["wang"], district.plant.id)
    with attacked(db_session, store, accepted=1) as sent:
        response = sent(upload(client, district["wang"], hazard["id"], content))
    assert response.status_code == 201, response.get_json()
    photo = response.get_json()
    assert photo["content_type"] == "image/jpeg" and photo["sha256"] == sha256(content)

    with _fetch(photo["url"]) as original:
        assert original.status == 200 and original.read() == content  # evidence: byte for byte
        assert original.getheader("Content-Type") == "image/jpeg"
        assert original.getheader("Content-Disposition").startswith(f'attachment; filename="photo-{photo["id"]}.jpg"')
    for link in ("display_url", "thumbnail_url"):
        with _fetch(photo[link]) as copy:
            body = copy.read()
            assert copy.getheader("Content-Type") == "image/jpeg"
            assert copy.getheader("Content-Disposition").startswith("inline")
        assert body.startswith(b"\xff\xd8") and b"<script" not in body and b"PK\x03\x04" not in body


@contextmanager
def _fetch(url: str):
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("GET", parts.path + "?" + parts.query)
    try:
        yield connection.getresponse()
    finally:
        connection.close()


# --- huge metadata --------------------------------------------------------------------------------------


def jpeg_with_huge_metadata() -> bytes:
    """A real photo with 2.5 MB of XMP in 40 APP1 segments and a 3 MB ICC profile of garbage in 48 APP2 chunks."""
    base = photo_bytes("drew_Apple_iPhone_4.jpg")
    xmp = b"".join(_segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + b"<x:xmpmeta " + b"a" * 65000)
                   for _ in range(40))
    icc = b"".join(_segment(0xE2, b"ICC_PROFILE\x00" + bytes([n + 1, 48]) + os.urandom(65000)) for n in range(48))
    return base[:2] + xmp + icc + base[2:]


def png_with_huge_metadata() -> bytes:
    image = encoded(Image.open(io.BytesIO(photo_bytes("drew_Apple_iPhone_4.jpg"))), "PNG")
    iend = image.rindex(b"IEND") - 4
    text = _chunk(b"iTXt", b"XML:com.adobe.xmp\x00\x00\x00\x00\x00" + b"<x:xmpmeta " + b"a" * 900_000)
    exif = _chunk(b"eXIf", b"MM\x00\x2a\x00\x00\x00\x08" + os.urandom(4 * MB))
    return image[:iend] + text + exif + image[iend:]


def webp_with_huge_metadata() -> bytes:
    picture = Image.open(io.BytesIO(photo_bytes("drew_Apple_iPhone_4.jpg")))
    return encoded(picture, "WEBP", quality=80, exif=b"Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08" + os.urandom(4 * MB),
                   xmp=b"<x:xmpmeta " + b"a" * (2 * MB))


METADATA = {"jpeg": jpeg_with_huge_metadata, "png": png_with_huge_metadata, "webp": webp_with_huge_metadata}


@pytest.mark.filterwarnings("ignore::UserWarning")  # Pillow notes the bad EXIF
@pytest.mark.parametrize("name", METADATA)
def test_megabytes_of_metadata_are_kept_in_the_original_and_never_reach_the_copies(client, district, store,
                                                                                  db_session, name):
    content = METADATA[name]()
    assert len(content) > 2 * MB
    hazard = new_hazard(client, district["wang"], district.plant.id)
    with attacked(db_session, store, accepted=1) as sent:
        response = sent(upload(client, district["wang"], hazard["id"], content))
    assert response.status_code == 201, response.get_json()
    photo = response.get_json()
    assert http_get(photo["url"])[1] == content
    status, display = http_get(photo["display_url"])
    assert status == 200 and len(display) < 1 * MB
    assert b"xmpmeta" not in display and b"ICC_PROFILE" not in display and b"Exif" not in display


# --- over-size streams ------------------------------------------------------------------------------------


@pytest.fixture
def small_limits(app, monkeypatch):
    """A 1 MB photo limit (and 2 MB request body), so that streams past it stay cheap to send."""
    monkeypatch.setitem(app.config, "PHOTO_MAX_BYTES", 1 * MB)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2 * MB)


@pytest.fixture
def live_server(app):
    """The app behind a real HTTP server on loopback (Werkzeug's), for requests the test client cannot make."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    thread.join(timeout=10)


def _multipart(boundary: str, file_bytes_parts, kind: str = "evidence"):
    yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n{kind}\r\n").encode()
    yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"photo.jpg\"\r\n"
           "Content-Type: image/jpeg\r\n\r\n").encode()
    yield from file_bytes_parts
    yield f"\r\n--{boundary}--\r\n".encode()


def _photo_then_padding(total: int):
    start_bytes = photo_bytes("exexif_sunrise.jpg")
    yield start_bytes
    sent = len(start_bytes)
    while sent < total:
        piece = min(256 * 1024, total - sent)
        yield b"\x00" * piece
        sent += piece


@pytest.mark.parametrize("size", [int(1.5 * MB), 3 * MB], ids=["over-the-photo-limit", "over-the-body-limit"])
def test_streams_past_the_limits_are_413(client, district, store, db_session, small_limits, size):
    hazard = new_hazard(client, district["wang"], district.plant.id)
    content = b"".join(_photo_then_padding(size))
    with attacked(db_session, store) as sent:
        response = sent(upload(client, district["wang"], hazard["id"], content))
    refused(response, 413)


@pytest.mark.parametrize("size", [int(1.5 * MB), 6 * MB], ids=["over-the-photo-limit", "over-the-body-limit"])
def test_chunked_streams_without_a_length_are_cut_off_at_the_limits(client, district, store, db_session,
                                                                    small_limits, live_server, size):
    hazard = new_hazard(client, district["wang"], district.plant.id)
    boundary = uuid.uuid4().hex
    with attacked(db_session, store):
        connection = http.client.HTTPConnection("127.0.0.1", live_server.server_port, timeout=30)
        try:
            connection.putrequest("POST", f"{API}/hazards/{hazard['id']}/photos")
            connection.putheader("Authorization", district["wang"]["Authorization"])
            connection.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
            connection.putheader("Transfer-Encoding", "chunked")
            connection.endheaders()
            try:
                for part in _multipart(boundary, _photo_then_padding(size)):
                    connection.send(b"%x\r\n%s\r\n" % (len(part), part))
                connection.send(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server may stop reading once past the limit and answer at once
            response = connection.getresponse()
            status, body = response.status, response.read()
        finally:
            connection.close()
    assert status == 413, body
    assert b'"code": 413' in body or b'"code":413' in body


def test_the_uploads_table_keeps_no_row_of_a_refused_declaration(client, district, store, db_session):
    with attacked(db_session, store) as sent:
        too_big = sent(start(client, district["wang"], b"x" * 100, size=26 * MB))
        wrong_type = start(client, district["wang"], b"x" * 100, content_type="text/html")
    refused(too_big, 413)
    refused(wrong_type, 415)
    assert db_session.scalar(select(func.count()).select_from(Upload)) == 0
