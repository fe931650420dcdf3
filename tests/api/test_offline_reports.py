"""Reports kept on the phone while offline: a hazard is timed by when it was found, not when it reached us.

王 inspects a basement without signal. The app keeps the hazard and its photos with their own UUIDs and
sends them from the street after midnight. The hazard's `reported_at`, its deadline and the check that a
rectification photo was taken after the report all go by the phone's time, as long as that time is
plausible; a phone clock that is far ahead or a report weeks old falls back to the server's time.
"""
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.api.conftest import API, PLANT_LAT, PLANT_LON, report
from tests.api.test_notice_pdf import notice_font, notice_url, read_pdf  # noqa: F401 (notice_font is a fixture)
from tests.factories import field_errors, upload_photo
from tests.photo_edit import north_of, photo_with_exif

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Tuesday 29 September 2026, in the basement; sent on Wednesday 30 September from the street.
FOUND = datetime(2026, 9, 29, 23, 50, tzinfo=SHANGHAI)
SYNCED = datetime(2026, 9, 30, 0, 20, tzinfo=SHANGHAI)
# 7 working days after Tuesday 29 September: 30 Sep, then National Day (1-7 Oct), 8, 9, Saturday 10 (make-up),
# 12, 13, 14 October. Counted from Wednesday 30 September it would be 15 October.
DEADLINE_FROM_TUESDAY, DEADLINE_FROM_WEDNESDAY = "2026-10-14", "2026-10-15"
EVIDENCE = "exifr_IMG_20180725_163423-tiny.jpg"
REPAIRED = "exexif_sunrise.jpg"


def instant(value: str) -> datetime:
    return datetime.fromisoformat(value)


def offline_report(client, headers, enterprise_id, found_at: datetime, **fields):
    """The app's queued report: its own id and the time the phone recorded it."""
    return report(client, headers, enterprise_id, id=str(uuid.uuid4()), reported_at=found_at.isoformat(),
                  lat=PLANT_LAT, lon=PLANT_LON, accuracy_m=6, **fields)


def test_the_basement_report_sent_after_midnight_keeps_its_day_and_closes_on_the_spot(client, district, clock):
    """The distribution box: found 23:50, photographed 23:55, locked and photographed again 23:58, all offline;
    sent at 00:20 (twice: the first answer was lost) and approved at once, without a comment."""
    clock.set(SYNCED)
    sent = offline_report(client, district["wang"], district.plant.id, FOUND, category="electrical.distribution_box")
    assert sent.status_code == 201, sent.get_json()
    hazard = sent.get_json()
    assert instant(hazard["reported_at"]) == FOUND
    assert hazard["deadline"] == hazard["original_deadline"] == DEADLINE_FROM_TUESDAY
    # The answer was lost; the app sends the same report again a few minutes later: the same hazard, unchanged.
    clock.set(SYNCED + timedelta(minutes=3))
    resent = report(client, district["wang"], district.plant.id, id=hazard["id"], reported_at=FOUND.isoformat(),
                    lat=PLANT_LAT, lon=PLANT_LON, accuracy_m=6, category="electrical.distribution_box")
    assert resent.status_code == 200, resent.get_json()
    assert (resent.get_json()["id"], instant(resent.get_json()["reported_at"]), resent.get_json()["deadline"]) == (
        hazard["id"], FOUND, DEADLINE_FROM_TUESDAY)

    evidence = photo_with_exif(EVIDENCE, lat=PLANT_LAT, lon=PLANT_LON, taken_at=FOUND + timedelta(minutes=5))
    assert upload_photo(client, district["wang"], hazard["id"], kind="evidence", name="box.jpg", data=evidence,
                        id=str(uuid.uuid4())).status_code == 201
    locked = photo_with_exif(REPAIRED, lat=north_of(PLANT_LAT, 3), lon=PLANT_LON, taken_at=FOUND + timedelta(minutes=8))
    photo = upload_photo(client, district["wang"], hazard["id"], name="box-locked.jpg", data=locked,
                         id=str(uuid.uuid4()))
    assert photo.status_code == 201, photo.get_json()

    closed = client.post(f"{API}/hazards/{hazard['id']}/review", json={"decision": "approve"}, headers=district["wang"])
    assert closed.status_code == 200, closed.get_json()
    assert closed.get_json()["status"] == "closed"
    checks = closed.get_json()["rectifications"][-1]["checks"]
    assert checks["photos"][0]["taken_after_report"] is True
    assert checks["clean"] and checks["warnings"] == []

    # The trail keeps both clocks: the server's receipt (at) and the phone's (client_at).
    trail = client.get(f"{API}/hazards/{hazard['id']}/events", headers=district["wang"]).get_json()
    assert [e["action"] for e in trail if e["to_status"]] == ["reported", "rectified_on_spot"]
    reported = trail[0]
    assert (instant(reported["at"]), instant(reported["client_at"])) == (SYNCED, FOUND)
    assert reported["details"]["reported_at_source"] == "device"
    # It is listed among the hazards found on Tuesday, not Wednesday.
    tuesday = client.get(f"{API}/hazards", query_string={"created_after": "2026-09-29T00:00:00+08:00",
                                                        "created_before": "2026-09-30T00:00:00+08:00"},
                         headers=district["zhao"]).get_json()
    assert [h["id"] for h in tuesday] == [hazard["id"]]


