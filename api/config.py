"""Configuration from the environment: the only module that reads ``os.environ``.

Every variable but ``SECRET_KEY`` and ``AUDIT_KEY`` has an embedded default (SQLite under ``instance/``, the bundled SeaweedFS on
loopback). Secrets published in this repository are accepted only in development mode (``HAZARDS_ENV=development``,
where ``SECRET_KEY`` defaults to a development key): anywhere else the service refuses to start (``SystemExit``
naming the variable and how to set it) while ``SECRET_KEY`` or ``AUDIT_KEY`` is unset, a development key or shorter than 32
bytes, or while the S3 secret key is the development one and the object store is not on loopback.
``./scripts/run`` makes random keys on its first start and keeps them in ``instance/secrets.env`` (mode 0600).

| variable | meaning | default |
| --- | --- | --- |
| ``HAZARDS_ENV`` | ``production`` or ``development``; only development accepts the published development secrets | ``production`` |
| ``DATABASE_URL`` | SQLAlchemy URL (``postgresql://…`` in production) | ``sqlite:///instance/hazards.db`` |
| ``S3_ENDPOINT_URL`` | S3-compatible endpoint | ``http://127.0.0.1:8333`` (bundled SeaweedFS) |
| ``S3_PUBLIC_ENDPOINT_URL`` | the endpoint as phones reach it, used in presigned links | ``S3_ENDPOINT_URL`` |
| ``S3_BUCKET`` | bucket for photos and documents | ``hazards`` |
| ``S3_ACCESS_KEY_ID`` / ``S3_SECRET_ACCESS_KEY`` | object-store credentials; the development keys are refused outside development mode unless both endpoints are on loopback | ``hazards-dev`` / ``hazards-dev-secret`` |
| ``S3_REGION`` | region for request signing | ``us-east-1`` |
| ``SECRET_KEY`` | signs access tokens and the map's thumbnail links: at least 32 random bytes, e.g. ``python3 -c 'import secrets; print(secrets.token_urlsafe(48))'`` | none (a development key in development mode) |
| ``AUDIT_KEY`` | seals the audit trail (HMAC-SHA256 of every event, of each hazard's head and of the checkpoints): at least 32 bytes, kept outside the database (``python -c 'import secrets; print(secrets.token_urlsafe(48))'``); required outside development mode | a development key in development mode; ``./scripts/run`` keeps a generated one in ``instance/secrets.env`` |
| ``AUDIT_OLD_KEYS`` | previous audit keys, separated by spaces: after a rotation they still verify what they sealed (``flask audit verify`` names a key it lacks by id) | none |
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
| ``RATELIMIT_STORAGE_URI`` | where the sign-in counters live, shared by every worker and instance: ``database`` (a table of ``DATABASE_URL``) or Redis (``redis://host:6379/0``, ``rediss://…``, ``unix://…``); with Redis down, sign-in answers 503 | ``database`` |
| ``RATELIMIT_KEY_PREFIX`` | prefix of the counters' keys in Redis (several services may share one Redis) | ``hazards:sign-in:`` |
| ``LOGIN_LIMIT_PER_USER_ADDRESS`` | failed sign-ins allowed for one username from one client address | ``10 per 15 minutes`` |
| ``LOGIN_LIMIT_PER_ADDRESS`` | failed sign-ins allowed from one client address, whatever the usernames | ``60 per 15 minutes`` |
| ``LOGIN_LIMIT_PER_USER`` | failed sign-ins allowed for one username from all addresses together; beyond it only addresses where that user signed in within 30 days may go on trying | ``30 per hour`` |
| ``PHOTO_MAX_BYTES`` | largest photo accepted, in bytes (larger uploads answer 413) | ``26214400`` (25 MiB) |
| ``PHOTO_LOCATION_MAX_DISTANCE_M`` | an evidence photo's position moves its hazard only when taken this close to the enterprise's registered position (and not more than ``OFFLINE_REPORT_MAX_HOURS`` before the hazard was found); a farther one is kept, flagged ``location_plausible: false`` | ``1000`` |
| ``PHOTO_MAX_PER_HAZARD`` | photos one hazard may have, evidence and rectification together (one more answers 409) | ``50`` |
| ``UPLOAD_MAX_OPEN_PER_USER`` | direct uploads (``POST /uploads``) one user may have started and not attached within a day (one more answers 409): each may park a file of up to ``PHOTO_MAX_BYTES`` in the store until the daily media sweep | ``20`` |
| ``PHOTO_DECODE_MEMORY_MB`` | memory one process gives all the photo decodes it runs at once, in MiB (estimated per photo from its header, ``media/decode_cost.py``); a photo waits its turn, and one that alone would need more is refused (422) | ``1024`` |
| ``PHOTO_DECODE_WAIT_SECONDS`` | how long an upload waits for its share of that memory before it answers 503 with ``Retry-After`` | ``20`` |
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

import ipaddress
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"
ENVIRONMENTS = ("production", "development")
# Published here, so anyone can sign with them: accepted in development mode only (refuse_published_secrets).
DEV_SECRET_KEY = "dev-only-secret-key-change-me-in-production"
DEV_S3_ACCESS_KEY_ID = "hazards-dev"
DEV_S3_SECRET_ACCESS_KEY = "hazards-dev-secret"
MIN_SECRET_KEY_BYTES = 32
NEW_KEY_COMMAND = "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"
DEV_AUDIT_KEY = "dev-only-audit-key-change-me-in-production-0123456789"
MIN_AUDIT_KEY_BYTES = 32
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


def _positive(environ, name: str, default: int) -> int:
    value = _int(environ, name, default)
    if value < 1:
        raise SystemExit(f"Configuration error: {name} must be at least 1, got {value}.")
    return value


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


_RATE = re.compile(r"^\s*(\d+)\s*(?:per|/)\s*(\d*)\s*(second|minute|hour|day)s?\s*$", re.IGNORECASE)
_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def parse_rate(text: str) -> tuple[int, int]:
    """``"10 per 15 minutes"`` as (10, 900): how many in how many seconds. ValueError if it is not that shape."""
    match = _RATE.match(text)
    if not match or int(match.group(1)) < 1 or int(match.group(2) or 1) < 1:
        raise ValueError(text)
    return int(match.group(1)), int(match.group(2) or 1) * _SECONDS[match.group(3).lower()]


def _rate(env, name: str, default: str) -> str:
    raw = env.get(name) or default
    try:
        parse_rate(raw)
    except ValueError:
        raise SystemExit(f"Configuration error: {name} must read like '10 per 15 minutes' (second, minute, hour or "
                         f"day), got {raw!r}.") from None
    return raw


COUNTER_STORE_SCHEMES = ("redis", "rediss", "unix")


def counter_store(raw: str | None) -> str:
    """``RATELIMIT_STORAGE_URI`` checked: ``database`` or a Redis URL, else ``SystemExit`` saying what to give."""
    raw = (raw or "database").strip()
    if raw == "database" or raw.partition("://")[0].lower() in COUNTER_STORE_SCHEMES:
        return raw
    if raw.startswith("memory://"):
        raise SystemExit("Configuration error: RATELIMIT_STORAGE_URI=memory:// is no longer offered: every worker "
                         "would count apart (two workers, twice the limits). Leave it unset to keep the counters in "
                         "the database, or give redis://host:6379/0.")
    raise SystemExit(f"Configuration error: RATELIMIT_STORAGE_URI must be 'database' or a Redis URL "
                     f"(redis://host:6379/0, rediss://…, unix://…), got {raw!r}.")


def _environment(env) -> str:
    name = (env.get("HAZARDS_ENV") or "production").strip().lower()
    if name not in ENVIRONMENTS:
        raise SystemExit(f"Configuration error: HAZARDS_ENV must be production or development, got {name!r}.")
    return name


def from_env(environ=None) -> dict:
    """The settings, read once when the app is created (never at import time)."""
    env = os.environ if environ is None else environ
    s3_endpoint = env.get("S3_ENDPOINT_URL") or "http://127.0.0.1:8333"
    return {
        "HAZARDS_ENV": _environment(env),
        "DATABASE_URL": env.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'hazards.db'}",
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_PUBLIC_ENDPOINT_URL": env.get("S3_PUBLIC_ENDPOINT_URL") or s3_endpoint,
        "S3_BUCKET": env.get("S3_BUCKET") or "hazards",
        "S3_ACCESS_KEY_ID": env.get("S3_ACCESS_KEY_ID") or DEV_S3_ACCESS_KEY_ID,
        "S3_SECRET_ACCESS_KEY": env.get("S3_SECRET_ACCESS_KEY") or DEV_S3_SECRET_ACCESS_KEY,
        "S3_REGION": env.get("S3_REGION") or "us-east-1",
        "SECRET_KEY": env.get("SECRET_KEY") or None,
        "AUDIT_KEY": env.get("AUDIT_KEY") or None,
        "AUDIT_OLD_KEYS": tuple((env.get("AUDIT_OLD_KEYS") or "").split()),
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
        "RATELIMIT_STORAGE_URI": counter_store(env.get("RATELIMIT_STORAGE_URI")),
        "RATELIMIT_KEY_PREFIX": env.get("RATELIMIT_KEY_PREFIX") or "hazards:sign-in:",
        "LOGIN_LIMIT_PER_USER_ADDRESS": _rate(env, "LOGIN_LIMIT_PER_USER_ADDRESS", "10 per 15 minutes"),
        "LOGIN_LIMIT_PER_ADDRESS": _rate(env, "LOGIN_LIMIT_PER_ADDRESS", "60 per 15 minutes"),
        "LOGIN_LIMIT_PER_USER": _rate(env, "LOGIN_LIMIT_PER_USER", "30 per hour"),
        "PROXY_HOPS": _int(env, "PROXY_HOPS", 0),
        "PHOTO_MAX_BYTES": _int(env, "PHOTO_MAX_BYTES", 25 * 1024 * 1024),
        "PHOTO_LOCATION_MAX_DISTANCE_M": _int(env, "PHOTO_LOCATION_MAX_DISTANCE_M", 1000),
        "PHOTO_MAX_PER_HAZARD": _positive(env, "PHOTO_MAX_PER_HAZARD", 50),
        "UPLOAD_MAX_OPEN_PER_USER": _positive(env, "UPLOAD_MAX_OPEN_PER_USER", 20),
        "PHOTO_DECODE_MEMORY_MB": _positive(env, "PHOTO_DECODE_MEMORY_MB", 1024),
        "PHOTO_DECODE_WAIT_SECONDS": _positive(env, "PHOTO_DECODE_WAIT_SECONDS", 20),
        "NOTICE_FONT_PATH": env.get("NOTICE_FONT_PATH") or DEFAULT_NOTICE_FONT,
        **_map_settings(env),
    }


def _is_loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def published_secret_problems(config) -> list[str]:
    """What in ``config`` is no secret (unset, too short, or published in this repository), each with its remedy."""
    problems = []
    key = config.get("SECRET_KEY") or ""
    if not key:
        problems.append("SECRET_KEY is not set.")
    elif key == DEV_SECRET_KEY:
        problems.append("SECRET_KEY is the development key published with the source code.")
    elif len(key.encode()) < MIN_SECRET_KEY_BYTES:
        problems.append(f"SECRET_KEY is {len(key.encode())} bytes long; it needs at least {MIN_SECRET_KEY_BYTES}.")
    if problems:
        problems[-1] += (f" Set it to a long random value: export SECRET_KEY=\"$({NEW_KEY_COMMAND})\" "
                         "(the same value on every instance, kept across restarts).")
    # On loopback only this machine reaches the store (the bundled SeaweedFS binds 127.0.0.1 alone).
    endpoints = {config["S3_ENDPOINT_URL"], config.get("S3_PUBLIC_ENDPOINT_URL") or config["S3_ENDPOINT_URL"]}
    remote = sorted(url for url in endpoints if not _is_loopback(url))
    # The secret key is what signs S3 requests: the published one, anywhere off this machine, opens the bucket.
    if remote and config["S3_SECRET_ACCESS_KEY"] == DEV_S3_SECRET_ACCESS_KEY:
        problems.append(f"S3_SECRET_ACCESS_KEY is the development key published with the source code, and the "
                        f"object store at {', '.join(remote)} is not on this machine. Set S3_ACCESS_KEY_ID and "
                        "S3_SECRET_ACCESS_KEY to the store's own keys.")
    return problems


def refuse_published_secrets(config) -> dict:
    """The signing key to run with, or ``SystemExit`` naming each variable to set and how.

    In development mode (``HAZARDS_ENV=development``) an unset ``SECRET_KEY`` falls back to the development key;
    in any other mode a token signed with a published key would let anyone act as any user, so the service
    does not start.
    """
    if config["HAZARDS_ENV"] == "development":
        return {"SECRET_KEY": config.get("SECRET_KEY") or DEV_SECRET_KEY}
    problems = published_secret_problems(config)
    if problems:
        lines = "\n".join(f"  - {problem}" for problem in problems)
        raise SystemExit(
            "Configuration error: the service does not start with missing or published secrets:\n"
            f"{lines}\n"
            "./scripts/run makes random keys on its first start and keeps them in instance/secrets.env. On a "
            "developer's machine, HAZARDS_ENV=development accepts the development defaults."
        )
    return {"SECRET_KEY": config["SECRET_KEY"]}


def audit_keys(settings: dict) -> tuple[str, tuple[str, ...]]:
    """The audit key and the previous ones, checked: outside development mode a key must be set, not the published
    development one, and at least 32 bytes long (the same rule for the previous keys, which still verify).

    Called when the app is created, after the caller's overrides, so a test's own key counts.
    """
    development = settings.get("HAZARDS_ENV") == "development"
    key = settings.get("AUDIT_KEY") or (DEV_AUDIT_KEY if development else None)
    how = "set AUDIT_KEY to a random value of at least 32 bytes, e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))'"
    if key is None:
        raise SystemExit(f"Configuration error: AUDIT_KEY is not set; {how} (keep it outside the database).")
    if not development:
        if key == DEV_AUDIT_KEY:
            raise SystemExit(f"Configuration error: AUDIT_KEY is the published development key; {how}.")
        for name, value in (("AUDIT_KEY", key), *(("AUDIT_OLD_KEYS", old) for old in settings.get("AUDIT_OLD_KEYS", ()))):
            if len(value.encode()) < MIN_AUDIT_KEY_BYTES:
                raise SystemExit(f"Configuration error: {name} has a key shorter than {MIN_AUDIT_KEY_BYTES} bytes; {how}.")
    return key, tuple(settings.get("AUDIT_OLD_KEYS", ()))
