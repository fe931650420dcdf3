"""Bearer tokens, the current user, and role checks.

Access tokens are short-lived signed JWTs (HS256 with ``SECRET_KEY``); the user is loaded on every
request so a deactivated account stops working at once, and each token carries the user's token version
(``ver``), which a password change raises: every token issued before it answers 401 at once. Refresh tokens are
opaque and rotate (``inspections.accounts``).
"""
from __future__ import annotations

import functools
from datetime import datetime, timedelta

import jwt
from flask import current_app, g, request

from api.db import session
from inspections.errors import AuthenticationFailed, Forbidden
from inspections.models import User

ALGORITHM = "HS256"


def issue_access_token(user: User, now: datetime) -> tuple[str, int]:
    """A signed access token for ``user`` and its lifetime in seconds."""
    lifetime = timedelta(minutes=current_app.config["ACCESS_TOKEN_MINUTES"])
    claims = {
        "sub": str(user.id),
        "role": user.role,
        "typ": "access",
        "ver": user.token_version,
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
    }
    return jwt.encode(claims, current_app.config["SECRET_KEY"], algorithm=ALGORITHM), int(lifetime.total_seconds())


def _user_from_header() -> User:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise AuthenticationFailed("Sign in first: send 'Authorization: Bearer <access_token>'.")
    try:
        claims = jwt.decode(
            token.strip(), current_app.config["SECRET_KEY"], algorithms=[ALGORITHM],
            options={"require": ["exp", "sub", "typ"]},
        )
    except jwt.ExpiredSignatureError:
        raise AuthenticationFailed("The access token has expired; refresh it.") from None
    except jwt.PyJWTError:
        raise AuthenticationFailed("The access token is not valid.") from None
    if claims.get("typ") != "access" or not str(claims.get("sub", "")).isdigit():
        raise AuthenticationFailed("The access token is not valid.")
    user = session().get(User, int(claims["sub"]))
    if user is None or not user.active:
        raise AuthenticationFailed("The account is not active.")
    # Tokens from before versions were carried have none: version 0, as every user had then.
    if claims.get("ver", 0) != user.token_version:
        raise AuthenticationFailed("The password was changed since this token was issued; sign in again.")
    return user


def current_user() -> User:
    """The signed-in user of this request (only inside a view guarded by ``login_required``)."""
    return g.current_user


def login_required(*roles: str):
    """Guard a view: a valid access token, and one of ``roles`` when any are given (else 403)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            user = _user_from_header()
            g.current_user = user
            if roles and user.role not in roles:
                raise Forbidden(f"This needs the role {' or '.join(roles)}; you are signed in as {user.role}.")
            return view(*args, **kwargs)

        return wrapper

    return decorator
