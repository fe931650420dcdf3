"""Inspections (检查): visits to enterprises."""
import uuid

from flask.views import MethodView

from api.auth import current_user, login_required
from api.clock import now
from api.db import session
from api.hazards.listing import listed
from api.hazards.schemas import HazardSchema
from api.pagination import SelectPage
from api.parsing import Blueprint
from api.visits.schemas import InspectionCreateSchema, InspectionQuerySchema, InspectionSchema
from inspections import visits
from inspections.enums import Role

blp = Blueprint("inspections", __name__, url_prefix="/inspections", description="Inspections of enterprises.")


@blp.route("")
class Inspections(MethodView):
    @login_required(Role.INSPECTOR, Role.REVIEWER)
    @blp.arguments(InspectionCreateSchema)
    @blp.response(201, InspectionSchema)
    @blp.alt_response(200, schema=InspectionSchema, description="A retry of a request already applied.")
    @blp.alt_response(409, description="The id was already used with a different body.")
    def post(self, body):
        """Start an inspection at an enterprise in your area (routine, unannounced, special or covert)."""
        recorded = visits.record_inspection(session(), current_user(), body, now=now())
        return recorded.inspection, 201 if recorded.created else 200

    @login_required()
    @blp.arguments(InspectionQuerySchema, location="query")
    @blp.response(200, InspectionSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self, args):
        """Inspections the caller may see, newest first (an officer never sees covert ones)."""
        return visits.inspections_query(current_user(), **args)


@blp.route("/<uuid:inspection_id>")
class InspectionById(MethodView):
    @login_required()
    @blp.response(200, InspectionSchema)
    def get(self, inspection_id: uuid.UUID):
        """One inspection."""
        return visits.get_inspection(session(), current_user(), inspection_id)


@blp.route("/<uuid:inspection_id>/hazards")
class InspectionHazards(MethodView):
    @login_required()
    @blp.response(200, HazardSchema(many=True))
    def get(self, inspection_id: uuid.UUID):
        """The hazards found during this inspection."""
        inspection = visits.get_inspection(session(), current_user(), inspection_id)
        return listed(visits.hazards_of_inspection(session(), current_user(), inspection))
