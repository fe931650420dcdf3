"""Whether a photo's position may move its hazard: a plausibility rule, pure, with ``now`` passed in.

A hazard reported without a position of its own takes the place of its first located evidence photo (the
contract). An old picture from the phone's gallery must not carry a hazard abroad, so the position counts only
when it is plausible: taken near the enterprise (within ``max_distance_m`` of its registered position, sized to a
big plant) and around the time the hazard was found (no more than ``before_report`` earlier, the time a phone may
keep a report offline, and not in the future beyond the clock skew). A photo that fails is kept and flagged
(``location_plausible`` false with the reason); its hazard stays where it was.

A check that cannot be made (an enterprise registered without a position, a photo without a capture time) does
not count against the photo, but at least one must be made: a position with nothing to judge it by is not
plausible.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from inspections import geo


@dataclass(frozen=True)
class PlacePolicy:
    """``PHOTO_LOCATION_MAX_DISTANCE_M``, ``OFFLINE_REPORT_MAX_HOURS`` and ``CLOSURE_CLOCK_SKEW_MINUTES``."""

    max_distance_m: float = 1000.0
    before_report: timedelta = timedelta(hours=72)
    clock_skew: timedelta = timedelta(minutes=10)


@dataclass(frozen=True)
class Judgement:
    plausible: bool
    reason: str | None  # why not, in words for the photo's viewer; None when plausible


def judge_place(
    *, lat: float, lon: float, taken_at: datetime | None, enterprise_lat: float | None, enterprise_lon: float | None,
    reported_at: datetime, now: datetime, policy: PlacePolicy,
) -> Judgement:
    """Whether a photo taken at (``lat``, ``lon``) at ``taken_at`` plausibly shows a hazard of an enterprise
    registered at (``enterprise_lat``, ``enterprise_lon``) and found at ``reported_at``."""
    reasons, checked = [], False
    if enterprise_lat is not None and enterprise_lon is not None:
        checked = True
        distance = geo.distance_m(enterprise_lat, enterprise_lon, lat, lon)
        if distance > policy.max_distance_m:
            reasons.append(f"taken {_distance(distance)} from the enterprise's registered position, more than the "
                           f"{policy.max_distance_m:g} m a photo of its hazards may be")
    if taken_at is not None:
        checked = True
        earliest = reported_at - policy.before_report
        if taken_at < earliest:
            reasons.append(f"taken {_age(reported_at - taken_at)} before the hazard was found, more than the "
                           f"{policy.before_report.total_seconds() / 3600:g} hours a report may be kept offline")
        elif taken_at > now + policy.clock_skew:
            reasons.append("taken later than it was received: the camera's clock is wrong")
    if not checked:
        reasons.append("neither a capture time nor the enterprise's registered position to judge the position by")
    return Judgement(plausible=not reasons, reason="; ".join(reasons) or None)


def _distance(metres: float) -> str:
    return f"{metres / 1000:,.1f} km" if metres >= 10_000 else f"{metres:,.0f} m"


def _age(delta: timedelta) -> str:
    days = delta.total_seconds() / 86400
    # Hours near the limit, which is in hours; days and years for what is plainly a different occasion.
    if days >= 730:
        return f"{days / 365.25:.1f} years"
    return f"{days:.0f} days" if days >= 7 else f"{delta.total_seconds() / 3600:.0f} hours"
