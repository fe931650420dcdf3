"""One SQLAlchemy session per request, closed when the request ends."""
from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from inspections import map_cells
from inspections.audit.keys import SESSION_KEY
from inspections.db import make_engine, make_session_factory


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["db_engine"] = engine
    # Every session carries the audit key ring: services seal the events they record with it. The map's running
    # counts are kept by every session the app makes (requests and CLI commands alike).
    app.extensions["db_sessions"] = map_cells.keep_counts(
        make_session_factory(engine, info={SESSION_KEY: app.extensions["audit_keys"]}))
    app.teardown_appcontext(_close_session)


def session() -> Session:
    """The session of the current request (or CLI command), made on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["db_sessions"]()
    return g.db_session


def _close_session(_exc) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()
