"""The closure rules on their own: distance, time, re-use, and the policy's verdict."""
from datetime import datetime, timedelta, timezone

import pytest

from inspections.closure_checks import (
    EXACT_REUSE, LOCATION_UNVERIFIED, NEAR_DUPLICATE, OUTSIDE_RADIUS, TAKEN_BEFORE_REPORT, TIME_UNVERIFIED,
    ClosurePolicy, HazardFacts, KnownPhoto, PhotoFacts, check_photo, verdict,
)

REPORTED = datetime(2026, 6, 12, 1, 30, tzinfo=timezone.utc)
HAZARD = HazardFacts(lat=39.9, lon=116.4, reported_at=REPORTED)
POLICY = ClosurePolicy()
# 0.0001° of latitude is about 11.1 m.
METRES_PER_DEGREE = 111_195


def photo(**overrides):
    values = dict(id="p", sha256="a" * 64, phash="ffff0000ffff0000", lat=39.9 + 12 / METRES_PER_DEGREE, lon=116.4,
                  accuracy_m=None, taken_at=REPORTED + timedelta(days=3))
    return PhotoFacts(**{**values, **overrides})


def test_a_good_photo_passes_every_check():
    check = check_photo(photo(), HAZARD, [], POLICY)
    assert check.distance_m == pytest.approx(12, abs=0.5)
    assert (check.within_radius, check.taken_after_report, check.same_as_evidence) == (True, True, False)
    assert check.problems == []
    assert verdict([check], POLICY).clean


@pytest.mark.parametrize("metres, accuracy, inside", [(99, None, True), (101, None, False), (140, 45, True),
                                                       (160, 45, False), (170, 500, False)])
def test_radius_widens_with_reported_accuracy_up_to_a_cap(metres, accuracy, inside):
    check = check_photo(photo(lat=39.9 + metres / METRES_PER_DEGREE, accuracy_m=accuracy), HAZARD, [], POLICY)
    assert check.within_radius is inside
    assert (OUTSIDE_RADIUS in check.problems) is not inside


def test_category_radius_replaces_the_default():
    check = check_photo(photo(lat=39.9 + 250 / METRES_PER_DEGREE), HazardFacts(39.9, 116.4, REPORTED, radius_m=300), [], POLICY)
    assert check.within_radius is True


def test_no_location_is_unverified_never_a_pass():
    for facts, hazard in [(photo(lat=None, lon=None), HAZARD), (photo(), HazardFacts(None, None, REPORTED))]:
        check = check_photo(facts, hazard, [], POLICY)
        assert check.within_radius is None and check.distance_m is None
        assert LOCATION_UNVERIFIED in check.problems


@pytest.mark.parametrize("offset, after", [(timedelta(minutes=-9, seconds=-59), True), (timedelta(minutes=-10), True),
                                           (timedelta(minutes=-10, seconds=-1), False), (timedelta(days=-30), False)])
def test_clock_skew_at_the_edge(offset, after):
    check = check_photo(photo(taken_at=REPORTED + offset), HAZARD, [], POLICY)
    assert check.taken_after_report is after
    assert (TAKEN_BEFORE_REPORT in check.problems) is not after


def test_no_time_is_unverified():
    check = check_photo(photo(taken_at=None), HAZARD, [], POLICY)
    assert check.taken_after_report is None and TIME_UNVERIFIED in check.problems


def test_the_same_bytes_as_the_evidence_is_exact_reuse_and_blocks():
    evidence = KnownPhoto("e", "h", "a" * 64, "ffff0000ffff0000", "evidence")
    check = check_photo(photo(), HAZARD, [evidence], POLICY)
    assert check.same_as_evidence is True
    assert check.problems == [EXACT_REUSE]
    result = verdict([check], POLICY)
    assert result.blocking == [EXACT_REUSE] and not result.as_dict()["passed"]


def test_a_similar_picture_is_a_near_duplicate_that_warns():
    evidence = KnownPhoto("e", "h", "b" * 64, "ffff0000ffff0003", "evidence")  # 2 bits differ
    check = check_photo(photo(), HAZARD, [evidence], POLICY)
    assert check.problems == [NEAR_DUPLICATE] and check.matches[0]["bits"] == 2
    assert verdict([check], POLICY).warnings == [NEAR_DUPLICATE]
    unrelated = KnownPhoto("e", "h", "b" * 64, "0000ffff0000ffff", "evidence")
    assert check_photo(photo(), HAZARD, [unrelated], POLICY).same_as_evidence is False


def test_a_picture_that_closed_another_hazard_is_flagged_but_is_not_evidence():
    other = KnownPhoto("o", "other-hazard", "a" * 64, "ffff0000ffff0000", "closed_other")
    check = check_photo(photo(), HAZARD, [other], POLICY)
    assert check.same_as_evidence is False
    assert check.problems == [EXACT_REUSE]
    assert check.matches[0]["hazard_id"] == "other-hazard"


def test_the_policy_decides_what_blocks():
    strict = ClosurePolicy(blocking=frozenset({EXACT_REUSE, OUTSIDE_RADIUS, LOCATION_UNVERIFIED}))
    far = check_photo(photo(lat=40.0), HAZARD, [], strict)
    assert verdict([far], strict).blocking == [OUTSIDE_RADIUS]
    assert verdict([far], POLICY).blocking == [] and verdict([far], POLICY).warnings == [OUTSIDE_RADIUS]
