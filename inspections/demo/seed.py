"""The use-case: ``seed_demo`` builds the demo district (see the package's docstring) and finishes it off for the
map: its running counts, the sequences and the planner's statistics."""
from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from inspections import deadlines, map_cells
from inspections.audit.keys import keys_of
from inspections.demo import directory, lives
from inspections.demo.bulk import insert_rows, write_table
from inspections.demo.layout import DISTRICT, Layout
from inspections.errors import Conflict, InvalidInput
from inspections.models import Area, Enterprise, Extension, Hazard, User
from inspections.passwords import password_problem
from inspections.workcalendar import WorkCalendar


@dataclass
class SeedSummary:
    rows: dict[str, int] = field(default_factory=dict)
    elapsed: float = 0.0
    accounts: list[str] = field(default_factory=list)  # accounts made now, which sign in with ``password``


def seed_demo(
    session: Session, *, hazards: int, now: datetime, tz: tzinfo, calendar: WorkCalendar, password: str,
    seed: int = 1, batch: int = 5000, append: bool = False, working_days=deadlines.DEFAULT_WORKING_DAYS,
    workers: int | None = None, progress: Callable[[str], None] | None = None,
) -> SeedSummary:
    """Build the demo district with ``hazards`` hazards (and about one enterprise per 20) as of ``now``.

    Refuses a database that already has areas, enterprises, users or hazards unless ``append``; appending
    reuses the demo district and accounts if they are there and adds enterprises and hazards. The hazards are
    made in batches of ``batch``, each from its own seed, by ``workers`` processes (0: in this one; default:
    one per CPU on PostgreSQL when there are several batches), and written in this one, a transaction a batch:
    the same seed makes the same district whatever the number of workers.
    """
    # The demo accounts sign in with it: the same rules as any password (each account's name is "demo_…").
    if problem := password_problem(password, username="demo"):
        raise InvalidInput(problem, {"password": [problem]})
    started = time.monotonic()
    now = now.astimezone(UTC)  # every instant made from it is UTC, as stored
    say = progress or (lambda _message: None)
    existing = {m.__tablename__: session.scalar(select(func.count()).select_from(m))
                for m in (Area, Enterprise, User, Hazard)}
    if any(existing.values()) and not append:
        raise Conflict("The database is not empty (" + ", ".join(f"{n} {t}" for t, n in existing.items() if n)
                       + "); seed an empty one, or pass append to add to it.")
    # Appending again with the same seed must not make the same ids again: the seed takes in what is there.
    rng = random.Random(seed if not any(existing.values()) else f"{seed}/{existing['hazards']}/{existing['enterprises']}")
    summary = SeedSummary()
    count = summary.rows
    layout = Layout()
    have = set(session.scalars(select(Area.code)))
    fresh_areas = [a for a in layout.areas if a["code"] not in have]
    insert_rows(session, Area, [{**a, "created_at": now} for a in fresh_areas])
    count["areas"] = len(fresh_areas)
    people = directory.accounts(session, password, now, summary)
    campaigns = directory.campaigns(session, now)
    say(f"district {DISTRICT[1]}: {len(fresh_areas)} new areas, {len(summary.accounts)} new accounts")
    enterprises = directory.enterprises(session, rng, layout, max(1, hazards // 20), now, count)
    say(f"{len(enterprises)} enterprises with their officers")
    copy = session.connection().dialect.name == "postgresql"
    plan = lives.Plan(
        seed=f"{seed}/{existing['hazards']}", now=now, tz=tz, calendar=calendar, working_days=dict(working_days),
        people=people, layout=layout, enterprises=enterprises, campaigns=campaigns, categories=directory.categories(session),
        extension_base=directory.next_id(session, Extension), batch=batch, hazards=hazards, copy=copy,
        keys=keys_of(session),
    )
    batches = -(-hazards // batch)
    if workers is None:  # make rows in other processes only where it pays: many batches, a database that can keep up
        workers = min(os.cpu_count() or 1, 8) if copy and batches > 1 else 0
    written = 0
    for made in lives.batches(plan, batches, workers):
        for model in lives.ORDER:
            write_table(session, model.__tablename__, made.tables[model.__tablename__])
            count[model.__tablename__] = count.get(model.__tablename__, 0) + made.counts[model.__tablename__]
        session.commit()
        written += made.hazards
        say(f"{written}/{hazards} hazards, {count.get('hazard_events', 0)} events, {time.monotonic() - started:.0f} s")
    _finish(session, say)
    summary.elapsed = time.monotonic() - started
    return summary


def _finish(session, say) -> None:
    """The map's running counts, sequences past the ids written explicitly, and fresh planner statistics."""
    say("counting the hazards per map cell")
    cells = map_cells.rebuild(session, progress=say)
    session.commit()
    say(f"{cells:,} map cells")
    if session.connection().dialect.name != "postgresql":
        return
    for table in ("enterprises", "users", "extensions"):
        session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                             f"GREATEST((SELECT max(id) FROM {table}), 1))"))
    session.commit()
    say("vacuum and analyse (so that the map can read the hazards from its index alone)")
    engine = session.get_bind()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE hazards"))
        connection.execute(text("VACUUM ANALYZE map_cells"))
        connection.execute(text("ANALYZE"))
