"""pytest plugin: one real S3 store for the test session, and a fresh bucket for each test.

Starts the bundled SeaweedFS on free loopback ports in a temporary directory, unless
TEST_S3_ENDPOINT_URL (with TEST_S3_ACCESS_KEY_ID and TEST_S3_SECRET_ACCESS_KEY) names a store
that is already running. Register it with `pytest_plugins = ["tests.s3_fixtures"]`.
"""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import boto3
import pytest
from botocore.config import Config

from media.storage import ObjectStore
from scripts.seaweedfs import SeaweedFS


@dataclass(frozen=True)
class S3Server:
    """Where the session's store answers, and the keys that open it."""

    endpoint_url: str
    access_key: str
    secret_key: str
    region: str = "us-east-1"

    def store(self, bucket: str, **kwargs) -> ObjectStore:
        """An ObjectStore for `bucket` on this server (the bucket is not created)."""
        return ObjectStore(self.endpoint_url, bucket, self.access_key, self.secret_key, self.region, **kwargs)

    def client(self):
        """A plain boto3 client, for setting up and tearing down what ObjectStore does not do."""
        return boto3.client(
            "s3", endpoint_url=self.endpoint_url, aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key, region_name=self.region,
            config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory) -> Iterator[S3Server]:
    """The session's S3 server: `.endpoint_url`, `.access_key`, `.secret_key`, `.region`."""
    endpoint = os.environ.get("TEST_S3_ENDPOINT_URL")
    if endpoint:
        try:
            yield S3Server(endpoint, os.environ["TEST_S3_ACCESS_KEY_ID"], os.environ["TEST_S3_SECRET_ACCESS_KEY"],
                           os.environ.get("TEST_S3_REGION", "us-east-1"))
        except KeyError as missing:
            pytest.fail(f"TEST_S3_ENDPOINT_URL is set but {missing} is not", pytrace=False)
        return
    server = SeaweedFS(tmp_path_factory.mktemp("seaweedfs"), access_key="test-access-key",
                       secret_key=secrets.token_urlsafe(24))
    server.start()
    try:
        yield S3Server(server.endpoint_url, server.access_key, server.secret_key)
    finally:
        server.stop()


@pytest.fixture
def object_store(seaweedfs: S3Server) -> Iterator[ObjectStore]:
    """An ObjectStore on a new, empty bucket, removed with its objects after the test."""
    bucket = f"test-{uuid.uuid4().hex[:24]}"
    store = seaweedfs.store(bucket)
    store.ensure_bucket()
    yield store
    client = seaweedfs.client()
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        keys = [{"Key": item["Key"]} for item in page.get("Contents", ())]
        if keys:
            client.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
    client.delete_bucket(Bucket=bucket)
