"""The workflow steps of a hazard. Each returns the hazard as it now is; illegal steps answer 409."""
import uuid

from flask.views import MethodView

from api.auth import current_user, login_required
from api.clock import local_tz, now
from api.db import session
from api.hazards.detail import hazard_detail
from api.hazards.routes import blp
from api.policy import closure_policy
from api.hazards.schemas import (
    AcknowledgeSchema, ExtensionDecisionSchema, ExtensionRequestSchema, ExtensionSchema, HazardDetailSchema,
    PlanOutSchema, PlanSchema, RectificationSchema, ReviewSchema, VoidSchema,
)
from inspections import extensions, plans, transitions
from inspections.calendar_store import load_calendar


@blp.route("/<uuid:hazard_id>/acknowledge")
class Acknowledge(MethodView):
    @login_required()
    @blp.arguments(AcknowledgeSchema)
    @blp.response(200, HazardDetailSchema)
    @blp.alt_response(409, description="The hazard is not open.")
    def post(self, body, hazard_id: uuid.UUID):
        """The enterprise's officer acknowledges the hazard (签收): open → acknowledged."""
        hazard = transitions.acknowledge(session(), current_user(), hazard_id, now=now(),
                                         comment=body.get("comment"), client_at=body.get("client_time"))
        return hazard_detail(hazard)


@blp.route("/<uuid:hazard_id>/rectification")
class Rectification(MethodView):
    @login_required()
    @blp.arguments(RectificationSchema)
    @blp.response(200, HazardDetailSchema)
    @blp.alt_response(409, description="The hazard is not acknowledged.")
    def post(self, body, hazard_id: uuid.UUID):
        """The officer submits the rectification with rectification photos uploaded to this hazard:
        acknowledged → submitted. A major hazard needs its remediation plan first.

        Each photo is checked: `distance_m` from the hazard and `within_radius`, `taken_after_report`
        (within a clock skew), `same_as_evidence` (the same or nearly the same picture as an evidence photo;
        also flagged when the picture already closed another hazard). Checks the policy (`CLOSURE_BLOCKING`,
        by default an exact re-use) blocks answer 422; the others are recorded as warnings for the
        re-inspector, under `rectifications[].checks` and `closure_checks`."""
        hazard = transitions.submit_rectification(
            session(), current_user(), hazard_id, now=now(), measures=body["measures"],
            photo_ids=body["photo_ids"], client_at=body.get("client_time"), policy=closure_policy(),
        )
        return hazard_detail(hazard)


@blp.route("/<uuid:hazard_id>/review")
class Review(MethodView):
    @login_required()
    @blp.arguments(ReviewSchema)
    @blp.response(200, HazardDetailSchema)
    @blp.alt_response(409, description="Nothing to review in this state.")
    def post(self, body, hazard_id: uuid.UUID):
        """Re-inspection by the area's inspector or a reviewer: approve closes (a major hazard only by a
        reviewer); reject sends it back to acknowledged with the reason. Approving an open general hazard
        that has rectification photos closes it as rectified on the spot.

        Approving despite failed checks (the submission's warnings, or those of rectification photos the
        re-inspector added since) needs a `comment`, which the audit trail keeps."""
        hazard = transitions.review(
            session(), current_user(), hazard_id, now=now(), approve=body["decision"] == "approve",
            comment=body.get("comment"), client_at=body.get("client_time"), policy=closure_policy(),
        )
        return hazard_detail(hazard)


@blp.route("/<uuid:hazard_id>/void")
class Void(MethodView):
    @login_required()
    @blp.arguments(VoidSchema)
    @blp.response(200, HazardDetailSchema)
    def post(self, body, hazard_id: uuid.UUID):
        """An admin voids a hazard recorded in error, from any state but closed."""
        hazard = transitions.void(session(), current_user(), hazard_id, now=now(), reason=body["reason"],
                                  client_at=body.get("client_time"))
        return hazard_detail(hazard)


@blp.route("/<uuid:hazard_id>/plan")
class Plan(MethodView):
    @login_required()
    @blp.arguments(PlanSchema)
    @blp.response(200, PlanOutSchema)
    def put(self, body, hazard_id: uuid.UUID):
        """The officer records the remediation plan (治理方案) of a major hazard; editable until submitted."""
        return plans.record_plan(session(), current_user(), hazard_id, body, now=now())


@blp.route("/<uuid:hazard_id>/extensions")
class Extensions(MethodView):
    @login_required()
    @blp.arguments(ExtensionRequestSchema)
    @blp.response(201, ExtensionSchema)
    def post(self, body, hazard_id: uuid.UUID):
        """The officer asks, before the deadline, for a later one (延期), with the reason."""
        return extensions.request_extension(
            session(), current_user(), hazard_id, new_deadline=body["new_deadline"], reason=body["reason"],
            now=now(), tz=local_tz(), calendar=load_calendar(session()),
        )


@blp.route("/<uuid:hazard_id>/extensions/<id:extension_id>/decision")
class ExtensionDecision(MethodView):
    @login_required()
    @blp.arguments(ExtensionDecisionSchema)
    @blp.response(200, ExtensionSchema)
    def post(self, body, hazard_id: uuid.UUID, extension_id: int):
        """A reviewer approves (the hazard takes the new deadline; the original stays on record) or refuses."""
        return extensions.decide_extension(
            session(), current_user(), hazard_id, extension_id, approve=body["approve"],
            comment=body.get("comment"), now=now(),
        )
