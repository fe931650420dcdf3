"""Is this rectification photo evidence that the hazard was put right? Pure rules, no I/O.

A closure is trusted when its photos were taken at the hazard, after it was found, and are not the
original picture again. "Found" is the hazard's ``reported_at``: for a report the phone kept while offline,
the phone's own time (``inspections.hazards.time_found``), so a repair photographed on the spot before the
report reached the server still counts as taken after it.

Each photo gets the contract's checks (``distance_m``, ``within_radius``, ``taken_after_report``,
``same_as_evidence``) and a list of named problems; the policy decides which problems block the submission
and which only warn the re-inspector.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from inspections import geo
from media.phash import phash_distance

# The problems a photo can have, worst first.
EXACT_REUSE = "exact_reuse"  # the very same bytes as an evidence photo, or as a photo that closed another hazard
NEAR_DUPLICATE = "near_duplicate"  # the same picture resized or re-compressed
OUTSIDE_RADIUS = "outside_radius"  # taken too far from the hazard
LOCATION_UNVERIFIED = "location_unverified"  # no position in the photo, or none on the hazard
TAKEN_BEFORE_REPORT = "taken_before_report"  # older than the time the hazard was found: last month's photo
TIME_UNVERIFIED = "time_unverified"  # no capture time
PROBLEMS = (EXACT_REUSE, NEAR_DUPLICATE, OUTSIDE_RADIUS, LOCATION_UNVERIFIED, TAKEN_BEFORE_REPORT, TIME_UNVERIFIED)


@dataclass(frozen=True)
class ClosurePolicy:
    default_radius_m: float = 100.0
    # A phone's reported GPS accuracy widens the radius, but never by more than this.
    accuracy_cap_m: float = 50.0
    # How far the phone's clock may be off: a photo this much older than the time found still counts as after it.
    clock_skew: timedelta = timedelta(minutes=10)
    # Differing bits of two 64-bit perceptual hashes up to which two photos are "the same picture".
    near_duplicate_bits: int = 10
    blocking: frozenset = frozenset({EXACT_REUSE})


@dataclass(frozen=True)
class PhotoFacts:
    id: str
    sha256: str
    phash: str | None
    lat: float | None
    lon: float | None
    accuracy_m: float | None
    taken_at: datetime | None


@dataclass(frozen=True)
class KnownPhoto:
    """A photo the new one must not be: this hazard's evidence, or a photo that closed another hazard."""

    id: str
    hazard_id: str
    sha256: str
    phash: str | None
    role: str  # "evidence" (of this hazard) or "closed_other" (closed another hazard)


@dataclass(frozen=True)
class HazardFacts:
    lat: float | None
    lon: float | None
    reported_at: datetime  # when the hazard was found (Hazard.reported_at), not when the server received it
    radius_m: float | None = None  # the category's radius, if it sets one


@dataclass
class PhotoCheck:
    photo_id: str
    distance_m: float | None
    radius_m: float
    within_radius: bool | None
    taken_after_report: bool | None
    same_as_evidence: bool
    matches: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "photo_id": self.photo_id,
            "distance_m": None if self.distance_m is None else round(self.distance_m, 1),
            "radius_m": round(self.radius_m, 1),
            "within_radius": self.within_radius,
            "location_unverified": self.within_radius is None,
            "taken_after_report": self.taken_after_report,
            "time_unverified": self.taken_after_report is None,
            "same_as_evidence": self.same_as_evidence,
            "matches": self.matches,
            "problems": self.problems,
        }


def check_photo(photo: PhotoFacts, hazard: HazardFacts, known: list[KnownPhoto], policy: ClosurePolicy) -> PhotoCheck:
    """Every check of one rectification photo against the hazard and the photos it must not repeat."""
    radius = (hazard.radius_m or policy.default_radius_m) + min(photo.accuracy_m or 0.0, policy.accuracy_cap_m)
    distance = within = None
    if None not in (photo.lat, photo.lon, hazard.lat, hazard.lon):
        distance = geo.distance_m(hazard.lat, hazard.lon, photo.lat, photo.lon)
        within = distance <= radius
    after = None
    if photo.taken_at is not None:
        after = photo.taken_at >= hazard.reported_at - policy.clock_skew
    matches = _matches(photo, known, policy)
    check = PhotoCheck(
        photo_id=photo.id, distance_m=distance, radius_m=radius, within_radius=within, taken_after_report=after,
        same_as_evidence=any(m["role"] == "evidence" for m in matches), matches=matches,
    )
    if any(m["how"] == "exact" for m in matches):
        check.problems.append(EXACT_REUSE)
    elif matches:
        check.problems.append(NEAR_DUPLICATE)
    if within is None:
        check.problems.append(LOCATION_UNVERIFIED)
    elif not within:
        check.problems.append(OUTSIDE_RADIUS)
    if after is None:
        check.problems.append(TIME_UNVERIFIED)
    elif not after:
        check.problems.append(TAKEN_BEFORE_REPORT)
    return check


def _matches(photo: PhotoFacts, known: list[KnownPhoto], policy: ClosurePolicy) -> list[dict]:
    found = []
    for other in known:
        if other.id == photo.id:
            continue
        if other.sha256 == photo.sha256:
            found.append({"photo_id": other.id, "hazard_id": other.hazard_id, "role": other.role, "how": "exact", "bits": 0})
        elif photo.phash and other.phash:
            bits = phash_distance(photo.phash, other.phash)
            if bits <= policy.near_duplicate_bits:
                found.append({"photo_id": other.id, "hazard_id": other.hazard_id, "role": other.role, "how": "near",
                              "bits": bits})
    return found


@dataclass(frozen=True)
class Verdict:
    blocking: list[str]
    warnings: list[str]

    @property
    def clean(self) -> bool:
        return not self.blocking and not self.warnings

    def as_dict(self) -> dict:
        return {"passed": not self.blocking, "clean": self.clean, "blocking": self.blocking, "warnings": self.warnings}


def verdict(checks: list[PhotoCheck], policy: ClosurePolicy) -> Verdict:
    """The submission as a whole: which problems (of any photo) block it, and which only warn."""
    seen = [p for p in PROBLEMS if any(p in c.problems for c in checks)]
    return Verdict(blocking=[p for p in seen if p in policy.blocking], warnings=[p for p in seen if p not in policy.blocking])
