"""The audit key ring: HMAC-SHA256 keys the database does not hold, each known by a short id.

Events, hazard heads and checkpoints are sealed with the current key and carry its id, so the key can be
rotated: the new key seals from then on, and the old ones (kept as ``previous``) still verify what they sealed.
The id is derived from the key itself (an HMAC of a fixed label), so it names the key without revealing it.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

MIN_KEY_BYTES = 32
SESSION_KEY = "audit_keys"  # where a session carries the key ring (``Session.info``)


class UnknownKey(LookupError):
    """A seal names a key id the ring does not hold (an old key no longer configured, or a forgery)."""

    def __init__(self, key_id: str | None):
        super().__init__(key_id)
        self.key_id = key_id


def key_id_of(secret: bytes) -> str:
    """The short public name of a key: 16 hex digits of an HMAC of a fixed label."""
    return hmac.new(secret, b"hazard audit key id", hashlib.sha256).hexdigest()[:16]


@dataclass(frozen=True)
class AuditKeys:
    """The current key (seals everything new) and the previous ones (verify only)."""

    current: bytes
    previous: tuple[bytes, ...] = ()
    _by_id: dict = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self):
        ring = {key_id_of(secret): secret for secret in (*self.previous, self.current)}
        object.__setattr__(self, "_by_id", ring)

    @classmethod
    def from_strings(cls, current: str, previous=()) -> AuditKeys:
        return cls(current.encode(), tuple(p.encode() for p in previous))

    @property
    def current_id(self) -> str:
        return key_id_of(self.current)

    def seal(self, message: bytes, key_id: str | None = None) -> str:
        """The HMAC-SHA256 of ``message`` (hex) under the key ``key_id`` (default: the current one)."""
        hasher = self.hasher(key_id)
        hasher.update(message)
        return hasher.hexdigest()

    def hasher(self, key_id: str | None = None):
        """An HMAC-SHA256 object under the key ``key_id`` (default: the current one), fed piece by piece."""
        secret = self.current if key_id is None else self._by_id.get(key_id)
        if secret is None:
            raise UnknownKey(key_id)
        return hmac.new(secret, digestmod=hashlib.sha256)

    def matches(self, message: bytes, key_id: str | None, digest: str | None) -> bool:
        """Whether ``digest`` is the seal of ``message`` under ``key_id``; UnknownKey if that key is not held."""
        return digest is not None and hmac.compare_digest(self.seal(message, key_id), digest)


def keys_of(session: Session) -> AuditKeys:
    """The key ring the session was made with (``api.db`` gives every session the configured one)."""
    keys = session.info.get(SESSION_KEY)
    if keys is None:
        raise RuntimeError("This database session has no audit key ring (Session.info['audit_keys']); "
                           "sessions made by the app carry the one from AUDIT_KEY.")
    return keys
