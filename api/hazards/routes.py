"""Hazards: report, list, read, the audit trail, and the rectification notice."""
import logging
import uuid
from datetime import timedelta
from urllib.parse import quote

from flask import Response, current_app
from flask.views import MethodView

from api.auth import current_user, login_required
from api.clock import local_today, local_tz, now
from api.db import session
from api.errors import error_response
from api.hazards.detail import hazard_detail
from api.hazards.listing import HazardPage
from api.hazards.schemas import EventSchema, HazardCreateSchema, HazardDetailSchema, HazardQuerySchema, HazardSchema
from api.parsing import Blueprint
from api.policy import report_time_policy
from inspections import audit, hazards, notice, verification
from inspections.calendar_store import load_calendar
from inspections.enums import Role
from inspections.hazard_queries import HazardFilters, hazards_query
from media.notice_pdf import NoticeFontUnavailable

log = logging.getLogger(__name__)

blp = Blueprint("hazards", __name__, url_prefix="/hazards", description="Hazards (隐患) from report to closure.")


def deadline_settings() -> dict:
    """What deadline rules need: the time, the district's zone, its calendar and default periods."""
    return {
        "now": now(),
        "tz": local_tz(),
        "calendar": load_calendar(session()),
        "working_days": {
            "general": current_app.config["GENERAL_DEADLINE_WORKING_DAYS"],
            "major": current_app.config["MAJOR_DEADLINE_WORKING_DAYS"],
        },
    }


def filters_from(args: dict) -> HazardFilters:
    return HazardFilters(
        status=tuple(args.get("status") or ()), severity=args.get("severity"), category=args.get("category"),
        enterprise_id=args.get("enterprise_id"), area_code=args.get("area_code"), overdue=args.get("overdue"),
        bbox=tuple(args["bbox"]) if args.get("bbox") else None,
        created_after=args.get("created_after"), created_before=args.get("created_before"),
        recurrence=args.get("recurrence"),
    )


@blp.route("")
class Hazards(MethodView):
    @login_required(Role.INSPECTOR, Role.REVIEWER)
    @blp.arguments(HazardCreateSchema)
    @blp.response(201, HazardDetailSchema, description="Created.")
    @blp.alt_response(200, schema=HazardDetailSchema, description="A retry of a request already applied (same id and body).")
    @blp.alt_response(409, description="The id was already used with a different body.")
    def post(self, body):
        """Report a hazard at an enterprise.

        `reported_at` is when the hazard was found. A phone that reports without signal keeps the hazard
        and sends it later with its own `reported_at`: that time is used when it is plausible, i.e. at most
        `OFFLINE_REPORT_MAX_HOURS` (72) before the server receives it and at most
        `CLOSURE_CLOCK_SKEW_MINUTES` (10) after; otherwise, or when none is sent, the server's time is used.
        The phone's value is kept as sent (the `reported` event's `client_at`) and the server's receipt time
        is the event's `at`.

        The deadline is the default for the severity (7 or 30 working days on China's official calendar,
        counted from the day after the local day the hazard was found) unless `deadline` is given, which may
        not be before that day; a given deadline on a non-working day moves to the next working day and
        `deadline_requested` keeps the date asked for. Rectification photos are checked against the time
        found. Without a location the enterprise's is used until the first evidence photo brings its EXIF
        position.

        The hazard belongs to the enterprise's registered area (属地管理), wherever the GPS fix falls; only an
        enterprise registered without an area takes the area that holds the hazard's position. An inspector
        may report hazards only at enterprises of their own area (403 otherwise).
        """
        settings = deadline_settings()
        reported = hazards.report_hazard(
            session(), current_user(), body, now=settings["now"], tz=settings["tz"],
            calendar=settings["calendar"], working_days=settings["working_days"],
            recurrence_window=timedelta(days=current_app.config["RECURRENCE_DAYS"]), times=report_time_policy(),
        )
        return hazard_detail(reported.hazard), 201 if reported.created else 200

    @login_required()
    @blp.arguments(HazardQuerySchema, location="query")
    @blp.response(200, HazardSchema(many=True))
    @blp.paginate(HazardPage)
    def get(self, args):
        """List the hazards the caller may see, newest first, filtered; paginated (X-Pagination).

        Each hazard carries `closure_summary`, the checks of its latest rectification at a glance (photos
        near the hazard, taken after the report, not a re-used picture; the verdict and its warnings), so a
        re-inspector's list of `status=submitted` shows them without opening each hazard; null when nothing
        was submitted yet. The detail's `closure_checks` has every photo's checks.
        """
        return hazards_query(session(), current_user(), filters_from(args), today=local_today())


@blp.route("/<uuid:hazard_id>")
class HazardById(MethodView):
    @login_required()
    @blp.response(200, HazardDetailSchema)
    def get(self, hazard_id: uuid.UUID):
        """One hazard with its photos, plan, extensions, rectifications and the caller's possible actions."""
        return hazard_detail(hazards.get_hazard(session(), current_user(), hazard_id))


@blp.route("/<uuid:hazard_id>/events")
class HazardEvents(MethodView):
    @login_required()
    @blp.response(200, EventSchema(many=True))
    def get(self, hazard_id: uuid.UUID):
        """The audit trail: every change, who, when, from and to which state, each chained to the one before by its
        digest (HMAC-SHA256 under a key the server keeps outside the database).

        A re-inspection's photo checks that matched a photo of a hazard the caller may not see show that match
        without its hazard and photo ids (`hidden: true`)."""
        hazard = hazards.get_hazard(session(), current_user(), hazard_id)
        return verification.events_as_seen_by(session(), current_user(), audit.events_of(session(), hazard.id))


@blp.route("/<uuid:hazard_id>/notice.pdf")
class HazardNotice(MethodView):
    @login_required()
    @blp.response(200, {"type": "string", "format": "binary"}, content_type="application/pdf",
                  description="The notice, A4, to show or print (`Content-Disposition: inline`).")
    @blp.alt_response(404, description="No such hazard, or not visible to the caller.")
    @blp.alt_response(503, description="The object store is down (retry), or the server has no CJK font to print "
                                       "the notice with (an operator must install it; see NOTICE_FONT_PATH).")
    def get(self, hazard_id: uuid.UUID):
        """The rectification notice (限期整改通知书) of the hazard, as PDF.

        The document an inspector hands or sends to the enterprise: its document number (文书编号, from the
        report date and the hazard id, the same every time), the enterprise, the hazard, the order to
        rectify by the deadline in force (with an approved extension, if any), the signature and
        acknowledgement (签收) blocks, and an annex with up to six evidence photos, each with the time and
        place it was taken. Whoever may see the hazard may have its notice.
        """
        made = notice.rectification_notice(
            session(), current_app.extensions["object_store"], current_user(), hazard_id, tz=local_tz(), now=now(),
            font_path=current_app.config["NOTICE_FONT_PATH"],
        )
        response = Response(made.content, mimetype="application/pdf")
        response.headers["Content-Disposition"] = (
            f'inline; filename="{made.ascii_filename}"; filename*=UTF-8\'\'{quote(made.filename, safe="")}'
        )
        response.headers["Cache-Control"] = "private, no-cache"
        return response


@blp.errorhandler(NoticeFontUnavailable)
def _no_notice_font(error: NoticeFontUnavailable):
    log.error("cannot print rectification notices: %s", error)
    return error_response(
        503, f"The rectification notice cannot be printed: the server's Chinese font is unusable ({error.reason}). "
             "An operator must install Debian's fonts-noto-cjk package or set NOTICE_FONT_PATH to a CJK font file.")
