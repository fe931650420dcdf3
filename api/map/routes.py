"""The district map's data: hazards as GeoJSON points or clusters, and the areas with their counts."""
from flask import current_app, jsonify
from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import current_user, login_required
from api.clock import local_today, local_tz, now
from api.db import session
from api.hazards.routes import filters_from
from api.map.schemas import (
    GEOJSON, FeatureCollectionSchema, HazardCollectionSchema, MapAreasQuerySchema, MapHazardsQuerySchema,
    area_collection, hazard_collection,
)
from api.photos.present import LINK_SECONDS
from inspections import map_queries

# Named apart from the HTML page's blueprint, which is served at /map itself.
blp = Blueprint("map_api", __name__, url_prefix="/map",
                description="District review on the map: clustered hazards and area counts, as GeoJSON.")


def _geojson(body: dict):
    response = jsonify(body)
    response.mimetype = GEOJSON
    return response


@blp.route("/hazards")
class MapHazards(MethodView):
    @login_required()
    @blp.arguments(MapHazardsQuerySchema, location="query")
    @blp.response(200, HazardCollectionSchema, content_type=GEOJSON)
    def get(self, args):
        """Hazards in a box as a GeoJSON FeatureCollection: single hazards zoomed in, clusters zoomed out.

        Takes every filter of `GET /hazards` (status, severity, category, enterprise_id, area_code, overdue,
        created_after, created_before, …) with the same meaning, and shows only what the caller may see.
        `bbox` is `minLon,minLat,maxLon,maxLat` (default: the whole world); positions are WGS-84 `[lon, lat]`.
        Hazards without a location are not on the map.

        **Points** (`clustered: false`) from zoom 16 on, and at any zoom when the box holds at most 250
        hazards: one Feature per hazard, `id` the hazard's, with properties `id, status, severity, category,
        overdue, deadline, enterprise_id, enterprise_name, thumbnail_url` (a 15-minute link to the first
        evidence photo's thumbnail, or null).

        **Clusters** (`clustered: true`) otherwise: the hazards are counted by the database in a fixed grid of
        cells 64 screen pixels wide at this zoom (anchored at -180/-90, so clusters stay put when the map
        pans). Each cell with hazards is a Point at their mean position with properties `cluster: true,
        count, by_status {open, acknowledged, submitted, closed, void}, overdue, cell_bbox`. The counts add up
        to `total`, the hazards in the box.

        Never more than 2,000 features: a box with more hazards than that at zoom 16 or above is clustered,
        and cells grow (doubling) until the box holds at most 2,000 of them.
        """
        result = map_queries.hazard_map(session(), current_user(), filters_from(args), zoom=args.get("zoom"),
                                        today=local_today())
        store = current_app.extensions["object_store"]
        return _geojson(hazard_collection(result, lambda key: store.presigned_get_url(key, LINK_SECONDS)))


@blp.route("/areas")
class MapAreas(MethodView):
    @login_required()
    @blp.arguments(MapAreasQuerySchema, location="query")
    @blp.response(200, FeatureCollectionSchema, content_type=GEOJSON)
    def get(self, args):
        """The areas of one level (street by default; community, grid or district) with their hazard counts,
        as GeoJSON polygons for a choropleth.

        Only areas with a boundary. Properties: `code, name, level, parent_code, total, open` (every active
        state: open, acknowledged, submitted), `overdue` (active and past the deadline in force), `closed,
        closed_on_time` (closed on or before the original deadline, by the local date of closing, as the
        statistics count it), `rectification_rate` (closed / total), `overdue_rate` (overdue / total) and
        `on_time_rate` (closed_on_time / closed), each null when its denominator is 0.

        A hazard counts in its area and every area above it (a street counts its communities' hazards).
        Only the hazards the caller may see are counted (an officer: their enterprise's); inspectors get the
        areas within their own. Void hazards are not counted. Filters: severity, category, enterprise_id,
        created_after, created_before.
        """
        rows = map_queries.area_counts(session(), current_user(), filters_from(args), level=args["level"],
                                       now=now(), tz=local_tz())
        return _geojson(area_collection(rows, args["level"]))
