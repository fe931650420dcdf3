"""The append-only audit trail of hazards: keyed chains of events (``chain``), the key ring (``keys``), what the
events say a hazard's row holds (``state``), checkpoints of every head outside the database (``checkpoints``)
and their verification (``verify``)."""
from inspections.audit.chain import (  # noqa: F401  (the trail's API, used as ``audit.record_event`` …)
    GENESIS, KEYED, LEGACY, event_digest, events_of, legacy_digest, record_event, seal_head,
)
from inspections.audit.keys import AuditKeys, keys_of  # noqa: F401
from inspections.audit.state import reported_fields  # noqa: F401
from inspections.audit.verify import ChainBreak, Verified, verify_chains  # noqa: F401
