"""How the record reads in the district's documents: the Chinese names of a hazard's severity and state (the ledger
and the rectification notice, so the two agree), and local times to the minute (the notice; the ledger's times are
Excel dates)."""
from __future__ import annotations

from datetime import datetime, tzinfo

from inspections.enums import HazardStatus, Severity

SEVERITY_NAMES = {Severity.GENERAL: "一般隐患", Severity.MAJOR: "重大隐患"}
STATUS_NAMES = {
    HazardStatus.OPEN: "待签收", HazardStatus.ACKNOWLEDGED: "整改中", HazardStatus.SUBMITTED: "待复查",
    HazardStatus.CLOSED: "已销号", HazardStatus.VOID: "已作废",
}


def local_minute(instant: datetime | None, tz: tzinfo) -> str:
    """``2026-09-28 10:00``: the instant in the district's zone, to the minute; "" for none."""
    return instant.astimezone(tz).strftime("%Y-%m-%d %H:%M") if instant else ""
