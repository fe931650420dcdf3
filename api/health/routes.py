"""Probes for load balancers and orchestrators."""
from flask import current_app
from flask.views import MethodView

from api.db import session
from api.errors import error_response
from api.limiter import counters
from api.parsing import Blueprint
from inspections.db import ping

blp = Blueprint("health", __name__, description="Liveness and readiness probes.")


@blp.route("/healthz")
class Health(MethodView):
    @blp.doc(security=[])
    def get(self):
        """The process is up (it checks nothing else)."""
        return {"status": "ok"}


@blp.route("/readyz")
class Ready(MethodView):
    @blp.doc(security=[])
    @blp.alt_response(503, description="The database, the object store or the store of the sign-in counters is not "
                                       "reachable; `checks` names which.")
    def get(self):
        """Ready to serve: the database answers, the object store's bucket is reachable and so is the store of the
        sign-in counters (`rate_limit_storage`: the database, or Redis when `RATELIMIT_STORAGE_URI` names it)."""
        checks = {"database": _check(lambda: ping(session())),
                  "object_store": _check(current_app.extensions["object_store"].ping),
                  "rate_limit_storage": _check(lambda: counters().ping())}
        if all(value == "ok" for value in checks.values()):
            return {"status": "ok", "checks": checks}
        failing = ", ".join(name for name, value in checks.items() if value != "ok")
        return error_response(503, f"Not ready: {failing}.", headers={"Retry-After": "10"}, checks=checks)


def _check(probe) -> str:
    try:
        probe()
        return "ok"
    except Exception as error:  # a probe reports every failure rather than raising it
        return f"unavailable: {type(error).__name__}"
