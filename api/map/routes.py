"""The district map's data: hazards as GeoJSON points or clusters, and the areas with their counts."""
import hashlib
import hmac
import uuid

from flask import current_app, jsonify, redirect, url_for
from flask.views import MethodView

from api.auth import current_user, login_required
from api.clock import local_today, local_tz, now
from api.db import session
from api.hazards.routes import filters_from
from api.map.schemas import (
    GEOJSON, FeatureCollectionSchema, HazardCollectionSchema, MapAreasQuerySchema, MapHazardsQuerySchema,
    ThumbnailLinkSchema, area_collection, hazard_collection,
)
from api.parsing import Blueprint
from api.photos.present import LINK_SECONDS, thumbnail_url
from inspections import map_queries
from inspections.errors import NotFound

# Named apart from the HTML page's blueprint, which is served at /map itself.
blp = Blueprint("map_api", __name__, url_prefix="/map",
                description="District review on the map: clustered hazards and area counts, as GeoJSON.")


def _geojson(body: dict):
    response = jsonify(body)
    response.mimetype = GEOJSON
    return response


class ThumbnailLinks:
    """Signed links to the thumbnails on the map, made in microseconds (a presigned object-store link costs about
    0.2 ms, and a map answer may hold 2,000). Valid ``LINK_SECONDS`` like a presigned link, and the same for a
    minute, so browsers cache the pictures while a map is panned."""

    def __init__(self, secret: str):
        self._key = hmac.new(secret.encode(), b"map thumbnail links", hashlib.sha256).digest()

    def signature(self, photo_id: uuid.UUID, expires: int) -> str:
        # BLAKE2b with a key is a MAC in one call, several times quicker than HMAC-SHA-256 in Python.
        return hashlib.blake2b(f"{photo_id}:{expires}".encode(), key=self._key, digest_size=16).hexdigest()

    def maker(self, at_seconds: float):
        expires = (int(at_seconds) // 60 + 1) * 60 + LINK_SECONDS
        base = url_for("map_api.MapThumbnail", photo_id=uuid.UUID(int=0), _external=True).rsplit("/", 1)[0]
        return lambda photo_id: f"{base}/{photo_id}?expires={expires}&signature={self.signature(photo_id, expires)}"

    def valid(self, photo_id: uuid.UUID, expires: int, signature: str, at_seconds: float) -> bool:
        return at_seconds <= expires and hmac.compare_digest(self.signature(photo_id, expires), signature)


def _links() -> ThumbnailLinks:
    return ThumbnailLinks(current_app.config["SECRET_KEY"])


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
        overdue, deadline, enterprise_id, enterprise_name, thumbnail_url` (a signed 15-minute link to the
        first evidence photo's thumbnail, which redirects to the object store; null without a photo).

        **Clusters** (`clustered: true`) otherwise: the hazards are counted by the database in the cells of a
        web-mercator grid, squares of 64 screen pixels at the whole zoom `cell_zoom` (the same grid for every
        box, so clusters stay put when the map pans). Each cell with hazards is a Point at their mean position
        with properties `cluster: true, count, by_status {open, acknowledged, submitted, closed, void},
        overdue, cell_bbox`. The counts are exact and add up to `total`, the hazards in the box. For callers
        who see the whole district, filtering at most by status and overdue, they come from counts kept per
        cell (milliseconds at any zoom); otherwise they are counted from the hazards.

        Never more than 2,000 features: a box with more hazards than that at zoom 16 or above is clustered,
        and the cells grow (a zoom coarser at a time) until the box holds at most 2,000 of them.
        """
        result = map_queries.hazard_map(session(), current_user(), filters_from(args), zoom=args.get("zoom"),
                                        today=local_today())
        return _geojson(hazard_collection(result, _links().maker(now().timestamp())))


@blp.route("/thumbnails/<uuid:photo_id>")
class MapThumbnail(MethodView):
    @blp.arguments(ThumbnailLinkSchema, location="query")
    @blp.response(302, description="To the thumbnail in the object store (a presigned link).")
    @blp.alt_response(404, description="No such photo, or the link is expired or altered.")
    def get(self, args, photo_id: uuid.UUID):
        """A map feature's `thumbnail_url`: redirects to the photo's thumbnail in the object store.

        No token: the signed link is the permission (an `<img>` cannot send one), exactly as a presigned link
        would be, and expires after 15 minutes like one.
        """
        if not _links().valid(photo_id, args["expires"], args["signature"], now().timestamp()):
            raise NotFound("This thumbnail link is not valid (expired or altered); reload the map.")
        key = map_queries.thumbnail_key(session(), photo_id)
        if key is None:
            raise NotFound(f"There is no photo {photo_id}.")
        return redirect(thumbnail_url(current_app.extensions["object_store"], key, photo_id), 302)


@blp.route("/areas")
class MapAreas(MethodView):
    @login_required()
    @blp.arguments(MapAreasQuerySchema, location="query")
    @blp.response(200, FeatureCollectionSchema, content_type=GEOJSON)
    def get(self, args):
        """Area polygons with their hazard counts, as GeoJSON for a choropleth.

        `level`: street (default), community, grid or district; only areas with a boundary.
        Properties: `code, name, level, parent_code, total, open` (every active
        state: open, acknowledged, submitted), `overdue` (active and past the deadline in force), `due` (closed,
        or still active past the original deadline), `closed, closed_on_time` (closed on or before the original
        deadline, by the local date of closing), `rectification_rate` (closed / total), `overdue_rate` (overdue /
        total) and `on_time_rate` (closed_on_time / due), each null when its denominator is 0: the statistics'
        counts and rates (`GET /stats`), over the hazards found in the `created_after`/`created_before` period.

        A hazard counts in its area and every area above it (a street counts its communities' hazards).
        Only the hazards the caller may see are counted (an officer: their enterprise's); inspectors get the
        areas within their own. Void hazards are not counted. Filters: severity, category, enterprise_id,
        created_after, created_before.
        """
        rows = map_queries.area_counts(session(), current_user(), filters_from(args), level=args["level"],
                                       now=now(), tz=local_tz())
        return _geojson(area_collection(rows, args["level"]))
