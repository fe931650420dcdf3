"""The plausibility rule of a photo's position, without I/O."""
from datetime import datetime, timedelta, timezone

from inspections.photo_places import PlacePolicy, judge_place

FOUND = datetime(2026, 9, 28, 2, 0, tzinfo=timezone.utc)
NOW = FOUND + timedelta(days=1)
PLANT = (39.903, 116.403)


def judge(lat=PLANT[0], lon=PLANT[1], taken_at=FOUND, enterprise=PLANT, policy=PlacePolicy()):
    return judge_place(lat=lat, lon=lon, taken_at=taken_at, enterprise_lat=enterprise[0], enterprise_lon=enterprise[1],
                       reported_at=FOUND, now=NOW, policy=policy)


def test_near_and_around_the_report_is_plausible():
    assert judge(lat=PLANT[0] + 0.008).plausible  # ~890 m
    assert judge(taken_at=FOUND - timedelta(hours=72)).plausible
    assert judge(taken_at=NOW + timedelta(minutes=10)).plausible


def test_each_failed_check_is_named():
    far_and_old = judge(lat=PLANT[0] + 0.1, taken_at=FOUND - timedelta(hours=73))
    assert not far_and_old.plausible
    assert far_and_old.reason == ("taken 11.1 km from the enterprise's registered position, more than the 1000 m a "
                                  "photo of its hazards may be; taken 73 hours before the hazard was found, more than "
                                  "the 72 hours a report may be kept offline")
    assert not judge(taken_at=NOW + timedelta(minutes=11)).plausible


def test_a_check_that_cannot_be_made_does_not_count_but_one_must_be():
    assert judge(enterprise=(None, None)).plausible  # judged by its time alone
    assert judge(taken_at=None).plausible  # judged by its place alone
    nothing = judge(taken_at=None, enterprise=(None, None))
    assert not nothing.plausible and "neither a capture time" in nothing.reason


def test_the_distance_is_a_setting():
    assert not judge(lat=PLANT[0] + 0.01).plausible
    assert judge(lat=PLANT[0] + 0.01, policy=PlacePolicy(max_distance_m=2000)).plausible
