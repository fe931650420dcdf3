"""The district's areas: district, streets, communities and grids."""
from flask.views import MethodView

from api.areas.schemas import AreaCreateSchema, AreaQuerySchema, AreaSchema, AreaUpdateSchema
from api.auth import login_required
from api.db import session
from api.pagination import SelectPage
from api.parsing import Blueprint
from inspections import directory
from inspections.enums import Role

blp = Blueprint("areas", __name__, url_prefix="/areas", description="Areas: everyone signed in reads, admins write.")


@blp.route("")
class Areas(MethodView):
    @login_required()
    @blp.arguments(AreaQuerySchema, location="query")
    @blp.response(200, AreaSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self, args):
        """List areas, optionally of one level or under one parent."""
        return directory.areas_query(**args)

    @login_required(Role.ADMIN)
    @blp.arguments(AreaCreateSchema)
    @blp.response(201, AreaSchema)
    @blp.alt_response(409, description="The code is taken.")
    def post(self, body):
        """Add an area under a parent of the level above (a street under the district, …)."""
        return directory.create_area(session(), **body)


@blp.route("/<code>")
class AreaByCode(MethodView):
    @login_required()
    @blp.response(200, AreaSchema)
    def get(self, code):
        """One area with its boundary."""
        return directory.get_area(session(), code)

    @login_required(Role.ADMIN)
    @blp.arguments(AreaUpdateSchema)
    @blp.response(200, AreaSchema)
    def patch(self, body, code):
        """Rename an area or replace its boundary."""
        return directory.update_area(session(), code, body)
