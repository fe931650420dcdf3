"""Reference lists: the hazard taxonomy, campaigns, and corrections to the working-day calendar."""
from datetime import date

from flask.views import MethodView

from api.auth import current_user, login_required
from api.clock import local_today, now
from api.db import session
from api.catalog.schemas import (
    AppliedChangeSchema, ApplyChangesSchema, CalendarStatusSchema, CampaignSchema, CategoryCreateSchema,
    CategoryQuerySchema, CategorySchema, CategoryUpdateSchema, ProvisionalChangeSchema, WorkdayOverrideSchema,
    WorkdayOverridesSchema, WorkdayQuerySchema,
)
from api.pagination import SelectPage
from api.parsing import Blueprint
from inspections import calendar_store, catalog, provisional
from inspections.enums import Role

blp = Blueprint("catalog", __name__, description="Categories, campaigns and the working-day calendar.")


@blp.route("/categories")
class Categories(MethodView):
    @login_required()
    @blp.arguments(CategoryQuerySchema, location="query")
    @blp.response(200, CategorySchema(many=True))
    def get(self, args):
        """The two-level hazard taxonomy (e.g. `fire` 消防安全 and `fire.exits` 疏散通道)."""
        return catalog.list_categories(session(), **args)

    @login_required(Role.ADMIN)
    @blp.arguments(CategoryCreateSchema)
    @blp.response(201, CategorySchema)
    def post(self, body):
        """Add a category (admin)."""
        return catalog.create_category(session(), **body)


@blp.route("/categories/<code>")
class CategoryByCode(MethodView):
    @login_required(Role.ADMIN)
    @blp.arguments(CategoryUpdateSchema)
    @blp.response(200, CategorySchema)
    def patch(self, body, code):
        """Rename or retire a category, or set its photo radius (admin)."""
        return catalog.update_category(session(), code, body)


@blp.route("/campaigns")
class Campaigns(MethodView):
    @login_required()
    @blp.response(200, CampaignSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self):
        """Campaigns, newest first."""
        return catalog.campaigns_query()

    @login_required(Role.ADMIN)
    @blp.arguments(CampaignSchema)
    @blp.response(201, CampaignSchema)
    @blp.alt_response(403, description="Only an admin adds campaigns (reference data).")
    def post(self, body):
        """Add a campaign such as the 2026 安全生产月 (admin)."""
        return catalog.create_campaign(session(), **body)


@blp.route("/campaigns/<id:campaign_id>")
class CampaignById(MethodView):
    @login_required()
    @blp.response(200, CampaignSchema)
    def get(self, campaign_id):
        """One campaign."""
        return catalog.get_campaign(session(), campaign_id)


@blp.route("/calendar/overrides")
class WorkdayOverrides(MethodView):
    @login_required()
    @blp.arguments(WorkdayQuerySchema, location="query")
    @blp.response(200, WorkdayOverrideSchema(many=True))
    def get(self, args):
        """Corrections to the official working-day calendar (for years the built-in calendar lacks)."""
        return calendar_store.list_overrides(session(), args.get("year"))

    @login_required(Role.ADMIN)
    @blp.arguments(WorkdayOverridesSchema)
    @blp.response(200, WorkdayOverrideSchema(many=True))
    def put(self, body):
        """Set days as working or not (admin), e.g. next year's holidays once the State Council announces them.

        For a year the calendar package does not know, entering any of its days makes it *entered*: days
        without an entry keep the statutory holidays and weekends, so the notice's extra days off and make-up
        working days are enough. Deadlines already set do not move by themselves: the provisional ones the
        calendar now changes are listed at `GET /calendar/provisional-changes`, for an admin to apply."""
        return calendar_store.set_overrides(session(), current_user(), body["days"], now=now())


@blp.route("/calendar/overrides/<isodate:day>")
class WorkdayOverrideByDay(MethodView):
    @login_required(Role.ADMIN)
    @blp.response(204)
    def delete(self, day: date):
        """Remove a correction; the day follows the built-in calendar again."""
        calendar_store.delete_override(session(), day)


@blp.route("/calendar/status")
class CalendarStatus(MethodView):
    @login_required(Role.ADMIN, Role.REVIEWER)
    @blp.response(200, CalendarStatusSchema)
    def get(self):
        """The working-day calendar as deadlines use it (admins and reviewers): the years whose State Council
        holiday notice the package has, those admins entered, those assumed (no notice: the statutory holidays
        and weekends only), how many running deadlines are provisional and how many would change now."""
        return provisional.calendar_status(session(), calendar_store.load_calendar(session()), today=local_today())


@blp.route("/calendar/provisional-changes")
class ProvisionalChanges(MethodView):
    @login_required(Role.ADMIN)
    @blp.response(200, ProvisionalChangeSchema(many=True))
    def get(self):
        """The provisional deadlines of running hazards that the calendar as now entered would change (admin),
        earliest first: each with the deadline in force, what it would become (or the same date, no longer
        provisional) and what it is counted from. Nothing moves until an admin applies it."""
        return provisional.provisional_changes(
            session(), calendar_store.load_calendar(session()), today=local_today())


@blp.route("/calendar/provisional-changes/apply")
class ApplyProvisionalChanges(MethodView):
    @login_required(Role.ADMIN)
    @blp.arguments(ApplyChangesSchema)
    @blp.response(200, AppliedChangeSchema(many=True))
    @blp.alt_response(409, description="One of the hazards changed at the same moment; nothing was applied.")
    def post(self, body):
        """Give the listed hazards their deadline counted again on the calendar as now entered (admin).

        Each change is a `deadline_recounted` event on the hazard (the deadline before and after, what it was
        counted from). The original deadline moves with it unless an extension was approved. A hazard with
        nothing to change (a retry, or the calendar still gives the same) is `unchanged`; an unknown id is 422
        and nothing is applied."""
        return provisional.apply_changes(
            session(), current_user(), body["hazard_ids"], calendar=calendar_store.load_calendar(session()),
            now=now(), today=local_today(),
        )
