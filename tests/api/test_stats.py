"""赵's statistics (JOURNEYS.md, the Monday meeting; 督查考核): hazards counted by street, sector, enterprise and
category, with the rectification and on-time rates the streets are ranked by."""
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from inspections.models import Hazard
from tests.api.conftest import API, rectification_photo, report
from tests.factories import field_errors, make_area, make_enterprise

SHANGHAI = ZoneInfo("Asia/Shanghai")
IN_C1, IN_S1, IN_S2 = ("C1", "/D1/S1/C1/"), ("S1", "/D1/S1/"), ("S2", "/D1/S2/")
REPORTED = datetime(2026, 9, 1, 10, 0, tzinfo=SHANGHAI)
DEADLINE = date(2026, 9, 10)


def add_hazard(db_session, district, *, status="open", plant=None, area=IN_C1, category="fire.exits",
               severity="general", reported=REPORTED, deadline=DEADLINE, extended_to=None, closed=None):
    """A hazard as the workflow would have left it, written directly (closing times to the minute).

    ``deadline`` is the original deadline; ``extended_to`` the one in force after an approved extension.
    """
    assert (status == "closed") == (closed is not None)
    hazard = Hazard(
        id=uuid.uuid4(), enterprise_id=(plant or district.plant).id, category_code=category, severity=severity,
        description="安全出口被货物堵塞", area_code=area[0] if area else None, area_path=area[1] if area else None,
        status=status, reported_by=district.users["wang"].id, reported_at=reported,
        deadline=extended_to or deadline, original_deadline=deadline, rejection_count=0, closed_at=closed,
        voided_at=reported + timedelta(days=1) if status == "void" else None, request_digest="0" * 64,
    )
    db_session.add(hazard)
    db_session.commit()
    return hazard


