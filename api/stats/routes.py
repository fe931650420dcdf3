"""The statistics for district review (督查考核): hazards counted by area, sector, enterprise or category."""
from flask import jsonify
from flask.views import MethodView

from api.auth import current_user, login_required
from api.clock import local_tz, now
from api.db import session
from api.hazards.routes import filters_from
from api.parsing import Blueprint
from api.stats.schemas import StatsQuerySchema, StatsSchema, stats_document
from inspections import stats

blp = Blueprint("stats", __name__, url_prefix="/stats",
                description="Statistics for district review: counts, rectification and on-time rates.")


@blp.route("")
class Stats(MethodView):
    @login_required(*stats.STATS_ROLES)
    @blp.arguments(StatsQuerySchema, location="query")
    @blp.response(200, StatsSchema)
    @blp.alt_response(403, description="Enterprise officers: the statistics compare enterprises and streets.")
    def get(self, args):
        """Hazards counted by area, sector, enterprise or category, with rectification and on-time rates.

        `group_by` (default `area`): **area** rows are the areas of `level` (default street; community, grid or
        district) the caller answers for, each counting the hazards in it and in every area under it, and listed
        with or without hazards (`code, name, level, parent_code`); **sector** the enterprises' sector as
        recorded now (`sector, name`; null for enterprises without one); **enterprise** (`enterprise_id, name,
        credit_code`) and **category**, the category recorded on the hazard (`code, name, parent_code`), only
        those with hazards. Rows come in a stable order: by area code, sector, enterprise id, category code.

        `sort` ranks them instead by `total`, `open`, `open_overdue`, `due`, `closed`, `closed_on_time`,
        `rectification_rate` or `on_time_rate`, ascending, or descending with a leading `-`
        (`sort=-on_time_rate`: the streets by on-time rectification, best first); rows whose rate is null come
        last either way, and equal rows keep the group key's order.

        `from` and `to` (YYYY-MM-DD, local dates, both included) select hazards by the day they were reported;
        either may be left out. Filters with their meaning in `GET /hazards`: severity, category (a top-level
        code includes its sub-categories), enterprise_id, area_code (area rows then only the areas within it),
        recurrence.

        The cohort of every count and rate is the same: the hazards found (reported) in the period that match
        the filters; void hazards (recorded in error) are never counted. Each row, and `totals` (every hazard
        selected, also those in no row: without a recorded area, or recorded at an area above `level`):
        `total`; `open` (open, acknowledged or submitted); `open_overdue` (open past the deadline in force, as of
        `as_of`, today's local date); `due` (应整改: closed, or still open past the **original** deadline, its
        local day over); `closed`; `closed_on_time` (closed on or before the **original** deadline, by the local
        date of closing, so an approved extension does not make a late rectification on time).

        Rates, rounded to 4 places and null when the denominator is 0 (never 0 % or 100 % of nothing):
        `rectification_rate` (整改率) = closed / total; `on_time_rate` (按期整改率) = closed_on_time / due. A hazard
        left open past its deadline counts against the on-time rate exactly as one closed late does, so leaving
        hazards open never raises it: a street that closed one on time and left nine overdue scores 10 %.

        Reviewers and admins count the whole district; inspectors only the hazards and areas of their own area.
        Enterprise officers are refused (403).
        """
        result = stats.hazard_stats(
            session(), current_user(), filters_from(args), group_by=args["group_by"], level=args.get("level"),
            reported_from=args.get("reported_from"), reported_to=args.get("reported_to"), sort=args.get("sort"),
            now=now(), tz=local_tz(),
        )
        return jsonify(stats_document(result))