def test_without_the_phones_time_the_photo_would_have_looked_older_than_the_report(client, district, clock):
    """The same evening sent by an app that leaves out reported_at: the server's time is all there is, so the
    deadline counts from Wednesday and the 23:58 photo is before the report (approval then needs a comment)."""
    clock.set(SYNCED)
    hazard = report(client, district["wang"], district.plant.id, lat=PLANT_LAT, lon=PLANT_LON,
                    category="electrical.distribution_box").get_json()
    assert instant(hazard["reported_at"]) == SYNCED and hazard["deadline"] == DEADLINE_FROM_WEDNESDAY
    locked = photo_with_exif(REPAIRED, lat=PLANT_LAT, lon=PLANT_LON, taken_at=FOUND + timedelta(minutes=8))
    assert upload_photo(client, district["wang"], hazard["id"], data=locked).status_code == 201
    silent = client.post(f"{API}/hazards/{hazard['id']}/review", json={"decision": "approve"}, headers=district["wang"])
    assert silent.status_code == 422 and "comment" in field_errors(silent)


def test_a_deadline_set_on_the_spot_for_the_day_found_is_kept_after_midnight(client, district, clock):
    clock.set(SYNCED)
    same_day = offline_report(client, district["wang"], district.plant.id, FOUND, deadline="2026-09-29")
    assert same_day.status_code == 201, same_day.get_json()
    assert same_day.get_json()["deadline"] == "2026-09-29"
    day_before = offline_report(client, district["wang"], district.plant.id, FOUND, deadline="2026-09-28")
    assert day_before.status_code == 422 and "deadline" in field_errors(day_before)


@pytest.mark.parametrize("phone_time, believed", [
    (SYNCED + timedelta(minutes=9), True),  # a phone clock a little fast: no later than the server's time
    (SYNCED + timedelta(minutes=11), False),  # ahead of the server by more than the clock skew
    (SYNCED - timedelta(hours=71), True),  # kept offline for most of three days
    (SYNCED - timedelta(hours=73), False),  # older than OFFLINE_REPORT_MAX_HOURS
    (SYNCED - timedelta(weeks=3), False),  # a phone whose date is wrong
    (datetime(2026, 9, 30, 0, 20, tzinfo=ZoneInfo("UTC")), False),  # local time sent with the wrong offset
])
def test_an_implausible_phone_time_falls_back_to_the_servers(client, district, clock, phone_time, believed):
    clock.set(SYNCED)
    response = offline_report(client, district["wang"], district.plant.id, phone_time)
    assert response.status_code == 201, response.get_json()
    hazard = response.get_json()
    expected = min(phone_time, SYNCED) if believed else SYNCED
    assert instant(hazard["reported_at"]) == expected
    if not believed:
        # Timed as if reported online now: the deadline counts from the server's day.
        assert hazard["deadline"] == DEADLINE_FROM_WEDNESDAY
    reported = client.get(f"{API}/hazards/{hazard['id']}/events", headers=district["wang"]).get_json()[0]
    assert instant(reported["client_at"]) == phone_time  # what the phone said is kept either way
    assert instant(reported["at"]) == SYNCED
    assert reported["details"]["reported_at_source"] == ("device" if believed else "server")


def test_a_weeks_old_phone_time_does_not_make_a_hazard_overdue_on_arrival(client, district, clock):
    clock.set(SYNCED)
    hazard = offline_report(client, district["wang"], district.plant.id, FOUND - timedelta(weeks=3)).get_json()
    assert hazard["overdue"] is False and hazard["deadline"] == DEADLINE_FROM_WEDNESDAY


def test_how_long_a_report_may_stay_offline_is_a_setting(app, client, district, clock, monkeypatch):
    monkeypatch.setitem(app.config, "OFFLINE_REPORT_MAX_HOURS", 1)
    clock.set(SYNCED)
    recent = offline_report(client, district["wang"], district.plant.id, SYNCED - timedelta(minutes=30)).get_json()
    stale = offline_report(client, district["wang"], district.plant.id, FOUND - timedelta(hours=1)).get_json()
    assert instant(recent["reported_at"]) == SYNCED - timedelta(minutes=30)
    assert instant(stale["reported_at"]) == SYNCED


def test_the_notice_dates_the_hazard_by_when_it_was_found(client, district, clock, notice_font):
    """The notice's number and 发现时间 follow the time found; a phone time not believed is not printed."""
    clock.set(SYNCED)
    found = offline_report(client, district["wang"], district.plant.id, FOUND).get_json()["id"]
    _, text = read_pdf(client.get(notice_url(found), headers=district["li"]))
    assert "文书编号：隐改〔2026〕0929-" in text and "发现时间2026-09-2923:50" in text
    assert "2026年9月29日，经对你单位进行安全生产检查" in text

    weeks_old = FOUND - timedelta(weeks=3)
    wrong_clock = offline_report(client, district["wang"], district.plant.id, weeks_old).get_json()["id"]
    _, text = read_pdf(client.get(notice_url(wrong_clock), headers=district["li"]))
    assert "文书编号：隐改〔2026〕0930-" in text and "发现时间2026-09-3000:20" in text
    assert "2026-09-08" not in text
