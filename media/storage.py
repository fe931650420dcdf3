"""The object store: photos and other bytes in one S3 bucket, over boto3.

Callers get keys, bytes, streams, `ObjectInfo` and URL strings, never a boto3 object or a web
response, and only the neutral exceptions below: every botocore/boto3 error is translated here.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any
from urllib.parse import quote

import boto3
import boto3.exceptions
import urllib3.exceptions
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from botocore.exceptions import ConnectionError as BotoConnectionError
from botocore.exceptions import HTTPClientError, IncompleteReadError

# Photos (at most tens of MB) go as one streamed PUT: multipart uploads buffer each part in memory,
# which made an upload's peak memory grow with the file. Only objects over 64 MiB are split.
_TRANSFER = TransferConfig(multipart_threshold=64 * 1024 * 1024, multipart_chunksize=8 * 1024 * 1024,
                           max_concurrency=4)
_NOT_FOUND_CODES = {"NoSuchKey", "NotFound", "404", "NoSuchVersion"}
_UNAVAILABLE_CODES = {"SlowDown", "ServiceUnavailable", "InternalError", "RequestTimeout", "503", "500"}


class StorageError(Exception):
    """Any object store failure; raised as such for the ones a retry will not fix (bad keys, bad request)."""


class StorageUnavailable(StorageError):
    """The object store cannot be reached or is failing (refused, timed out, 5xx, missing bucket)."""


class ObjectNotFound(StorageError):
    """No object under that key."""

    def __init__(self, key: str | None):
        super().__init__(f"no object {key!r} in the store" if key else "object not found")
        self.key = key


@dataclass(frozen=True)
class ObjectInfo:
    """What the store knows about one object (listing fills only key, size, etag, last_modified)."""

    key: str
    size: int
    content_type: str | None = None
    etag: str | None = None
    last_modified: datetime | None = None
    metadata: Mapping[str, str] = field(default_factory=dict, hash=False)


class ObjectStream(io.RawIOBase):
    """A readable, non-seekable stream of an object's bytes; wrap in io.BufferedReader if needed."""

    def __init__(self, body: Any, info: ObjectInfo, translate):
        super().__init__()
        self._body = body
        self.info = info
        self._translate = translate

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        with self._translate(self.info.key):
            data = self._body.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readall(self) -> bytes:
        with self._translate(self.info.key):
            return self._body.read()

    def close(self) -> None:
        if not self.closed:
            self._body.close()
        super().close()


