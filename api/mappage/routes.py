"""``GET /map``: the district map page, served without a token (the data behind it needs one)."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, current_app, render_template

from api.clock import local_tz, now

blp = Blueprint(
    "mappage", __name__, template_folder="templates", static_folder="static", static_url_path="/map/static",
)

# Scripts and data only from this server; images (base tiles, photo thumbnails from the object store)
# from wherever the operator points them, since tile templates may carry {s} in the host name.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob: http: https:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def page_config() -> dict:
    """What the page needs to know about this deployment (nothing secret: it is sent unauthenticated)."""
    config = current_app.config
    tiles = config["MAP_TILE_URL"]
    tiles = tiles.split() if isinstance(tiles, str) else list(tiles)
    lat, lon = config["MAP_CENTER"]
    return {
        "api": "/api/v1",
        "tiles": [] if tiles == ["none"] else tiles,
        "subdomains": config["MAP_TILE_SUBDOMAINS"],
        "attribution": config["MAP_TILE_ATTRIBUTION"],
        "crs": config["MAP_TILE_CRS"],
        "center": [lat, lon],
        "zoom": config["MAP_ZOOM"],
        "timezone": config["TIMEZONE"],
        # Date filters are whole local days; the page turns them into instants with this offset.
        "utc_offset": _utc_offset(now().astimezone(local_tz())),
    }


def _utc_offset(moment: datetime) -> str:
    raw = moment.strftime("%z")  # e.g. +0800
    return f"{raw[:3]}:{raw[3:]}"


@blp.route("/map")
def map_page():
    """The map page: sign-in, filters, hazards and clusters, the area choropleth."""
    response = current_app.make_response(render_template("mappage/map.html", page_config=page_config()))
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-cache"
    return response
