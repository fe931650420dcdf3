"""Telling admins that a year's State Council holiday notice is missing: once when the app starts (the web
server's log, and every ``flask`` command's output), never per request. ``GET /calendar/status`` says the same
on demand."""
from __future__ import annotations

import logging
import threading

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from api.clock import local_today
from api.db import session
from inspections import provisional
from inspections.calendar_store import load_calendar

log = logging.getLogger("api.calendar")

# Start-up must not hang on a database that does not answer (the probes must come up to say so): the check runs
# beside it for at most this long, and is skipped after.
CHECK_SECONDS = 5.0


def calendar_warning(app: Flask) -> str | None:
    """What admins must do about the calendar (a notice missing, provisional deadlines to decide), or None.

    None too when the calendar cannot be read yet: no schema before ``flask db upgrade``, or the database down
    (``/readyz`` reports that).
    """
    with app.app_context():
        try:
            return provisional.calendar_status(session(), load_calendar(session()), today=local_today()).warning
        except SQLAlchemyError as error:
            log.debug("calendar not checked: %s", error)
            return None


def warn_at_start(app: Flask) -> threading.Thread:
    """Log the calendar's warning once, without holding start-up more than ``CHECK_SECONDS``."""

    def check():
        warning = calendar_warning(app)
        if warning:
            log.warning("Working-day calendar: %s", warning)

    thread = threading.Thread(target=check, name="calendar-check", daemon=True)
    thread.start()
    thread.join(CHECK_SECONDS)
    if thread.is_alive():
        log.warning("Working-day calendar: not checked at start-up, the database did not answer within %.0f s; "
                    "see GET /api/v1/calendar/status once it does.", CHECK_SECONDS)
    return thread
