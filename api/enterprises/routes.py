"""Enterprises and small venues under supervision."""
from flask.views import MethodView
from flask_smorest import Page

from api.auth import current_user, login_required
from api.db import session
from api.enterprises.schemas import (
    EnterpriseCreateSchema, EnterpriseQuerySchema, EnterpriseSchema, EnterpriseUpdateSchema,
    NearbyEnterpriseSchema, parse_point,
)
from api.pagination import SelectPage
from api.parsing import Blueprint
from inspections import directory
from inspections.enums import Role

blp = Blueprint(
    "enterprises", __name__, url_prefix="/enterprises",
    description="Enterprises: everyone signed in reads (an officer only their own), admins write.",
)


@blp.route("")
class Enterprises(MethodView):
    @login_required()
    @blp.arguments(EnterpriseQuerySchema, location="query")
    @blp.response(200, NearbyEnterpriseSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """List enterprises; with `near=LAT,LON` only those within `radius_m`, nearest first with `distance_m`."""
        filters = {"q": args.get("q"), "area_code": args.get("area_code")}
        if "near" not in args:
            query = directory.enterprises_query(current_user(), **filters)
            page = SelectPage(query, pagination_parameters)
            return page.items
        lat, lon = parse_point(args["near"])
        nearby = directory.enterprises_near(
            session(), current_user(), lat=lat, lon=lon, radius_m=args["radius_m"], **filters
        )
        # Ranked in Python after the exact geodesic distance, so the ranked list is paged.
        page = Page(nearby, pagination_parameters)
        return [_with_distance(n) for n in page.items]

    @login_required(Role.ADMIN)
    @blp.arguments(EnterpriseCreateSchema)
    @blp.response(201, EnterpriseSchema)
    @blp.alt_response(409, description="Another enterprise has this credit code.")
    def post(self, body):
        """Register an enterprise. The credit code is checked (GB 32100); without `area_code` the area
        whose boundary contains the location is used."""
        return directory.create_enterprise(session(), body)


def _with_distance(nearby):
    data = EnterpriseSchema().dump(nearby.enterprise)
    data["distance_m"] = round(nearby.distance_m, 1)
    return data


@blp.route("/<id:enterprise_id>")
class EnterpriseById(MethodView):
    @login_required()
    @blp.response(200, EnterpriseSchema)
    def get(self, enterprise_id):
        """One enterprise (404 for an officer asking about another enterprise)."""
        return directory.get_enterprise(session(), current_user(), enterprise_id)

    @login_required(Role.ADMIN)
    @blp.arguments(EnterpriseUpdateSchema)
    @blp.response(200, EnterpriseSchema)
    def patch(self, body, enterprise_id):
        """Change an enterprise's details."""
        return directory.update_enterprise(session(), enterprise_id, body)
