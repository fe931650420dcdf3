"""OGC API – Features, Part 1 Core with GeoJSON, at ``/ogc`` (not under /api/v1: GIS clients are given this root).

Every resource needs the bearer token and shows only what the caller may see, like ``GET /api/v1/hazards``.
Errors keep the service's JSON error body; bad or unknown query parameters answer 400, as OGC clients expect.
"""
from __future__ import annotations

import uuid
from urllib.parse import urlencode

import marshmallow as ma
from flask import current_app, jsonify, request, url_for
from flask.views import MethodView
from flask_smorest import abort

from api.auth import current_user, login_required
from api.clock import local_today, now
from api.db import session
from api.errors import error_response
from api.ogc import documents
from api.parsing import Blueprint
from inspections.feature_queries import hazard_extent, items_page
from api.ogc.schemas import FormatQuerySchema, ItemsQuerySchema
from inspections import hazards
from inspections.errors import InvalidInput, NotFound

blp = Blueprint("ogc", __name__, url_prefix="/ogc",
                description="OGC API – Features (Part 1 Core, GeoJSON): the hazards for QGIS, GDAL and OWSLib.")
# webargs excludes unknown query parameters by default, whatever the schema says; the standard wants them refused.
QUERY = {"location": "query", "error_status_code": 400, "unknown": ma.RAISE}


@blp.errorhandler(InvalidInput)
def _invalid_input(error: InvalidInput):
    # A well-formed value the data refuses (an unknown area_code) is still a bad parameter to an OGC client: 400.
    return error_response(400, error.message, {"query": error.errors} if error.errors else None)


@blp.route("", strict_slashes=False, endpoint="landing")  # OWSLib asks for "/ogc/", others for "/ogc"
class LandingPage(MethodView):
    @login_required()
    @blp.arguments(FormatQuerySchema, **QUERY)
    @blp.response(200, description="Links to the API definition, the conformance classes and the collections.")
    def get(self, _args):
        """The landing page of the OGC API."""
        return documents.landing_page(_root(), _url("api-docs.openapi_json"), _url("api-docs.openapi_swagger_ui"))


@blp.route("/conformance", endpoint="conformance")
class Conformance(MethodView):
    @login_required()
    @blp.arguments(FormatQuerySchema, **QUERY)
    @blp.response(200, description="The conformance classes this API implements: core and geojson.")
    def get(self, _args):
        """The conformance declaration."""
        return documents.conformance()


@blp.route("/collections", endpoint="collections")
class Collections(MethodView):
    @login_required()
    @blp.arguments(FormatQuerySchema, **QUERY)
    @blp.response(200, description="The one feature collection, hazards, with the extent of what the caller sees.")
    def get(self, _args):
        """The feature collections."""
        return documents.collections(_root(), hazard_extent(session(), current_user()))


@blp.route("/collections/<collection_id>", endpoint="collection")
class Collection(MethodView):
    @login_required()
    @blp.arguments(FormatQuerySchema, **QUERY)
    @blp.response(200, description="The collection's description, extent and links.")
    @blp.alt_response(404, description="No such collection.")
    def get(self, _args, collection_id: str):
        """One feature collection (only ``hazards`` exists)."""
        _require_collection(collection_id)
        return documents.collection(_root(), hazard_extent(session(), current_user()))


@blp.route("/collections/<collection_id>/items", endpoint="items")
class Items(MethodView):
    @login_required()
    @blp.arguments(ItemsQuerySchema, **QUERY)
    @blp.response(200, description="A page of hazards as a GeoJSON FeatureCollection with numberMatched, "
                                   "numberReturned, timeStamp and next/prev links.", content_type=documents.GEOJSON)
    @blp.alt_response(400, description="An unknown or malformed query parameter.")
    @blp.alt_response(404, description="No such collection.")
    def get(self, args, collection_id: str):
        """Hazards as GeoJSON features, newest report first: bbox, datetime (on reported_at), limit (default 10,
        at most 10000), the property filters of GET /api/v1/hazards, and next/prev links to page through."""
        _require_collection(collection_id)
        today = local_today()
        page = items_page(session(), current_user(), args, today=today)
        return _geojson(documents.feature_collection(
            page, today, self_href=request.url, page_href=lambda offset: _page_href(offset, page.limit),
            root=_root(), now=now(),
        ))


@blp.route("/collections/<collection_id>/items/<feature_id>", endpoint="item")
class Item(MethodView):
    @login_required()
    @blp.arguments(FormatQuerySchema, **QUERY)
    @blp.response(200, description="One hazard as a GeoJSON Feature.", content_type=documents.GEOJSON)
    @blp.alt_response(404, description="No such hazard, or one the caller may not see.")
    def get(self, _args, collection_id: str, feature_id: str):
        """One hazard as a GeoJSON feature; 404 when it does not exist or the caller may not see it."""
        _require_collection(collection_id)
        hazard = hazards.get_hazard(session(), current_user(), _hazard_id(feature_id))
        return _geojson(documents.single_feature(hazard, local_today(), _root()))


def _require_collection(collection_id: str) -> None:
    if collection_id != documents.HAZARDS:
        abort(404, message=f"There is no collection {collection_id!r}; the only one is {documents.HAZARDS!r}.")


def _hazard_id(feature_id: str) -> uuid.UUID:
    # Feature ids are opaque to OGC clients: one that is not a UUID names no feature (404), it is not bad input.
    try:
        return uuid.UUID(feature_id)
    except ValueError:
        raise NotFound(f"There is no hazard {feature_id}.") from None


def _geojson(document: dict):
    response = jsonify(document)
    response.mimetype = documents.GEOJSON
    return response


def _root() -> str:
    return url_for("ogc.landing", _external=True)


def _url(endpoint: str) -> str | None:
    """An absolute URL of another part of the app, or None where the app is set up without it."""
    return url_for(endpoint, _external=True) if endpoint in current_app.view_functions else None


def _page_href(offset: int, limit: int) -> str:
    """This request's URL at another offset: every other parameter kept, so the filters carry over."""
    params = {name: value for name, value in request.args.items() if name not in ("offset", "limit")}
    params["limit"] = limit
    if offset:
        params["offset"] = offset
    # ",", ":" and "/" are legal in a query and keep bbox and datetime readable; "+" is still escaped.
    return f"{request.base_url}?{urlencode(params, safe=',:/')}"
