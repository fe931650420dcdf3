"""Reference lists: the hazard taxonomy, campaigns, and corrections to the working-day calendar."""
from datetime import date

from flask.views import MethodView

from api.auth import current_user, login_required
from api.clock import now
from api.db import session
from api.catalog.schemas import (
    CampaignSchema, CategoryCreateSchema, CategoryQuerySchema, CategorySchema, CategoryUpdateSchema,
    WorkdayOverrideSchema, WorkdayOverridesSchema, WorkdayQuerySchema,
)
from api.pagination import SelectPage
from api.parsing import Blueprint
from inspections import calendar_store, catalog
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
        """Set days as working or not (admin), e.g. next year's holidays once the State Council announces them."""
        return calendar_store.set_overrides(session(), current_user(), body["days"], now=now())


@blp.route("/calendar/overrides/<isodate:day>")
class WorkdayOverrideByDay(MethodView):
    @login_required(Role.ADMIN)
    @blp.response(204)
    def delete(self, day: date):
        """Remove a correction; the day follows the built-in calendar again."""
        calendar_store.delete_override(session(), day)
