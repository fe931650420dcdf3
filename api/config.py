"""Configuration from the environment: the only module that reads ``os.environ``.

Every variable has an embedded default, so a fresh clone runs with none set (SQLite under ``instance/``
and the bundled SeaweedFS on loopback).

| variable | meaning | default |
| --- | --- | --- |
| ``DATABASE_URL`` | SQLAlchemy URL (``postgresql://…`` in production) | ``sqlite:///instance/hazards.db`` |
| ``S3_ENDPOINT_URL`` | S3-compatible endpoint | ``http://127.0.0.1:8333`` (bundled SeaweedFS) |
| ``S3_PUBLIC_ENDPOINT_URL`` | the endpoint as phones reach it, used in presigned links | ``S3_ENDPOINT_URL`` |
| ``S3_BUCKET`` | bucket for photos and documents | ``hazards`` |
| ``S3_ACCESS_KEY_ID`` / ``S3_SECRET_ACCESS_KEY`` | object-store credentials | ``hazards-dev`` / ``hazards-dev-secret`` |
| ``S3_REGION`` | region for request signing | ``us-east-1`` |
| ``SECRET_KEY`` | signs access tokens; set a long random value in production | a development key |
| ``TIMEZONE`` | local time zone for deadlines | ``Asia/Shanghai`` |
| ``GENERAL_DEADLINE_WORKING_DAYS`` | default rectification period of a general hazard | ``7`` |
| ``MAJOR_DEADLINE_WORKING_DAYS`` | default rectification period of a major hazard | ``30`` |
| ``ACCESS_TOKEN_MINUTES`` | lifetime of an access token | ``30`` |
| ``REFRESH_TOKEN_DAYS`` | lifetime of a refresh token | ``14`` |
| ``REFRESH_REUSE_GRACE_SECONDS`` | a spent refresh token still honoured this long (retries after a lost answer) | ``60`` |
| ``RATELIMIT_STORAGE_URI`` | where login counters live; ``redis://…`` when several instances run | ``memory://`` |
| ``LOGIN_LIMIT_PER_USER`` | failed sign-ins allowed per username | ``10 per 15 minutes`` |
| ``LOGIN_LIMIT_PER_ADDRESS`` | sign-in attempts allowed per client address | ``60 per 15 minutes`` |
| ``PROXY_HOPS`` | reverse proxies in front whose ``X-Forwarded-For`` is trusted | ``0`` |
"""
from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"
DEV_SECRET_KEY = "dev-only-secret-key-change-me-in-production"


def _int(environ, name: str, default: int) -> int:
    raw = environ.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"Configuration error: {name} must be a whole number, got {raw!r}.") from None


def from_env(environ=None) -> dict:
    """The settings, read once when the app is created (never at import time)."""
    env = os.environ if environ is None else environ
    s3_endpoint = env.get("S3_ENDPOINT_URL") or "http://127.0.0.1:8333"
    return {
        "DATABASE_URL": env.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'hazards.db'}",
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_PUBLIC_ENDPOINT_URL": env.get("S3_PUBLIC_ENDPOINT_URL") or s3_endpoint,
        "S3_BUCKET": env.get("S3_BUCKET") or "hazards",
        "S3_ACCESS_KEY_ID": env.get("S3_ACCESS_KEY_ID") or "hazards-dev",
        "S3_SECRET_ACCESS_KEY": env.get("S3_SECRET_ACCESS_KEY") or "hazards-dev-secret",
        "S3_REGION": env.get("S3_REGION") or "us-east-1",
        "SECRET_KEY": env.get("SECRET_KEY") or DEV_SECRET_KEY,
        "TIMEZONE": env.get("TIMEZONE") or "Asia/Shanghai",
        "GENERAL_DEADLINE_WORKING_DAYS": _int(env, "GENERAL_DEADLINE_WORKING_DAYS", 7),
        "MAJOR_DEADLINE_WORKING_DAYS": _int(env, "MAJOR_DEADLINE_WORKING_DAYS", 30),
        "ACCESS_TOKEN_MINUTES": _int(env, "ACCESS_TOKEN_MINUTES", 30),
        "REFRESH_TOKEN_DAYS": _int(env, "REFRESH_TOKEN_DAYS", 14),
        "REFRESH_REUSE_GRACE_SECONDS": _int(env, "REFRESH_REUSE_GRACE_SECONDS", 60),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI") or "memory://",
        "LOGIN_LIMIT_PER_USER": env.get("LOGIN_LIMIT_PER_USER") or "10 per 15 minutes",
        "LOGIN_LIMIT_PER_ADDRESS": env.get("LOGIN_LIMIT_PER_ADDRESS") or "60 per 15 minutes",
        "PROXY_HOPS": _int(env, "PROXY_HOPS", 0),
    }
