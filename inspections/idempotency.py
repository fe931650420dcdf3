"""Client-made ids let phones on weak networks retry safely: the same request again returns what the first
one made; the same id with a different body is a conflict, never a second record."""
from __future__ import annotations

import hashlib
import json
import uuid
from datetime import date, datetime


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def request_digest(actor_id: int, body: dict) -> str:
    """A fingerprint of who sent what: equal for a retry, different for any changed field."""
    canonical = json.dumps({"actor": actor_id, "body": _plain(body)}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()
