"""The object store adapter against a real SeaweedFS: no mocks, real HTTP, real signatures."""

from __future__ import annotations

import hashlib
import io
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from media.storage import ObjectNotFound, ObjectStore, StorageError, StorageUnavailable
from scripts.seaweedfs import SeaweedFS, SeaweedFSError, free_port

MiB = 1024 * 1024


class ReadRecorder(io.RawIOBase):
    """A file wrapper that remembers the largest single read, to prove uploads are streamed."""

    def __init__(self, wrapped):
        self.wrapped = wrapped
        self.largest_read = 0

    def readable(self):
        return True

    def read(self, size=-1):
        data = self.wrapped.read(size)
        self.largest_read = max(self.largest_read, len(data))
        return data

    # Seekable like the staged upload files it stands for (a spooled temporary file on disk).
    def seekable(self):
        return True

    def seek(self, offset, whence=io.SEEK_SET):
        return self.wrapped.seek(offset, whence)

    def tell(self):
        return self.wrapped.tell()


def http_get(url: str) -> tuple[int, bytes, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def post_form(url: str, fields: dict, content: bytes, content_type: str) -> tuple[int, bytes]:
    """Send a browser-style multipart form upload: the policy fields first, then `file`."""
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
             for name, value in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="photo.jpg"\r\n'
                 f"Content-Type: {content_type}\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    request = urllib.request.Request(url, data=b"".join(parts), method="POST",
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_multi_megabyte_round_trip_is_streamed(object_store, tmp_path):
    payload = os.urandom(20 * MiB + 123)  # a big photo: one PUT, read from the file in small pieces
    source = tmp_path / "original.jpg"
    source.write_bytes(payload)

    with source.open("rb") as file:
        recorder = ReadRecorder(file)
        object_store.put("photos/ab/abcdef", recorder, content_type="image/jpeg",
                         metadata={"sha256": hashlib.sha256(payload).hexdigest(), "hazard": "h-1"})
    assert 0 < recorder.largest_read <= 8 * MiB

    info = object_store.head("photos/ab/abcdef")
    assert info.key == "photos/ab/abcdef"
    assert info.size == len(payload)
    assert info.content_type == "image/jpeg"
    assert info.metadata == {"sha256": hashlib.sha256(payload).hexdigest(), "hazard": "h-1"}
    assert info.etag and info.last_modified is not None
    assert object_store.exists("photos/ab/abcdef")

    digest = hashlib.sha256()
    with object_store.open("photos/ab/abcdef") as stream:
        assert stream.info.size == len(payload)
        while chunk := stream.read(MiB):
            digest.update(chunk)
    assert digest.hexdigest() == hashlib.sha256(payload).hexdigest()

    object_store.delete("photos/ab/abcdef")
    assert not object_store.exists("photos/ab/abcdef")
    object_store.delete("photos/ab/abcdef")  # deleting twice is fine


def test_small_object_read_back_whole(object_store):
    object_store.put("notes/a.txt", io.BytesIO("整改通知".encode()), content_type="text/plain; charset=utf-8")
    assert object_store.read("notes/a.txt").decode() == "整改通知"
    assert object_store.head("notes/a.txt").content_type == "text/plain; charset=utf-8"


def test_missing_key_is_object_not_found(object_store):
    for call in (object_store.head, object_store.open, object_store.read):
        with pytest.raises(ObjectNotFound) as caught:
            call("nope/missing")
        assert caught.value.key == "nope/missing"
    assert not object_store.exists("nope/missing")
    object_store.delete("nope/missing")


def test_ensure_bucket_is_idempotent_and_ping_checks_the_bucket(object_store, seaweedfs):
    object_store.ensure_bucket()
    object_store.ping()
    with pytest.raises(StorageUnavailable, match="does not exist"):
        seaweedfs.store(f"absent-{uuid.uuid4().hex[:8]}").ping()


def test_presigned_get_serves_the_object_and_names_the_download(object_store):
    object_store.put("photos/x", io.BytesIO(b"jpeg bytes"), content_type="image/jpeg")

    status, body, headers = http_get(object_store.presigned_get_url("photos/x"))
    assert (status, body) == (200, b"jpeg bytes")
    assert headers["Content-Type"] == "image/jpeg"

    url = object_store.presigned_get_url("photos/x", download_name="隐患台账 2026.xlsx")
    status, body, headers = http_get(url)
    assert status == 200
    assert "filename*=UTF-8''%E9%9A%90%E6%82%A3%E5%8F%B0%E8%B4%A6%202026.xlsx" in headers["Content-Disposition"]


def test_tampered_presigned_get_is_refused(object_store):
    object_store.put("photos/x", io.BytesIO(b"jpeg bytes"), content_type="image/jpeg")
    url = object_store.presigned_get_url("photos/x")
    assert http_get(url.replace("photos/x", "photos/y"))[0] == 403


def test_presigned_urls_expire(object_store):
    object_store.put("photos/x", io.BytesIO(b"jpeg bytes"), content_type="image/jpeg")
    get_url = object_store.presigned_get_url("photos/x", expires_in=1)
    post = object_store.presigned_post("uploads/late", content_type="image/jpeg", size=4, expires_in=1)
    time.sleep(2.1)

    status, body, _ = http_get(get_url)
    assert status == 403 and b"expired" in body
    status, body = post_form(post["url"], post["fields"], b"late", "image/jpeg")
    assert status == 403 and b"expired" in body
    assert not object_store.exists("uploads/late")


def test_presigned_post_accepts_exactly_the_declared_file(object_store):
    content = os.urandom(1000)
    post = object_store.presigned_post("uploads/u1", content_type="image/jpeg", size=len(content))
    assert post["fields"]["key"] == "uploads/u1"

    status, _ = post_form(post["url"], post["fields"], content, "image/jpeg")
    assert status in (200, 201, 204)
    info = object_store.head("uploads/u1")
    assert (info.size, info.content_type) == (1000, "image/jpeg")
    assert object_store.read("uploads/u1") == content


@pytest.mark.parametrize(
    ("content", "content_type", "expected"),
    [
        (os.urandom(1001), "image/jpeg", b"EntityTooLarge"),
        (os.urandom(999), "image/jpeg", b"EntityTooSmall"),
        (os.urandom(1000), "text/html", b"Policy Condition failed"),
    ],
    ids=["larger", "smaller", "other-type"],
)
def test_presigned_post_refuses_another_file(object_store, content, content_type, expected):
    post = object_store.presigned_post("uploads/u2", content_type="image/jpeg", size=1000)
    fields = dict(post["fields"], **{"Content-Type": content_type})

    status, body = post_form(post["url"], fields, content, content_type)
    assert status in (400, 403) and expected in body
    assert not object_store.exists("uploads/u2")


def test_presigned_post_cannot_be_aimed_at_another_key(object_store):
    post = object_store.presigned_post("uploads/u3", content_type="image/jpeg", size=3)
    status, _ = post_form(post["url"], dict(post["fields"], key="uploads/other"), b"abc", "image/jpeg")
    assert status == 403
    assert not object_store.exists("uploads/other")


def test_presigned_urls_use_the_public_endpoint(object_store, seaweedfs):
    public = seaweedfs.endpoint_url.replace("127.0.0.1", "localhost")
    store = seaweedfs.store(object_store.bucket, public_endpoint_url=public)
    store.put("photos/p", io.BytesIO(b"public"), content_type="image/png")

    url = store.presigned_get_url("photos/p")
    assert url.startswith(public + "/")
    assert http_get(url)[:2] == (200, b"public")
    assert store.presigned_post("uploads/p", content_type="image/png", size=1)["url"].startswith(public + "/")


def test_iter_objects_walks_every_page(object_store):
    keys = sorted(f"photos/{i:03d}" for i in range(23))
    for key in keys:
        object_store.put(key, io.BytesIO(key.encode()), content_type="text/plain")
    object_store.put("other/x", io.BytesIO(b"x"), content_type="text/plain")
    list_calls = []
    object_store._client.meta.events.register("after-call.s3.ListObjectsV2", lambda **_: list_calls.append(1))

    listed = list(object_store.iter_objects("photos/", page_size=5))

    assert [info.key for info in listed] == keys
    assert all(info.size == len(info.key) and info.last_modified for info in listed)
    assert len(list_calls) == 5
    assert {info.key for info in object_store.iter_objects()} == {*keys, "other/x"}


def test_wrong_secret_is_a_storage_error_not_a_missing_object(object_store, seaweedfs):
    object_store.put("photos/x", io.BytesIO(b"x"), content_type="image/jpeg")
    store = ObjectStore(seaweedfs.endpoint_url, object_store.bucket, seaweedfs.access_key, "wrong-secret")
    with pytest.raises(StorageError) as caught:
        store.head("photos/x")
    assert not isinstance(caught.value, (ObjectNotFound, StorageUnavailable))


@pytest.mark.parametrize("operation", ["put", "head", "ping", "open", "delete", "iter_objects", "ensure_bucket"])
def test_dead_store_fails_fast_with_storage_unavailable(operation):
    store = ObjectStore(f"http://127.0.0.1:{free_port()}", "photos", "key", "secret")
    calls = {
        "put": lambda: store.put("k", io.BytesIO(b"x"), content_type="image/jpeg"),
        "head": lambda: store.head("k"),
        "ping": store.ping,
        "open": lambda: store.open("k"),
        "delete": lambda: store.delete("k"),
        "iter_objects": lambda: list(store.iter_objects()),
        "ensure_bucket": store.ensure_bucket,
    }
    started = time.monotonic()
    with pytest.raises(StorageUnavailable, match="unreachable"):
        calls[operation]()
    assert time.monotonic() - started < 5


def test_hung_store_times_out_with_storage_unavailable():
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        store = ObjectStore(f"http://127.0.0.1:{silent.getsockname()[1]}", "photos", "key", "secret",
                            read_timeout=0.5)
        started = time.monotonic()
        with pytest.raises(StorageUnavailable, match="timeout"):
            store.head("k")
        assert time.monotonic() - started < 3


def test_bundled_seaweedfs_keeps_data_across_a_restart(tmp_path):
    keys = {"access_key": "restart-key", "secret_key": "restart-secret"}
    with SeaweedFS(tmp_path / "data", **keys) as server:
        store = ObjectStore(server.endpoint_url, "kept", keys["access_key"], keys["secret_key"])
        store.ensure_bucket()
        store.put("photos/evidence", io.BytesIO(b"evidence"), content_type="image/jpeg")
        # Only S3, with its signatures, may hand out objects; the filer's own HTTP port refuses.
        assert http_get(f"http://127.0.0.1:{server.filer_port}/buckets/kept/photos/evidence")[0] == 401
    assert not server.running

    with SeaweedFS(tmp_path / "data", **keys) as server:
        store = ObjectStore(server.endpoint_url, "kept", keys["access_key"], keys["secret_key"])
        assert store.read("photos/evidence") == b"evidence"


def test_bundled_seaweedfs_reports_a_taken_port(tmp_path):
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        server = SeaweedFS(tmp_path / "data", s3_port=port, access_key="k", secret_key="s")
        with pytest.raises(SeaweedFSError, match=f"(?s)exited with status .*port {port} .*not available"):
            server.start(timeout=30)
    assert not server.running


def test_cli_runs_in_the_foreground_until_sigterm(tmp_path):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "scripts.seaweedfs", "--dir", str(tmp_path / "data"), "--port", str(port),
         "--access-key", "cli-key", "--secret-key", "cli-secret"],
        cwd=Path(__file__).resolve().parents[2], stdout=subprocess.PIPE, text=True)
    try:
        ready = process.stdout.readline()
        assert f"ready at http://127.0.0.1:{port}" in ready
        ObjectStore(f"http://127.0.0.1:{port}", "cli", "cli-key", "cli-secret").ensure_bucket()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    with pytest.raises(StorageUnavailable):
        ObjectStore(f"http://127.0.0.1:{port}", "cli", "cli-key", "cli-secret").ping()
