"""Sign-in limits for the API: the counters' store that ``RATELIMIT_STORAGE_URI`` names, the limits of the
config, and the client's address as the API sees it (``PROXY_HOPS``). The rules are ``inspections.sign_in_limits``.
"""
from __future__ import annotations

import ipaddress
from datetime import timedelta

from flask import Flask, current_app, request

from api.config import counter_store, parse_rate
from inspections.sign_in_counters import DatabaseCounters, RedisCounters
from inspections.sign_in_limits import Rate, SignInLimits, SignInThrottle


def init_app(app: Flask) -> None:
    uri = counter_store(app.config["RATELIMIT_STORAGE_URI"])  # also when given to create_app, not the environment
    # The database's counters are made per request, from whatever session factory the app has then.
    app.extensions["sign_in_counters"] = (
        None if uri == "database" else RedisCounters(uri, app.config["RATELIMIT_KEY_PREFIX"]))


def counters():
    """The store of the sign-in counters: Redis when configured, else the application's database."""
    return current_app.extensions["sign_in_counters"] or DatabaseCounters(current_app.extensions["db_sessions"])


def _rate(name: str) -> Rate:
    hits, seconds = parse_rate(current_app.config[name])
    return Rate(hits, timedelta(seconds=seconds))


def throttle() -> SignInThrottle:
    """The sign-in throttle with the limits configured now."""
    limits = SignInLimits(per_user_address=_rate("LOGIN_LIMIT_PER_USER_ADDRESS"),
                          per_address=_rate("LOGIN_LIMIT_PER_ADDRESS"), per_user=_rate("LOGIN_LIMIT_PER_USER"))
    return SignInThrottle(counters(), limits)


def client_address() -> str:
    """The caller's address (after the trusted proxies of ``PROXY_HOPS``), normalised; at most 64 characters."""
    raw = (request.remote_addr or "unknown").strip()
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        return raw[:64]
