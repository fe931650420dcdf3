"""Sign-in rate limits (Flask-Limiter), per client address and per username.

Counters live in ``RATELIMIT_STORAGE_URI``: memory for one process, Redis when several instances
share the load, so that an attacker cannot spread guesses across them.
"""
from __future__ import annotations

from flask import Flask, request
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address

from api.errors import error_response

limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)


def username_key() -> str:
    body = request.get_json(silent=True)
    username = body.get("username") if isinstance(body, dict) else None
    return f"user:{str(username).lower()}" if username else f"addr:{get_remote_address()}"


def _too_many(error: RateLimitExceeded):
    response = error_response(429, "Too many sign-in attempts; wait a while and try again.")
    retry_after = getattr(error, "retry_after", None)
    response.headers["Retry-After"] = str(int(retry_after)) if retry_after else "60"
    return response


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    limiter.init_app(app)
    app.register_error_handler(RateLimitExceeded, _too_many)