class ObjectStore:
    """One bucket of an S3-compatible store (SeaweedFS here, any S3 in production).

    `public_endpoint_url` is the address phones use for presigned URLs when it differs from the
    one the server uses (another host name, a reverse proxy); the signature covers the host, so
    the URL must be signed for the name the phone will send.
    """

    def __init__(self, endpoint_url: str | None, bucket: str, access_key_id: str, secret_access_key: str,
                 region: str = "us-east-1", *, public_endpoint_url: str | None = None,
                 connect_timeout: float = 2, read_timeout: float = 5, max_attempts: int = 2) -> None:
        self.bucket = bucket
        self.endpoint_url = endpoint_url
        self.region = region
        config = Config(
            signature_version="s3v4",
            s3={"addressing_style": "path"},
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            retries={"mode": "standard", "total_max_attempts": max_attempts},
            # Checksums only where S3 demands them: other S3 implementations vary in their
            # support of the newer default CRC trailers.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        session = boto3.session.Session(aws_access_key_id=access_key_id,
                                        aws_secret_access_key=secret_access_key, region_name=region)
        self._client = session.client("s3", endpoint_url=endpoint_url, config=config)
        self._presigner = (session.client("s3", endpoint_url=public_endpoint_url, config=config)
                           if public_endpoint_url else self._client)

    def __repr__(self) -> str:
        return f"ObjectStore({self.endpoint_url!r}, bucket={self.bucket!r})"

    @contextmanager
    def _translate(self, key: str | None = None) -> Iterator[None]:
        """Turn whatever boto3, botocore or urllib3 raises into our StorageError family."""
        try:
            yield
        except StorageError:
            raise
        except ClientError as exc:
            raise self._client_error(exc, key) from exc
        except (BotoConnectionError, HTTPClientError, IncompleteReadError, urllib3.exceptions.HTTPError) as exc:
            raise StorageUnavailable(f"object store at {self.endpoint_url} unreachable: {exc}") from exc
        except (BotoCoreError, boto3.exceptions.Boto3Error) as exc:
            cause = exc.__cause__ or exc.__context__
            if isinstance(cause, ClientError):
                raise self._client_error(cause, key) from exc
            raise StorageError(f"object store error: {exc}") from exc

    def _client_error(self, exc: ClientError, key: str | None) -> StorageError:
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        if code == "NoSuchBucket":
            return StorageUnavailable(f"bucket {self.bucket!r} does not exist at {self.endpoint_url}")
        if code in _NOT_FOUND_CODES:
            return ObjectNotFound(key)
        if status >= 500 or code in _UNAVAILABLE_CODES:
            return StorageUnavailable(f"object store at {self.endpoint_url} failed: {code} {error.get('Message', '')}")
        return StorageError(f"object store refused: {code} {error.get('Message', '')}".strip())

    def ping(self) -> None:
        """Raise StorageUnavailable unless the store answers and the bucket exists."""
        with self._translate():
            try:
                self._client.head_bucket(Bucket=self.bucket)
            except ClientError as exc:
                if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
                    raise StorageUnavailable(
                        f"bucket {self.bucket!r} does not exist at {self.endpoint_url}") from exc
                raise

    def ensure_bucket(self) -> None:
        """Create the bucket unless it exists already (safe to call from every instance at start)."""
        with self._translate():
            try:
                self._client.head_bucket(Bucket=self.bucket)
                return
            except ClientError as exc:
                if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") != 404:
                    raise
            kwargs: dict[str, Any] = {"Bucket": self.bucket}
            if self.region != "us-east-1":
                kwargs["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
            try:
                self._client.create_bucket(**kwargs)
            except ClientError as exc:
                # Another instance may have created it between our head and create.
                if exc.response.get("Error", {}).get("Code") != "BucketAlreadyOwnedByYou":
                    raise

    def put(self, key: str, fileobj: IO[bytes], *, content_type: str,
            metadata: Mapping[str, str] | None = None) -> None:
        """Store the bytes read from `fileobj` under `key`, streamed in parts (never all in memory)."""
        extra: dict[str, Any] = {"ContentType": content_type}
        if metadata:
            extra["Metadata"] = dict(metadata)
        with self._translate(key):
            self._client.upload_fileobj(fileobj, self.bucket, key, ExtraArgs=extra, Config=_TRANSFER)

    def open(self, key: str) -> ObjectStream:
        """A readable stream of the object's bytes; close it when done. ObjectNotFound if absent."""
        with self._translate(key):
            response = self._client.get_object(Bucket=self.bucket, Key=key)
        return ObjectStream(response["Body"], self._info(key, response), self._translate)

    def read(self, key: str) -> bytes:
        """All the object's bytes at once: only for small objects."""
        with self.open(key) as stream:
            return stream.read()

    def head(self, key: str) -> ObjectInfo:
        """The object's size, type, etag, date and metadata. ObjectNotFound if absent."""
        with self._translate(key):
            response = self._client.head_object(Bucket=self.bucket, Key=key)
        return self._info(key, response)

    def exists(self, key: str) -> bool:
        """True when an object is stored under `key`."""
        try:
            self.head(key)
        except ObjectNotFound:
            return False
        return True

    def delete(self, key: str) -> None:
        """Remove the object; removing one that is not there is not an error."""
        with self._translate(key):
            self._client.delete_object(Bucket=self.bucket, Key=key)

    def iter_objects(self, prefix: str = "", *, page_size: int = 1000) -> Iterator[ObjectInfo]:
        """Every object whose key starts with `prefix`, in key order, fetched page by page."""
        paginator = self._client.get_paginator("list_objects_v2")
        pages = paginator.paginate(Bucket=self.bucket, Prefix=prefix, PaginationConfig={"PageSize": page_size})
        with self._translate():
            for page in pages:
                for item in page.get("Contents", ()):
                    yield ObjectInfo(key=item["Key"], size=item["Size"], etag=_unquote(item.get("ETag")),
                                     last_modified=item.get("LastModified"))

    def presigned_get_url(self, key: str, expires_in: int = 900, *, download_name: str | None = None,
                          inline_name: str | None = None, content_type: str | None = None) -> str:
        """A URL that lets anyone holding it GET the object for `expires_in` seconds.

        With `download_name` the browser saves the object under that name (``Content-Disposition: attachment``)
        instead of showing it; with `inline_name` it shows it, and saves it under that name if asked to.
        `content_type` is the type the answer declares, whatever the object was stored with. These ride on the
        signed query (S3's response-content-* overrides, which SeaweedFS honours too); S3 has no override for
        ``X-Content-Type-Options``, so the store's answer carries none.
        """
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if download_name:
            params["ResponseContentDisposition"] = content_disposition(download_name)
        elif inline_name:
            params["ResponseContentDisposition"] = content_disposition(inline_name, disposition="inline")
        if content_type:
            params["ResponseContentType"] = content_type
        with self._translate(key):
            return self._presigner.generate_presigned_url("get_object", Params=params, ExpiresIn=expires_in)

    def presigned_post(self, key: str, *, content_type: str, size: int, expires_in: int = 900) -> dict[str, Any]:
        """A form upload a phone can send straight to the store: `{"url": ..., "fields": {...}}`.

        The signed policy binds the key, the exact size and the Content-Type, so the store
        itself refuses any other file; the client sends `fields` first, then the file as `file`.
        """
        conditions = [{"Content-Type": content_type}, ["content-length-range", size, size]]
        with self._translate(key):
            post = self._presigner.generate_presigned_post(
                self.bucket, key, Fields={"Content-Type": content_type}, Conditions=conditions,
                ExpiresIn=expires_in)
        return {"url": post["url"], "fields": dict(post["fields"])}

    @staticmethod
    def _info(key: str, response: Mapping[str, Any]) -> ObjectInfo:
        return ObjectInfo(key=key, size=response.get("ContentLength", 0),
                          content_type=response.get("ContentType"), etag=_unquote(response.get("ETag")),
                          last_modified=response.get("LastModified"), metadata=dict(response.get("Metadata", {})))


def content_disposition(filename: str, *, disposition: str = "attachment") -> str:
    """An `attachment` (or `inline`) header value that keeps non-ASCII (Chinese) file names, per RFC 6266."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename)
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _unquote(etag: str | None) -> str | None:
    return etag.strip('"') if etag else etag
