"""Domain policies built from the app's configuration."""
from datetime import timedelta

from flask import current_app

from inspections.closure_checks import ClosurePolicy


def closure_policy() -> ClosurePolicy:
    config = current_app.config
    return ClosurePolicy(
        default_radius_m=float(config["CLOSURE_RADIUS_M"]),
        accuracy_cap_m=float(config["CLOSURE_ACCURACY_CAP_M"]),
        clock_skew=timedelta(minutes=config["CLOSURE_CLOCK_SKEW_MINUTES"]),
        near_duplicate_bits=config["CLOSURE_NEAR_DUPLICATE_BITS"],
        blocking=frozenset(config["CLOSURE_BLOCKING"]),
    )
