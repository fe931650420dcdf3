"""Where a person or a program lands first: ``/`` (a small page), ``/api/v1/`` (the API's index) and the favicon.

Every address the start-up banner of ``./scripts/run`` prints answers something useful, and these two lead on to
the rest: the API documentation, the map page, the OGC API for GIS tools and the probes.
"""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint as FlaskBlueprint
from flask import render_template, request, send_from_directory
from flask.views import MethodView

from api.parsing import Blueprint

STATIC = Path(__file__).resolve().parent / "static"

# The places worth knowing, in the order a newcomer needs them: (key, path, title).
PLACES = (
    ("docs", "/api/v1/docs", "API documentation (Swagger UI)"),
    ("openapi", "/api/v1/openapi.json", "The OpenAPI 3 document"),
    ("sign_in", "/api/v1/auth/token", "Sign in: POST {username, password} for a bearer token"),
    ("map", "/map", "The district map (区域隐患分布图)"),
    ("ogc", "/ogc", "OGC API – Features for QGIS, GDAL and OWSLib (with the bearer token)"),
    ("health", "/healthz", "Liveness probe"),
    ("ready", "/readyz", "Readiness probe: the database and the object store"),
)

pages = FlaskBlueprint("home", __name__, template_folder="templates")
blp = Blueprint("index", __name__, description="The API's index: where to go next.")


def _absolute(path: str) -> str:
    return request.host_url.rstrip("/") + path


@pages.get("/")
def landing_page():
    """A small page for a browser: what this is and where to go (no token needed)."""
    return render_template("home/index.html", places=PLACES)


@pages.get("/favicon.ico")
def favicon():
    return send_from_directory(STATIC, "favicon.ico", mimetype="image/vnd.microsoft.icon", max_age=7 * 24 * 3600)


@blp.route("/", strict_slashes=False)
class Index(MethodView):
    @blp.doc(security=[])
    def get(self):
        """The API's index: its title and version, and links to the documentation, sign-in, the map page, the
        OGC API and the probes (absolute URLs). Needs no token."""
        return {
            "title": "Work-safety hazard supervision API (隐患排查治理)",
            "version": "v1",
            "links": {key: {"href": _absolute(path), "title": title} for key, path, title in PLACES},
        }
