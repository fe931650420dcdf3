"""Accounts: users, password checks and rotating refresh tokens."""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from inspections.enums import Role
from inspections.errors import AuthenticationFailed, Conflict, InvalidInput, NotFound
from inspections.models import Area, Enterprise, RefreshToken, User
from inspections.passwords import password_problem
from inspections.sign_in_limits import SignInThrottle

_hasher = PasswordHasher()
# Verified against when the username is unknown, so both failures take the same time.
_DUMMY_HASH = _hasher.hash("not a password anyone has")
USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _check_password(password: str, username: str, display_name: str | None, field: str = "password") -> None:
    if problem := password_problem(password, username=username, display_name=display_name):
        raise InvalidInput(problem, {field: [problem]})


def _set_password(session: Session, user: User, password: str, now: datetime) -> None:
    """A new password signs the user out everywhere: access tokens carry the old version, refresh tokens are revoked."""
    user.password_hash = hash_password(password)
    user.token_version += 1
    _revoke_all(session, user.id, now)


def authenticate(session: Session, username: str, password: str) -> User:
    """The active user with this username and password; any mismatch raises the same error."""
    user = session.scalar(select(User).where(User.username == username))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        raise AuthenticationFailed("Wrong username or password.") from None
    if user is None or not user.active:
        raise AuthenticationFailed("Wrong username or password.")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.commit()
    return user


def sign_in(session: Session, throttle: SignInThrottle, username: str, password: str, address: str) -> User:
    """``authenticate``, within the sign-in limits: TooManySignIns before any password is tried past them, and
    every failure counted against the username, the address and both together."""
    throttle.check(username, address)
    try:
        user = authenticate(session, username, password)
    except AuthenticationFailed:
        throttle.failed(username, address)
        raise
    throttle.succeeded(username, address)
    return user


def change_own_password(session: Session, throttle: SignInThrottle, user: User, current_password: str,
                        new_password: str, address: str, now: datetime) -> User:
    """The user sets a new password, proving the current one (within the sign-in limits, since a stolen access
    token must not let anyone guess it). Every access and refresh token issued before stops working."""
    throttle.check(user.username, address)
    try:
        _hasher.verify(user.password_hash, current_password)
    except (VerificationError, InvalidHashError):
        throttle.failed(user.username, address)
        raise InvalidInput("The current password is not right.",
                           {"current_password": ["This is not your current password."]}) from None
    throttle.succeeded(user.username, address)
    if new_password == current_password:
        raise InvalidInput("The new password is the current one.", {"new_password": ["Choose a new password."]})
    _check_password(new_password, user.username, user.display_name, field="new_password")
    _set_password(session, user, new_password, now)
    session.commit()
    return user


def _check_bindings(session: Session, role: str, enterprise_id: int | None, area_code: str | None) -> None:
    """An officer needs an enterprise, an inspector an area; both must exist."""
    errors = {}
    if role == Role.ENTERPRISE_OFFICER:
        if enterprise_id is None:
            errors["enterprise_id"] = ["An enterprise officer must be bound to an enterprise."]
        elif session.get(Enterprise, enterprise_id) is None:
            errors["enterprise_id"] = [f"There is no enterprise {enterprise_id}."]
    elif enterprise_id is not None:
        errors["enterprise_id"] = ["Only an enterprise officer is bound to an enterprise."]
    if role == Role.INSPECTOR and area_code is None:
        errors["area_code"] = ["An inspector must be given the area they inspect."]
    if area_code is not None and session.get(Area, area_code) is None:
        errors["area_code"] = [f"There is no area {area_code}."]
    if errors:
        raise InvalidInput("The user's bindings are not valid.", errors)


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: str,
    display_name: str | None = None,
    enterprise_id: int | None = None,
    area_code: str | None = None,
) -> User:
    """Create a user; the role decides which binding (enterprise or area) is required."""
    if not USERNAME_PATTERN.match(username):
        raise InvalidInput(username="2 to 64 letters, digits or _ . @ -")
    _check_password(password, username, display_name)
    _check_bindings(session, role, enterprise_id, area_code)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"The username {username} is taken.", {"username": ["Already taken."]})
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        display_name=display_name,
        enterprise_id=enterprise_id,
        area_code=area_code,
        active=True,
    )
    session.add(user)
    session.commit()
    return user


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"There is no user {user_id}.")
    return user


def update_user(session: Session, user_id: int, changes: dict, *, now: datetime) -> User:
    """Change a user's name, password, role, bindings or active flag. A new password or deactivation signs them
    out of every device at once."""
    user = get_user(session, user_id)
    if "password" in changes:
        _check_password(changes["password"], user.username, changes.get("display_name", user.display_name))
        _set_password(session, user, changes.pop("password"), now)
    role = changes.get("role", user.role)
    enterprise_id = changes.get("enterprise_id", user.enterprise_id)
    area_code = changes.get("area_code", user.area_code)
    _check_bindings(session, role, enterprise_id, area_code)
    for field in ("display_name", "role", "enterprise_id", "area_code", "active"):
        if field in changes:
            setattr(user, field, changes[field])
    if changes.get("active") is False:
        _revoke_all(session, user.id, now)
    session.commit()
    return user


def users_query(*, role: str | None = None):
    """Users in the order they were made, optionally of one role."""
    query = select(User).order_by(User.id)
    return query.where(User.role == role) if role else query


# Refresh tokens -----------------------------------------------------------------------------------


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_refresh_token(
    session: Session, user: User, *, now: datetime, ttl: timedelta, family: str | None = None
) -> str:
    """A new opaque refresh token; only its digest is stored."""
    raw = secrets.token_urlsafe(32)
    session.add(
        RefreshToken(
            token_hash=_digest(raw),
            family=family or secrets.token_hex(16),
            user_id=user.id,
            issued_at=now,
            expires_at=now + ttl,
        )
    )
    session.commit()
    return raw


def rotate_refresh_token(
    session: Session, raw: str, *, now: datetime, ttl: timedelta, reuse_grace: timedelta
) -> tuple[User, str]:
    """Spend a refresh token and return its user with a successor.

    A phone on a weak network may send the same refresh twice when an answer is lost, so a token used
    within ``reuse_grace`` is honoured again; used later than that, it was copied, and the whole family
    is revoked so that neither copy works any more.
    """
    token = session.scalar(select(RefreshToken).where(RefreshToken.token_hash == _digest(raw)))
    if token is None or token.revoked_at is not None or token.expires_at <= now:
        raise AuthenticationFailed("The refresh token is not valid; sign in again.")
    if token.used_at is not None and now - token.used_at > reuse_grace:
        session.execute(
            update(RefreshToken)
            .where(RefreshToken.family == token.family, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        session.commit()
        raise AuthenticationFailed("The refresh token was already used; sign in again.")
    user = token.user
    if not user.active:
        raise AuthenticationFailed("The refresh token is not valid; sign in again.")
    if token.used_at is None:
        token.used_at = now
    return user, issue_refresh_token(session, user, now=now, ttl=ttl, family=token.family)


def _revoke_all(session: Session, user_id: int, now: datetime) -> None:
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def has_active_admin(session: Session) -> bool:
    return session.scalar(select(User.id).where(User.role == Role.ADMIN, User.active.is_(True)).limit(1)) is not None


def user_named(session: Session, username: str) -> User:
    """The user signing in as ``username``; NotFound if there is none."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"There is no user {username}.")
    return user
