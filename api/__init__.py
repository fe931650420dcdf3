"""The application factory: config → database → object store → API and blueprints → CLI → errors."""
from __future__ import annotations

import logging
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask
from flask_smorest import Api
from werkzeug.middleware.proxy_fix import ProxyFix

from api import config as config_module
from api import db, errors, limiter, response_headers
from api.calendar_warning import warn_at_start
from api.clock import system_clock
from api.accounts.routes import blp as accounts_blp
from api.areas.routes import blp as areas_blp
from api.enterprises.routes import blp as enterprises_blp
from api.exports.routes import blp as exports_blp
from api.catalog.routes import blp as catalog_blp
from api.converters import IdConverter, IsoDateConverter
from api.hazards import workflow_routes  # noqa: F401  (adds the workflow steps to the hazards blueprint)
from api.hazards.routes import blp as hazards_blp
from api.health.routes import blp as health_blp
from api.home.routes import blp as index_blp
from api.home.routes import pages as home_pages
from api.map.routes import blp as map_api_blp
from api.mappage.routes import blp as map_page_blp
from api.ogc.routes import blp as ogc_blp
from api.parsing import JSONProvider
from api.photos.routes import blp as photos_blp
from api.stats.routes import blp as stats_blp
from api.users.routes import blp as users_blp
from api.visits.routes import blp as visits_blp
from inspections.audit.keys import AuditKeys
from media.decode_gate import MB, DecodeGate
from media.storage import ObjectStore

API_PREFIX = "/api/v1"
API_BLUEPRINTS = [accounts_blp, users_blp, areas_blp, enterprises_blp, catalog_blp, visits_blp, hazards_blp, photos_blp, map_api_blp, exports_blp, stats_blp]
log = logging.getLogger(__name__)

OPENAPI_SETTINGS = {
    "API_TITLE": "Work-safety hazard supervision API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": API_PREFIX,
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    # Served from our own static folder: district intranets have no internet.
    "OPENAPI_SWAGGER_UI_URL": "/static/vendor/swagger-ui/",
    "OPENAPI_SWAGGER_UI_CONFIG": {"validatorUrl": None, "persistAuthorization": True},
    "API_SPEC_OPTIONS": {
        "info": {"description": "Hazard reporting, rectification and district review (隐患排查治理)."},
        "security": [{"bearerAuth": []}],
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
    },
}


def create_app(config: dict | None = None) -> Flask:
    """Build the app from the environment, with ``config`` overriding it (tests pass their own)."""
    app = Flask(__name__, instance_path=str(config_module.INSTANCE_DIR), instance_relative_config=False)
    app.config.update(OPENAPI_SETTINGS)
    app.config.update(config_module.from_env())
    app.config.update(config or {})
    app.config.update(config_module.refuse_published_secrets(app.config))
    # The audit key ring is checked with the other secrets, before anything connects; every session carries it.
    app.extensions["audit_keys"] = AuditKeys.from_strings(*config_module.audit_keys(app.config))
    if app.config["HAZARDS_ENV"] == "development":
        log.warning("HAZARDS_ENV=development: the published development secrets are accepted; never expose this "
                    "instance.")
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_CONTENT_LENGTH"] or app.config["PHOTO_MAX_BYTES"] + 2**20  # + form
    app.json = JSONProvider(app)
    app.json.ensure_ascii = False  # Chinese names stay readable in responses
    # Field errors of list items are keyed by index (int) beside names (str); sorting them would fail.
    app.json.sort_keys = False
    if app.config["PROXY_HOPS"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_HOPS"], x_proto=app.config["PROXY_HOPS"])

    app.extensions["clock"] = system_clock
    app.extensions["timezone"] = _timezone(app.config["TIMEZONE"])
    db.init_app(app)
    app.extensions["object_store"] = _object_store(app.config)
    # One per process: its threads share the memory it may spend on decoding photos.
    app.extensions["decode_gate"] = DecodeGate(app.config["PHOTO_DECODE_MEMORY_MB"] * MB,
                                               app.config["PHOTO_DECODE_WAIT_SECONDS"])
    limiter.init_app(app)

    app.url_map.converters["isodate"] = IsoDateConverter
    app.url_map.converters["id"] = IdConverter
    api = Api(app)
    api.register_converter(IsoDateConverter, lambda _converter: {"type": "string", "format": "date"})
    for blueprint in API_BLUEPRINTS:
        api.register_blueprint(blueprint, url_prefix=API_PREFIX + (blueprint.url_prefix or ""))
    api.register_blueprint(index_blp, url_prefix=API_PREFIX)  # /api/v1/: the API's index
    api.register_blueprint(health_blp)
    api.register_blueprint(ogc_blp)  # at /ogc, outside /api/v1: the contract gives GIS clients that root
    app.register_blueprint(map_page_blp)  # the /map page: HTML, not part of the OpenAPI document
    app.register_blueprint(home_pages)  # / and /favicon.ico: for browsers, not part of the OpenAPI document

    from api.cli import register as register_cli

    register_cli(app)
    errors.register(app)
    warn_at_start(app)  # a year's holiday notice missing: said once, at start-up and before each flask command
    response_headers.register(app)
    return app


def _timezone(name: str):
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SystemExit(f"Configuration error: TIMEZONE={name!r} is not a known time zone (e.g. Asia/Shanghai).")


def _object_store(config: dict) -> ObjectStore:
    store = ObjectStore(
        config["S3_ENDPOINT_URL"], config["S3_BUCKET"], config["S3_ACCESS_KEY_ID"], config["S3_SECRET_ACCESS_KEY"],
        config["S3_REGION"], public_endpoint_url=config["S3_PUBLIC_ENDPOINT_URL"],
    )
    return store
