"""`flask demo seed`: a realistic district with hazards in every state and an intact audit trail, on both backends."""
import json
from collections import Counter
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from inspections import deadlines, demo
from inspections.creditcode import credit_code_problem
from inspections.models import Area, Enterprise, Hazard, HazardEvent, Photo, User
from inspections.workcalendar import WorkCalendar
from tests.conftest import _empty_tables
from tests.factories import login

PASSWORD = "demo password for tests"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def seed(runner, *extra):
    return runner.invoke(args=["demo", "seed", "--password", PASSWORD, *extra])


def number(db_session, model, *where) -> int:
    return db_session.scalar(select(func.count()).select_from(model).where(*where))


def test_seed_builds_a_district_with_hazards_in_every_state(runner, client, db_session, clock):
    result = seed(runner, "--hazards", "500", "--batch", "200")
    assert result.exit_code == 0, result.output
    assert "500/500 hazards" in result.output and "seeded in" in result.output

    assert number(db_session, Hazard) == 500
    assert number(db_session, Enterprise) == 25
    assert number(db_session, Area) == 1 + 10 + 80 + 320
    assert number(db_session, User) == 14 + 25  # the demo's people and an officer for each enterprise
    hazards = db_session.scalars(select(Hazard)).all()
    assert {h.status for h in hazards} == {"open", "acknowledged", "submitted", "closed", "void"}
    assert {h.severity for h in hazards} == {"general", "major"}
    assert {"device", "enterprise", "exif"} <= {h.location_source for h in hazards}
    assert all(h.area_path and h.area_path.startswith("/110105/") for h in hazards)
    assert all(h.reported_at <= clock.instant for h in hazards)
    assert any(h.status in ("open", "acknowledged", "submitted") and h.deadline < clock.instant.date() for h in hazards)
    enterprises = db_session.scalars(select(Enterprise)).all()
    assert all(credit_code_problem(e.credit_code) is None for e in enterprises)
    venues = {e.venue_type for e in enterprises}
    assert "enterprise" in venues and any(venue.startswith("small_") for venue in venues)

    # Deadlines by the real calendar: the default period after the report day, or an asked-for day moved to a workday.
    calendar, by_default = WorkCalendar(), 0
    for hazard in hazards:
        if hazard.deadline_requested is not None:
            assert hazard.original_deadline == calendar.next_workday(hazard.deadline_requested)
        by_default += hazard.original_deadline == deadlines.default_deadline(
            hazard.reported_at, hazard.severity, tz=SHANGHAI, calendar=calendar)
        # Each keeps what its deadline in force was counted from, so that a recount is exact (issue 13.5).
        counted = deadlines.DeadlineBasis(hazard.deadline_counted_from, hazard.deadline_working_days).count(calendar)
        assert counted.deadline == hazard.deadline
        assert list(counted.assumed_years) == (hazard.deadline_assumed_years or [])
    assert by_default >= 400

    # Every hazard's trail starts with its report; closing and voiding are in it too.
    actions = Counter(db_session.scalars(select(HazardEvent.action)))
    assert actions["reported"] == 500
    assert actions["approve"] + actions["rectified_on_spot"] == sum(h.status == "closed" for h in hazards)
    assert actions["void"] == sum(h.status == "void" for h in hazards)
    assert number(db_session, HazardEvent, HazardEvent.seq == 1, HazardEvent.action == "reported") == 500
    # Photos are rows whose keys name objects that were never stored.
    assert number(db_session, Photo) > 500
    assert all(key.startswith("thumbnails/") for key in db_session.scalars(select(Photo.thumbnail_key)))

    verified = runner.invoke(args=["audit", "verify"])
    assert verified.exit_code == 0, verified.output
    assert "intact" in verified.output
    counted = runner.invoke(args=["map", "check"])  # the map's counts were made for the hazards written in bulk
    assert counted.exit_code == 0, counted.output

    # The demo reviewer signs in and sees the district on the map; officers' accounts cannot sign in yet.
    zhao = login(client, "demo_zhao", PASSWORD)
    located = number(db_session, Hazard, Hazard.lat.is_not(None))
    assert client.get("/api/v1/map/hazards", query_string={"zoom": 10}, headers=zhao).get_json()["total"] == located
    streets = client.get("/api/v1/map/areas", headers=zhao).get_json()["features"]
    assert len(streets) == 10
    assert sum(s["properties"]["total"] for s in streets) == number(db_session, Hazard, Hazard.status != "void")
    officer = db_session.scalar(select(User.username).where(User.role == "enterprise_officer").limit(1))
    assert client.post("/api/v1/auth/token", json={"username": officer, "password": PASSWORD}).status_code == 401


def test_seed_refuses_a_database_with_data_unless_appending(runner, db_session):
    assert seed(runner, "--hazards", "60").exit_code == 0
    again = seed(runner, "--hazards", "60")
    assert again.exit_code != 0
    assert "not empty" in again.output and "append" in again.output
    more = seed(runner, "--hazards", "45", "--append")
    assert more.exit_code == 0, more.output
    assert number(db_session, Hazard) == 105
    assert number(db_session, Area) == 411  # the district is made once
    assert number(db_session, User, User.username.like("demo\\_inspector%", escape="\\")) == 10
    assert number(db_session, Enterprise) == 3 + 2
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    assert runner.invoke(args=["map", "check"]).exit_code == 0


def test_worker_processes_make_the_same_district(app, db_session):
    """Batches are made from their own seeds, so processes change the speed, not the data."""
    now = datetime(2026, 11, 2, 10, 0, tzinfo=timezone.utc)

    def seeded(workers):
        demo.seed_demo(db_session, hazards=230, batch=50, workers=workers, now=now, tz=SHANGHAI, calendar=WorkCalendar(),
                       password=PASSWORD)
        rows = db_session.execute(select(Hazard.id, Hazard.status, Hazard.deadline, Hazard.lat).order_by(Hazard.id)).all()
        events = db_session.execute(select(HazardEvent.hazard_id, HazardEvent.seq, HazardEvent.hash)
                                    .order_by(HazardEvent.hazard_id, HazardEvent.seq)).all()
        return [tuple(r) for r in rows], [tuple(e) for e in events]

    in_two = seeded(2)
    assert len(in_two[0]) == 230
    db_session.close()
    _empty_tables(app.extensions["db_engine"], app.extensions["test_seed"])
    assert seeded(0) == in_two


def test_bulk_insert_writes_rows_as_given(app, db_session):
    from tests.factories import make_area

    make_area(db_session, code="D9", name="测试区", level="district")
    rows = [{"code": f"S9{n}", "name": f"街道\t{n}\\", "level": "street", "parent_code": "D9", "path": f"/D9/S9{n}/",
             "boundary": {"type": "Polygon", "coordinates": []} if n else None, "min_lon": 1.0 if n else None,
             "min_lat": 2.0 if n else None, "max_lon": 3.0 if n else None, "max_lat": 4.5 if n else None,
             "created_at": datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=SHANGHAI)} for n in range(2)]
    demo.insert_rows(db_session, Area, rows)
    db_session.commit()
    stored = {a.code: a for a in db_session.scalars(select(Area).where(Area.parent_code == "D9"))}
    assert stored["S91"].name == "街道\t1\\"
    assert stored["S91"].boundary == {"type": "Polygon", "coordinates": []} and stored["S90"].boundary is None
    assert stored["S91"].max_lat == 4.5
    assert stored["S91"].created_at == datetime(2026, 1, 1, 19, 4, 5, 678901, tzinfo=timezone.utc)
    assert json.dumps(stored["S90"].boundary) == "null"