def stats_of(client, headers, **params) -> dict:
    response = client.get(f"{API}/stats", query_string=params, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def rows_by(body: dict, key: str) -> dict:
    return {row[key]: row for row in body["rows"]}


def counts(row: dict) -> tuple:
    return (row["total"], row["open"], row["open_overdue"], row["due"], row["closed"], row["closed_on_time"],
            row["rectification_rate"], row["on_time_rate"])


def test_streets_are_counted_by_state_with_their_rates(client, db_session, district, clock):
    """Today is 2026-09-28. Street S1 (in its community C1 and at street level) and street S2."""
    on_the_day = datetime(2026, 9, 10, 23, 30, tzinfo=SHANGHAI)  # the deadline's last half hour: on time
    add_hazard(db_session, district, status="closed", closed=on_the_day)
    # Half past midnight in Shanghai is the next day, though still the 10th in UTC: late.
    add_hazard(db_session, district, status="closed", closed=datetime(2026, 9, 11, 0, 30, tzinfo=SHANGHAI))
    # Extended to the 20th and closed on the 15th: within the extension, but late against the original deadline.
    add_hazard(db_session, district, status="closed", area=IN_S1, extended_to=date(2026, 9, 20),
               closed=datetime(2026, 9, 15, 12, 0, tzinfo=SHANGHAI))
    add_hazard(db_session, district, status="open", deadline=date(2026, 9, 27))  # overdue since this morning
    add_hazard(db_session, district, status="acknowledged", deadline=date(2026, 9, 28))  # due today: not yet
    # Extended: not overdue, but due by its original deadline, which the on-time rate holds it to.
    add_hazard(db_session, district, status="submitted", extended_to=date(2026, 10, 5))
    add_hazard(db_session, district, status="void", deadline=date(2026, 9, 1))  # recorded in error: not counted
    add_hazard(db_session, district, status="open", plant=district.other_plant, area=IN_S2, deadline=date(2026, 10, 9))

    body = stats_of(client, district["zhao"])
    assert (body["group_by"], body["level"], body["from"], body["to"], body["as_of"]) == (
        "area", "street", None, None, "2026-09-28")
    assert body["rows"] == [
        # Due: the three closed, the one overdue and the extended one; on time: 1 of those 5.
        {"code": "S1", "name": "建外街道", "level": "street", "parent_code": "D1", "total": 6, "open": 3,
         "open_overdue": 1, "due": 5, "closed": 3, "closed_on_time": 1, "rectification_rate": 0.5,
         "on_time_rate": 0.2},
        # Nothing due yet: no rectified hazards is a 0 % rectification rate, and no on-time rate at all.
        {"code": "S2", "name": "三里屯街道", "level": "street", "parent_code": "D1", "total": 1, "open": 1,
         "open_overdue": 0, "due": 0, "closed": 0, "closed_on_time": 0, "rectification_rate": 0.0,
         "on_time_rate": None},
    ]
    assert body["totals"] == {"total": 7, "open": 4, "open_overdue": 1, "due": 5, "closed": 3, "closed_on_time": 1,
                              "rectification_rate": round(3 / 7, 4), "on_time_rate": 0.2}
    # The choropleth counts by the same rules.
    shaded = client.get(f"{API}/map/areas", headers=district["zhao"]).get_json()["features"]
    assert {f["id"]: (f["properties"]["closed_on_time"], f["properties"]["overdue"]) for f in shaded} == {
        "S1": (1, 1), "S2": (0, 0)}


def test_leaving_hazards_open_does_not_raise_the_on_time_rate(client, db_session, district, clock):
    """Issue 13.4, today 2026-09-28, deadline 09-10. S1 closed one hazard on time and left nine overdue: it scored
    100 % (on time / closed) and ranked first. On time / due makes it 10 %, behind S2, which closed everything,
    three on time and two late (60 %). S3 closed one late and has one not yet due: 0 of 1 due. S4 has nothing."""
    make_area(db_session, code="S3", name="团结湖街道", level="street", parent_code="D1")
    make_area(db_session, code="S4", name="呼家楼街道", level="street", parent_code="D1")
    on_time, late = datetime(2026, 9, 9, 16, 0, tzinfo=SHANGHAI), datetime(2026, 9, 12, 9, 0, tzinfo=SHANGHAI)
    add_hazard(db_session, district, status="closed", closed=on_time, area=IN_S1)
    left_open = [add_hazard(db_session, district, status="acknowledged", area=IN_S1) for _ in range(9)]
    for when in (on_time, on_time, on_time, late, late):
        add_hazard(db_session, district, status="closed", closed=when, plant=district.other_plant, area=IN_S2)
    add_hazard(db_session, district, status="closed", closed=late, area=("S3", "/D1/S3/"))
    add_hazard(db_session, district, area=("S3", "/D1/S3/"), deadline=date(2026, 10, 9))  # not yet due

    def street(code):
        return next(r for r in stats_of(client, district["zhao"])["rows"] if r["code"] == code)

    s1 = street("S1")
    assert (s1["total"], s1["due"], s1["closed"], s1["closed_on_time"], s1["open_overdue"]) == (10, 10, 1, 1, 9)
    assert s1["on_time_rate"] == 0.1
    assert [(r["code"], r["on_time_rate"], r["due"]) for r in ranking_rows(client, district)] == [
        ("S2", 0.6, 5), ("S1", 0.1, 10), ("S3", 0.0, 1), ("S4", None, 0)]  # 0 ÷ 0: no rate, last
    # The map page's shading counts the same way.
    features = client.get(f"{API}/map/areas", headers=district["zhao"]).get_json()["features"]
    shaded = {f["id"]: f["properties"] for f in features}
    assert {code: (p["due"], p["closed_on_time"], p["on_time_rate"]) for code, p in shaded.items()} == {
        "S1": (10, 1, 0.1), "S2": (5, 3, 0.6)}

    # S1 closes the nine now, late: the rate stays what it was; leaving them open had gained nothing.
    for hazard in left_open:
        hazard.status, hazard.closed_at = "closed", datetime(2026, 9, 28, 9, 0, tzinfo=SHANGHAI)
    db_session.commit()
    assert (street("S1")["on_time_rate"], street("S1")["rectification_rate"]) == (0.1, 1.0)


def ranking_rows(client, district) -> list[dict]:
    """The map page's ranking, as it asks for it."""
    return stats_of(client, district["zhao"], group_by="area", level="street", sort="-on_time_rate")["rows"]


def test_a_deadline_is_due_once_its_local_day_is_over(client, db_session, district, clock):
    """A hazard due on 09-27 counts as due from midnight in Shanghai (16:00 UTC), not from midnight UTC."""
    add_hazard(db_session, district, deadline=date(2026, 9, 27))
    clock.set(datetime(2026, 9, 27, 23, 59, tzinfo=SHANGHAI))
    totals = stats_of(client, district["zhao"])["totals"]
    assert (totals["due"], totals["open_overdue"], totals["on_time_rate"]) == (0, 0, None)
    clock.set(datetime(2026, 9, 28, 0, 0, tzinfo=SHANGHAI))  # still the 27th in UTC
    totals = stats_of(client, district["zhao"])["totals"]
    assert (totals["due"], totals["open_overdue"], totals["on_time_rate"]) == (1, 1, 0.0)


def _close(client, district, hazard_id, photo_name):
    """李 submits the rectification with a photo, 王 re-inspects and approves."""
    photo = rectification_photo(client, district["li"], hazard_id, name=photo_name)
    assert photo.status_code == 201, photo.get_json()
    submitted = client.post(f"{API}/hazards/{hazard_id}/rectification",
                            json={"measures": "已整改", "photo_ids": [photo.get_json()["id"]]}, headers=district["li"])
    assert submitted.status_code == 200, submitted.get_json()
    closed = client.post(f"{API}/hazards/{hazard_id}/review", json={"decision": "approve", "comment": "复查合格"},
                         headers=district["wang"])
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed", closed.get_json()


def test_an_approved_extension_does_not_make_a_late_rectification_on_time(client, district, clock):
    """李's fire door: extended from 10-13 to 11-06 and closed on 10-20. The plant kept its new deadline, but the
    district's on-time rate holds it to the original one; another hazard closed on 10-09 is on time."""
    door, exit_, box, mistake = (report(client, district["wang"], district.plant.id).get_json()["id"] for _ in range(4))
    for hazard_id in (door, exit_, box):
        assert client.post(f"{API}/hazards/{hazard_id}/acknowledge", json={}, headers=district["li"]).status_code == 200
    asked = client.post(f"{API}/hazards/{door}/extensions", json={"new_deadline": "2026-11-06", "reason": "防火门定制需三周"},
                        headers=district["li"]).get_json()
    decided = client.post(f"{API}/hazards/{door}/extensions/{asked['id']}/decision", json={"approve": True},
                          headers=district["zhao"])
    assert decided.status_code == 200
    assert client.post(f"{API}/hazards/{mistake}/void", json={"reason": "录入错误"}, headers=district["admin"]).status_code == 200
    clock.set(datetime(2026, 10, 9, 15, 0, tzinfo=SHANGHAI))
    _close(client, district, exit_, "exexif_pp_editors_no_exif.jpg")
    clock.set(datetime(2026, 10, 20, 9, 0, tzinfo=SHANGHAI))
    _close(client, district, door, "drew_Photo_1.webp")
    door_now = client.get(f"{API}/hazards/{door}", headers=district["zhao"]).get_json()
    assert (door_now["deadline"], door_now["original_deadline"]) == ("2026-11-06", "2026-10-13")

    # The box is still open, past 10-13: overdue, and due like the two closed. The voided hazard is not counted.
    plant = stats_of(client, district["zhao"], group_by="enterprise")["rows"]
    assert plant == [{"enterprise_id": district.plant.id, "name": "示范机械厂", "credit_code": district.plant.credit_code,
                      "total": 3, "open": 1, "open_overdue": 1, "due": 3, "closed": 2, "closed_on_time": 1,
                      "rectification_rate": 0.6667, "on_time_rate": 0.3333}]


def test_by_sector_enterprise_and_category(client, db_session, district, clock):
    district.plant.sector = "机械制造"
    db_session.commit()
    lathe = make_enterprise(db_session, name="精工机床厂", sector="机械制造", area_code="S1")
    make_enterprise(db_session, name="无隐患商店", sector="零售", area_code="S2")  # no hazards: in no row
    on_time, late = datetime(2026, 9, 9, 16, 0, tzinfo=SHANGHAI), datetime(2026, 9, 12, 9, 0, tzinfo=SHANGHAI)
    add_hazard(db_session, district, status="closed", closed=on_time)
    add_hazard(db_session, district, status="acknowledged", category="electrical.wiring")  # overdue since 09-11
    add_hazard(db_session, district, status="closed", plant=lathe, closed=late, area=IN_S1)
    add_hazard(db_session, district, status="open", plant=district.other_plant, area=IN_S2, category="gas.hoses",
               deadline=date(2026, 10, 9))
    add_hazard(db_session, district, status="void", plant=district.other_plant, area=IN_S2)

    sectors = stats_of(client, district["zhao"], group_by="sector")
    assert sectors["level"] is None
    assert sectors["rows"] == [
        {"sector": "机械制造", "name": "机械制造", "total": 3, "open": 1, "open_overdue": 1, "due": 3, "closed": 2,
         "closed_on_time": 1, "rectification_rate": 0.6667, "on_time_rate": 0.3333},
        # The restaurant has no sector recorded: its own row, last.
        {"sector": None, "name": None, "total": 1, "open": 1, "open_overdue": 0, "due": 0, "closed": 0,
         "closed_on_time": 0, "rectification_rate": 0.0, "on_time_rate": None},
    ]

    enterprises = stats_of(client, district["zhao"], group_by="enterprise")["rows"]
    assert [(r["enterprise_id"], r["name"]) for r in enterprises] == [
        (district.plant.id, "示范机械厂"), (district.other_plant.id, "别家饭店"), (lathe.id, "精工机床厂")]
    assert [counts(r) for r in enterprises] == [
        (2, 1, 1, 2, 1, 1, 0.5, 0.5), (1, 1, 0, 0, 0, 0, 0.0, None), (1, 0, 0, 1, 1, 0, 1.0, 0.0)]

    categories = stats_of(client, district["zhao"], group_by="category")["rows"]
    assert [(r["code"], r["name"], r["parent_code"]) for r in categories] == [
        ("electrical.wiring", "私拉乱接电线", "electrical"), ("fire.exits", "疏散通道", "fire"), ("gas.hoses", "连接软管", "gas")]
    # The wiring was never closed but is overdue: due, and 0 % on time (no longer "no rate").
    assert [counts(r) for r in categories] == [
        (1, 1, 1, 1, 0, 0, 0.0, 0.0), (2, 0, 0, 2, 2, 1, 1.0, 0.5), (1, 1, 0, 0, 0, 0, 0.0, None)]
    assert "enterprise_id" not in categories[0] and "sector" not in categories[0]


def test_from_and_to_are_local_days_both_included(client, db_session, district, clock):
    clock.set(datetime(2026, 10, 8, 9, 0, tzinfo=SHANGHAI))
    for reported in (datetime(2026, 8, 31, 23, 59, tzinfo=SHANGHAI), datetime(2026, 9, 1, 0, 0, tzinfo=SHANGHAI),
                     datetime(2026, 9, 30, 23, 59, 59, tzinfo=SHANGHAI), datetime(2026, 10, 1, 0, 0, tzinfo=SHANGHAI)):
        add_hazard(db_session, district, reported=reported, deadline=date(2026, 10, 20))

    def total(**period):
        body = stats_of(client, district["zhao"], **period)
        assert (body["from"], body["to"]) == (period.get("from"), period.get("to"))
        return body["totals"]["total"], body["rows"][0]["total"]

    assert total(**{"from": "2026-09-01", "to": "2026-09-30"}) == (2, 2)  # September, as Shanghai counts it
    assert total(**{"from": "2026-09-01"}) == (3, 3)
    assert total(to="2026-09-30") == (3, 3)
    assert total(**{"from": "2026-09-01", "to": "2026-09-01"}) == (1, 1)  # one day
    assert total() == (4, 4)


def test_areas_at_each_level_with_or_without_hazards(client, db_session, district, clock):
    make_area(db_session, code="C2", name="幸福村社区", level="community", parent_code="S2")  # no boundary: counted too
    add_hazard(db_session, district, status="closed", closed=datetime(2026, 9, 8, 10, 0, tzinfo=SHANGHAI))
    add_hazard(db_session, district)
    add_hazard(db_session, district, area=IN_S1)  # recorded at the street: in no community
    add_hazard(db_session, district, plant=district.other_plant, area=IN_S2)
    add_hazard(db_session, district, area=None)  # no area recorded: only in the totals

    communities = stats_of(client, district["zhao"], level="community")
    assert [(r["code"], r["parent_code"], r["total"]) for r in communities["rows"]] == [("C1", "S1", 2), ("C2", "S2", 0)]
    assert (communities["rows"][1]["rectification_rate"], communities["rows"][1]["on_time_rate"]) == (None, None)
    assert communities["totals"]["total"] == 5
    streets = rows_by(stats_of(client, district["zhao"], level="street"), "code")
    assert (streets["S1"]["total"], streets["S2"]["total"]) == (3, 1)
    district_row = stats_of(client, district["zhao"], level="district")["rows"]
    assert [(r["code"], r["name"], r["level"], r["parent_code"], r["total"]) for r in district_row] == [
        ("D1", "示范区", "district", None, 4)]
    grids = stats_of(client, district["zhao"], level="grid")
    assert grids["rows"] == [] and grids["totals"]["total"] == 5


def test_inspectors_count_their_own_area_only(client, db_session, district, clock):
    add_hazard(db_session, district, status="closed", closed=datetime(2026, 9, 8, 10, 0, tzinfo=SHANGHAI))
    add_hazard(db_session, district, area=IN_S1)
    add_hazard(db_session, district, plant=district.other_plant, area=IN_S2)

    wang = stats_of(client, district["wang"])
    assert [r["code"] for r in wang["rows"]] == ["S1"]
    assert wang["rows"][0]["total"] == wang["totals"]["total"] == 2
    assert [r["enterprise_id"] for r in stats_of(client, district["wang"], group_by="enterprise")["rows"]] == [
        district.plant.id]
    zhang = stats_of(client, district["zhang"])
    assert [(r["code"], r["total"]) for r in zhang["rows"]] == [("S2", 1)] and zhang["totals"]["total"] == 1
    whole = stats_of(client, district["district_inspector"])
    assert [(r["code"], r["total"]) for r in whole["rows"]] == [("S1", 2), ("S2", 1)]
    assert stats_of(client, district["admin"]) == stats_of(client, district["zhao"]) == whole


def test_enterprise_officers_may_not_see_the_statistics(client, district, clock):
    for officer in ("li", "other_officer"):
        response = client.get(f"{API}/stats", query_string={"group_by": "enterprise"}, headers=district[officer])
        assert response.status_code == 403 and "rows" not in response.get_json()
    # Refused before the question is even read.
    assert client.get(f"{API}/stats?group_by=planet", headers=district["li"]).status_code == 403
    assert client.get(f"{API}/stats").status_code == 401


def test_the_filters_of_the_hazard_list(client, db_session, district, clock):
    make_area(db_session, code="C2", name="幸福村社区", level="community", parent_code="S2")
    add_hazard(db_session, district, severity="major")
    add_hazard(db_session, district, category="electrical.wiring")
    add_hazard(db_session, district, category="fire")  # the top-level category itself
    add_hazard(db_session, district, plant=district.other_plant, area=IN_S2)

    def totals(**params):
        return stats_of(client, district["zhao"], **params)["totals"]["total"]

    assert totals(severity="major") == 1
    assert totals(category="fire") == 3  # fire and everything under it, as in GET /hazards
    assert totals(category="fire.exits") == 2
    assert totals(enterprise_id=district.other_plant.id) == 1
    assert totals(area_code="S1") == 3
    # Area rows keep to the area asked for.
    within = stats_of(client, district["zhao"], area_code="S1", level="community")["rows"]
    assert [(r["code"], r["total"]) for r in within] == [("C1", 3)]
    unknown = client.get(f"{API}/stats", query_string={"area_code": "nowhere"}, headers=district["zhao"])
    assert unknown.status_code == 422 and "area_code" in field_errors(unknown)


def _ranking_district(db_session, district):
    """Six streets, today 2026-09-28 (deadline 09-10; ``on_time`` closes on the 9th, ``late`` on the 12th):

    S1 3 on time of 5 due (0.6: one closed late, one open overdue; one more open, not yet due); S2 2 of 2 (1.0);
    S3 nothing closed and two open overdue (0.0, not "no rate"); S4 1 of 3 (one late, one overdue) and S5 1 of 3
    (two late: a tie with S4, though S5 left nothing open); S6 one open hazard not yet due (no rate: last).
    """
    on_time, late = datetime(2026, 9, 9, 16, 0, tzinfo=SHANGHAI), datetime(2026, 9, 12, 9, 0, tzinfo=SHANGHAI)
    streets = {"S3": "团结湖街道", "S4": "呼家楼街道", "S5": "八里庄街道", "S6": "六里屯街道"}
    for code, name in streets.items():
        make_area(db_session, code=code, name=name, level="street", parent_code="D1")
    where = {code: (code, f"/D1/{code}/") for code in ("S1", "S2", *streets)}

    def closed(code, when, n=1):
        for _ in range(n):
            add_hazard(db_session, district, status="closed", closed=when, area=where[code])

    closed("S1", on_time, 3)
    closed("S1", late)
    add_hazard(db_session, district, area=where["S1"])  # open, overdue
    add_hazard(db_session, district, area=where["S1"], deadline=date(2026, 10, 9))  # open, not yet due
    closed("S2", on_time, 2)
    add_hazard(db_session, district, area=where["S3"])  # open, overdue
    add_hazard(db_session, district, area=where["S3"], status="acknowledged")  # overdue too
    closed("S4", on_time)
    closed("S4", late)
    add_hazard(db_session, district, area=where["S4"])  # open, overdue
    closed("S5", on_time)
    closed("S5", late, 2)
    add_hazard(db_session, district, area=where["S6"], deadline=date(2026, 10, 9))  # open, not yet due


def ranking(client, district, **params) -> list[tuple]:
    rows = stats_of(client, district["zhao"], **params)["rows"]
    return [(r["code"], r["on_time_rate"], r["rectification_rate"], r["open_overdue"], r["due"], r["total"])
            for r in rows]


def test_streets_ranked_by_on_time_rate_nulls_last_ties_by_code(client, db_session, district, clock):
    """赵's meeting: the streets by on-time rectification rate, best first; a street with nothing due yet has no
    rate and comes last, and two streets with the same rate keep the order of their codes."""
    _ranking_district(db_session, district)
    unsorted = ranking(client, district)
    assert [r[0] for r in unsorted] == ["S1", "S2", "S3", "S4", "S5", "S6"]
    best_first = ranking(client, district, sort="-on_time_rate")
    assert best_first == [
        ("S2", 1.0, 1.0, 0, 2, 2),
        ("S1", 0.6, 0.6667, 1, 5, 6),
        ("S4", 0.3333, 0.6667, 1, 3, 3),
        ("S5", 0.3333, 1.0, 0, 3, 3),
        ("S3", 0.0, 0.0, 2, 2, 2),  # nothing closed, two overdue: the worst rate, not "no rate"
        ("S6", None, 0.0, 0, 0, 1),
    ]
    worst_first = ranking(client, district, sort="on_time_rate")
    assert [r[0] for r in worst_first] == ["S3", "S4", "S5", "S1", "S2", "S6"]  # the tie keeps S4 before S5; null last
    # The totals do not depend on the order.
    assert (stats_of(client, district["zhao"], sort="-on_time_rate")["totals"]
            == stats_of(client, district["zhao"])["totals"])


@pytest.mark.parametrize("sort, order", [
    ("rectification_rate", ["S3", "S6", "S1", "S4", "S2", "S5"]),  # 0, 0, 2/3 (S1 4/6 = S4 2/3, by code), 1, 1
    ("-rectification_rate", ["S2", "S5", "S1", "S4", "S3", "S6"]),
    ("open_overdue", ["S2", "S5", "S6", "S1", "S4", "S3"]),
    ("-open_overdue", ["S3", "S1", "S4", "S2", "S5", "S6"]),
    ("total", ["S6", "S2", "S3", "S4", "S5", "S1"]),
    ("-total", ["S1", "S4", "S5", "S2", "S3", "S6"]),
    ("due", ["S6", "S2", "S3", "S4", "S5", "S1"]),
    ("-due", ["S1", "S4", "S5", "S2", "S3", "S6"]),
    ("-closed", ["S1", "S5", "S2", "S4", "S3", "S6"]),
    ("-closed_on_time", ["S1", "S2", "S4", "S5", "S3", "S6"]),
    ("open", ["S2", "S5", "S4", "S6", "S1", "S3"]),
])
def test_every_count_and_rate_ranks_both_ways(client, db_session, district, clock, sort, order):
    _ranking_district(db_session, district)
    assert [r[0] for r in ranking(client, district, sort=sort)] == order


def test_sort_ranks_every_grouping_and_keeps_empty_areas(client, db_session, district, clock):
    lathe = make_enterprise(db_session, name="精工机床厂", area_code="S1")
    on_time, late = datetime(2026, 9, 9, 16, 0, tzinfo=SHANGHAI), datetime(2026, 9, 12, 9, 0, tzinfo=SHANGHAI)
    add_hazard(db_session, district, status="closed", closed=late)
    add_hazard(db_session, district, status="closed", plant=lathe, closed=on_time, category="electrical.wiring")
    add_hazard(db_session, district, plant=district.other_plant, area=IN_S2, category="gas.hoses")
    enterprises = stats_of(client, district["zhao"], group_by="enterprise", sort="-on_time_rate")["rows"]
    # The restaurant closed nothing and is overdue: 0 %, as low as the plant that closed late (ids break the tie).
    assert [(r["enterprise_id"], r["on_time_rate"]) for r in enterprises] == [
        (lathe.id, 1.0), (district.plant.id, 0.0), (district.other_plant.id, 0.0)]
    categories = stats_of(client, district["zhao"], group_by="category", sort="-open_overdue")["rows"]
    assert [r["code"] for r in categories] == ["gas.hoses", "electrical.wiring", "fire.exits"]
    # Communities without hazards are still listed, their null rates last.
    make_area(db_session, code="C2", name="幸福村社区", level="community", parent_code="S2")
    communities = stats_of(client, district["zhao"], level="community", sort="rectification_rate")["rows"]
    assert [(r["code"], r["rectification_rate"]) for r in communities] == [("C1", 1.0), ("C2", None)]


@pytest.mark.parametrize("params, field", [
    ({"sort": "name"}, "sort"),
    ({"sort": "+on_time_rate"}, "sort"),
    ({"sort": "overdue"}, "sort"),
    ({"group_by": "street"}, "group_by"),
    ({"level": "planet"}, "level"),
    ({"from": "2026-13-01"}, "from"),
    ({"to": "yesterday"}, "to"),
    ({"from": "2026-10-01", "to": "2026-09-30"}, "to"),
    ({"from": "0001-01-01"}, "from"),
    ({"to": "9999-12-31"}, "to"),
    ({"severity": "huge"}, "severity"),
    ({"enterprise_id": "plant"}, "enterprise_id"),
])
def test_bad_questions_name_the_field(client, district, params, field):
    response = client.get(f"{API}/stats", query_string=params, headers=district["zhao"])
    assert response.status_code == 422
    assert field in field_errors(response)
