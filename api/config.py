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
| ``CLOSURE_RADIUS_M`` | rectification photos must be taken this close to the hazard (a category may set its own) | ``100`` |
| ``CLOSURE_ACCURACY_CAP_M`` | the phone's reported GPS accuracy widens the radius by at most this | ``50`` |
| ``CLOSURE_CLOCK_SKEW_MINUTES`` | how far a phone's clock may be off the server's: a photo up to this much older than the hazard was found still counts as taken after it, and a hazard's ``reported_at`` up to this much ahead of the server is still believed | ``10`` |
| ``CLOSURE_NEAR_DUPLICATE_BITS`` | perceptual-hash bits up to which two photos are the same picture | ``10`` |
| ``CLOSURE_BLOCKING`` | failed checks that refuse a submission (others only warn), comma-separated from exact_reuse, near_duplicate, outside_radius, location_unverified, taken_before_report, time_unverified | ``exact_reuse`` |
| ``OFFLINE_REPORT_MAX_HOURS`` | a hazard reported while offline is timed by the phone's ``reported_at`` (the time it was found: the deadline counts from that day, rectification photos are compared with it) if it reaches the server within this many hours; an older ``reported_at``, or one ahead of the server by more than ``CLOSURE_CLOCK_SKEW_MINUTES``, is not believed and the server's time is used | ``72`` |
| ``RECURRENCE_DAYS`` | a new hazard of the same enterprise and category within this many days of a closed one is marked a recurrence | ``90`` |
| ``ACCESS_TOKEN_MINUTES`` | lifetime of an access token | ``30`` |
| ``REFRESH_TOKEN_DAYS`` | lifetime of a refresh token | ``14`` |
| ``REFRESH_REUSE_GRACE_SECONDS`` | a spent refresh token still honoured this long (retries after a lost answer) | ``60`` |
| ``RATELIMIT_STORAGE_URI`` | where login counters live; ``redis://…`` when several instances run | ``memory://`` |
| ``LOGIN_LIMIT_PER_USER`` | failed sign-ins allowed per username | ``10 per 15 minutes`` |
| ``LOGIN_LIMIT_PER_ADDRESS`` | sign-in attempts allowed per client address | ``60 per 15 minutes`` |
| ``PHOTO_MAX_BYTES`` | largest photo accepted, in bytes (larger uploads answer 413) | ``26214400`` (25 MiB) |
| ``PROXY_HOPS`` | reverse proxies in front whose ``X-Forwarded-For`` is trusted | ``0`` |
| ``MAP_TILE_URL`` | base-map tile URL template(s) for the ``/map`` page, ``{z}/{x}/{y}`` and ``{s}``; several separated by spaces are drawn bottom to top (Tianditu ``vec_w`` then ``cva_w``, each with ``&tk=KEY``); ``none`` for no base map | ``https://tile.openstreetmap.org/{z}/{x}/{y}.png`` |
| ``MAP_TILE_SUBDOMAINS`` | the values ``{s}`` takes in ``MAP_TILE_URL`` (Tianditu ``01234567``, Gaode ``1234``) | ``abc`` |
| ``MAP_TILE_ATTRIBUTION`` | the tiles' credit line (HTML), shown on the map | OpenStreetMap contributors |
| ``MAP_TILE_CRS`` | datum of the tiles: ``wgs84`` (OpenStreetMap, Tianditu) or ``gcj02`` (Gaode, Tencent: the page shifts points and areas only for drawing) | ``wgs84`` |
| ``MAP_CENTER`` | where the map page opens when the caller's own ground has no boundary to fit (it opens on an inspector's area, an officer's plant, the district for reviewers and admins), ``lat,lon`` (WGS-84) | ``39.9042,116.4074`` |
| ``MAP_ZOOM`` | the zoom the map page opens at with ``MAP_CENTER`` (1–18) | ``12`` |
| ``NOTICE_FONT_PATH`` | the CJK font the rectification notice (``GET /hazards/{id}/notice.pdf``) is printed in, embedded as a subset: a TrueType or OpenType file, or a collection (``.ttc``, whose Simplified Chinese face is used); without it the notice answers 503 (Debian: ``apt-get install fonts-noto-cjk``) | ``/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc`` |
"""
from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"
DEV_SECRET_KEY = "dev-only-secret-key-change-me-in-production"
# Debian's fonts-noto-cjk: Noto Serif CJK (宋体-like, as official documents are set), OpenType/CFF in a collection.
DEFAULT_NOTICE_FONT = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"


def _int(environ, name: str, default: int) -> int:
    raw = environ.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"Configuration error: {name} must be a whole number, got {raw!r}.") from None


# Copied from inspections.closure_checks.PROBLEMS: config reads the environment and imports nothing of ours.
CLOSURE_PROBLEMS = ("exact_reuse", "near_duplicate", "outside_radius", "location_unverified",
                    "taken_before_report", "time_unverified")


def _names(environ, name: str, default: str, allowed) -> tuple[str, ...]:
    raw = environ.get(name)
    names = tuple(part.strip() for part in (default if raw is None else raw).split(",") if part.strip())
    unknown = [n for n in names if n not in allowed]
    if unknown:
        raise SystemExit(f"Configuration error: {name} has unknown names {unknown}; choose from {', '.join(allowed)}.")
    return names


OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
TILE_CRSES = ("wgs84", "gcj02")


def _map_settings(env) -> dict:
    """The ``/map`` page's base map and first view, checked here so a typo stops the app at start."""
    crs = (env.get("MAP_TILE_CRS") or "wgs84").strip().lower()
    if crs not in TILE_CRSES:
        raise SystemExit(f"Configuration error: MAP_TILE_CRS must be wgs84 or gcj02, got {crs!r}.")
    raw_center = env.get("MAP_CENTER") or "39.9042,116.4074"
    try:
        lat, lon = (float(part) for part in raw_center.split(","))
    except ValueError:
        lat = lon = float("nan")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise SystemExit(f"Configuration error: MAP_CENTER must be 'lat,lon' in degrees, got {raw_center!r}.")
    zoom = _int(env, "MAP_ZOOM", 12)
    if not 1 <= zoom <= 18:
        raise SystemExit(f"Configuration error: MAP_ZOOM must be between 1 and 18, got {zoom}.")
    return {
        "MAP_TILE_URL": env.get("MAP_TILE_URL") or OSM_TILES,
        "MAP_TILE_SUBDOMAINS": env.get("MAP_TILE_SUBDOMAINS") or "abc",
        "MAP_TILE_ATTRIBUTION": env.get("MAP_TILE_ATTRIBUTION") or OSM_ATTRIBUTION,
        "MAP_TILE_CRS": crs,
        "MAP_CENTER": (lat, lon),
        "MAP_ZOOM": zoom,
    }


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
        "CLOSURE_RADIUS_M": _int(env, "CLOSURE_RADIUS_M", 100),
        "CLOSURE_ACCURACY_CAP_M": _int(env, "CLOSURE_ACCURACY_CAP_M", 50),
        "CLOSURE_CLOCK_SKEW_MINUTES": _int(env, "CLOSURE_CLOCK_SKEW_MINUTES", 10),
        "CLOSURE_NEAR_DUPLICATE_BITS": _int(env, "CLOSURE_NEAR_DUPLICATE_BITS", 10),
        "CLOSURE_BLOCKING": _names(env, "CLOSURE_BLOCKING", "exact_reuse", CLOSURE_PROBLEMS),
        "OFFLINE_REPORT_MAX_HOURS": _int(env, "OFFLINE_REPORT_MAX_HOURS", 72),
        "RECURRENCE_DAYS": _int(env, "RECURRENCE_DAYS", 90),
        "ACCESS_TOKEN_MINUTES": _int(env, "ACCESS_TOKEN_MINUTES", 30),
        "REFRESH_TOKEN_DAYS": _int(env, "REFRESH_TOKEN_DAYS", 14),
        "REFRESH_REUSE_GRACE_SECONDS": _int(env, "REFRESH_REUSE_GRACE_SECONDS", 60),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI") or "memory://",
        "LOGIN_LIMIT_PER_USER": env.get("LOGIN_LIMIT_PER_USER") or "10 per 15 minutes",
        "LOGIN_LIMIT_PER_ADDRESS": env.get("LOGIN_LIMIT_PER_ADDRESS") or "60 per 15 minutes",
        "PROXY_HOPS": _int(env, "PROXY_HOPS", 0),
        "PHOTO_MAX_BYTES": _int(env, "PHOTO_MAX_BYTES", 25 * 1024 * 1024),
        "NOTICE_FONT_PATH": env.get("NOTICE_FONT_PATH") or DEFAULT_NOTICE_FONT,
        **_map_settings(env),
    }
