"""Domain policies built from the app's configuration."""
from datetime import timedelta

from flask import current_app

from inspections.closure_checks import ClosurePolicy
from inspections.hazards import ReportTimePolicy
from inspections.photo_places import PlacePolicy


def closure_policy() -> ClosurePolicy:
    config = current_app.config
    return ClosurePolicy(
        default_radius_m=float(config["CLOSURE_RADIUS_M"]),
        accuracy_cap_m=float(config["CLOSURE_ACCURACY_CAP_M"]),
        clock_skew=timedelta(minutes=config["CLOSURE_CLOCK_SKEW_MINUTES"]),
        near_duplicate_bits=config["CLOSURE_NEAR_DUPLICATE_BITS"],
        blocking=frozenset(config["CLOSURE_BLOCKING"]),
    )


def report_time_policy() -> ReportTimePolicy:
    """When a phone's reported_at is believed: the same clock skew as for photos, and the offline window."""
    config = current_app.config
    return ReportTimePolicy(
        clock_skew=timedelta(minutes=config["CLOSURE_CLOCK_SKEW_MINUTES"]),
        max_offline=timedelta(hours=config["OFFLINE_REPORT_MAX_HOURS"]),
    )


def place_policy() -> PlacePolicy:
    """When an evidence photo's position may move its hazard: near the enterprise, taken around the report."""
    config = current_app.config
    return PlacePolicy(
        max_distance_m=float(config["PHOTO_LOCATION_MAX_DISTANCE_M"]),
        before_report=timedelta(hours=config["OFFLINE_REPORT_MAX_HOURS"]),
        clock_skew=timedelta(minutes=config["CLOSURE_CLOCK_SKEW_MINUTES"]),
    )
