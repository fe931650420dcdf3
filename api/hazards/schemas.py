"""Wire format of hazards, their events, plans, extensions and workflow requests."""
import marshmallow as ma
from webargs.fields import DelimitedList

from api.clock import local_today
from api.schemas import (ID_RANGE, Coordinate, Instant, LatLonTogether, QuerySchema, StrictSchema, reported_after,
                         reported_before)
from inspections.closure_checks import PROBLEMS
from inspections.deadlines import provisional_reason
from inspections.enums import HazardStatus, LocationSource, Severity, values
from inspections.hazard_queries import is_overdue

LAT = ma.validate.Range(min=-90, max=90)
LON = ma.validate.Range(min=-180, max=180)
TEXT = ma.validate.Length(min=1, max=4000)


class HazardCreateSchema(StrictSchema, LatLonTogether):
    id = ma.fields.UUID(metadata={"description": "Client-made UUID; a retry with the same id and body returns the same hazard."})
    inspection_id = ma.fields.UUID(allow_none=True)
    enterprise_id = ma.fields.Integer(required=True, validate=ID_RANGE)
    category = ma.fields.String(required=True, metadata={"description": "A code from /categories, e.g. fire.exits."})
    severity = ma.fields.String(required=True, validate=ma.validate.OneOf(values(Severity)))
    description = ma.fields.String(required=True, validate=TEXT)
    basis = ma.fields.String(allow_none=True, validate=TEXT, metadata={"description": "判定依据: the rule broken."})
    lat = Coordinate(allow_none=True, validate=LAT, allow_nan=False)
    lon = Coordinate(allow_none=True, validate=LON, allow_nan=False)
    accuracy_m = ma.fields.Float(allow_none=True, validate=ma.validate.Range(min=0, max=100_000), allow_nan=False)
    location_source = ma.fields.String(validate=ma.validate.OneOf([LocationSource.DEVICE, LocationSource.MANUAL]),
                                       metadata={"description": "device (phone GPS, the default) or manual (placed on a map)."})
    deadline = ma.fields.Date(allow_none=True, metadata={
        "description": "Explicit deadline, from the day the hazard was found up to a year and a day later (a "
                       "non-working day moves to the next working day); default by severity in working days."})
    reported_at = Instant(allow_none=True, metadata={"description": (
        "When the hazard was found, by the phone's clock; send it with reports kept while offline. Used as the "
        "hazard's reported_at (deadline day, closure checks) when at most OFFLINE_REPORT_MAX_HOURS (72) old and "
        "at most CLOSURE_CLOCK_SKEW_MINUTES (10) ahead of the server; otherwise the server's time is used.")})


class EventSchema(ma.Schema):
    seq = ma.fields.Integer()
    action = ma.fields.String()
    from_status = ma.fields.String(allow_none=True)
    to_status = ma.fields.String(allow_none=True)
    actor_id = ma.fields.Integer(allow_none=True)
    actor_name = ma.fields.Function(lambda e: (e.actor.display_name or e.actor.username) if e.actor else "system")
    actor_role = ma.fields.String(allow_none=True)
    at = Instant()
    client_at = Instant(allow_none=True)
    comment = ma.fields.String(allow_none=True)
    evidence_ids = ma.fields.List(ma.fields.String())
    details = ma.fields.Dict()
    prev_hash = ma.fields.String()
    hash = ma.fields.String(metadata={"description": "This event's digest: HMAC-SHA256 under the audit key `key_id` "
                                                     "(format 2), or plain SHA-256 (format 1: written before keys)."})
    format = ma.fields.Integer(metadata={"description": "2: keyed (HMAC-SHA256); 1: written before keys (SHA-256)."})
    key_id = ma.fields.String(allow_none=True, metadata={"description": "The audit key's public id (format 2)."})


class PlanSchema(StrictSchema):
    objectives = ma.fields.String(required=True, validate=TEXT, metadata={"description": "目标和任务"})
    measures = ma.fields.String(required=True, validate=TEXT, metadata={"description": "方法和措施"})
    funds = ma.fields.String(required=True, validate=TEXT, metadata={"description": "经费和物资"})
    responsible = ma.fields.String(required=True, validate=TEXT, metadata={"description": "机构和人员"})
    timeline = ma.fields.String(required=True, validate=TEXT, metadata={"description": "时限和要求"})
    safety_measures = ma.fields.String(required=True, validate=TEXT, metadata={"description": "安全措施和应急预案"})


class PlanOutSchema(PlanSchema):
    class Meta:
        unknown = ma.EXCLUDE

    updated_by = ma.fields.Integer()
    updated_at = Instant()


def _provisional(years_of):
    """The pair of fields that says a deadline was counted without a year's holiday notice, and why."""
    return (
        ma.fields.Function(lambda obj: bool(years_of(obj)), metadata={"type": "boolean", "description": (
            "The deadline is provisional: it was counted through a year whose State Council holiday notice is not "
            "entered (the statutory holidays and weekends only, no make-up working days). An admin decides "
            "whether it moves once the notice is entered.")}),
        ma.fields.Function(lambda obj: provisional_reason(years_of(obj)), metadata={
            "type": "string", "nullable": True, "description": "Why the deadline is provisional (which year's "
                                                               "notice is missing); null when it is not."}),
    )


class ExtensionSchema(ma.Schema):
    id = ma.fields.Integer()
    status = ma.fields.String()
    previous_deadline = ma.fields.Date()
    new_deadline = ma.fields.Date(metadata={"description": "The first working day on or after the date asked for."})
    requested_deadline = ma.fields.Date(allow_none=True, metadata={"description": "The date asked for."})
    provisional, provisional_reason = _provisional(lambda e: e.assumed_years)
    reason = ma.fields.String()
    requested_by = ma.fields.Integer()
    requested_at = Instant()
    decided_by = ma.fields.Integer(allow_none=True)
    decided_at = Instant(allow_none=True)
    decision_comment = ma.fields.String(allow_none=True)


class CheckSummarySchema(ma.Schema):
    """The closure checks of the latest rectification, summed up (the detail's `closure_checks` has every photo's)."""

    rectification_id = ma.fields.Integer(metadata={"description": "The submission the checks are of."})
    submitted_at = Instant(metadata={
        "description": "When it was submitted (or rectified on the spot)."})
    photos = ma.fields.Integer(metadata={"description": "How many rectification photos were checked."})
    passed = ma.fields.Boolean(allow_none=True, metadata={
        "description": "No check blocks closure (see CLOSURE_BLOCKING)."})
    clean = ma.fields.Boolean(allow_none=True, metadata={
        "description": "No check failed at all: approving needs no comment."})
    blocking = ma.fields.List(ma.fields.String(metadata={"enum": list(PROBLEMS)}), metadata={
        "description": "Problems of any photo that block closure, worst first."})
    warnings = ma.fields.List(ma.fields.String(metadata={"enum": list(PROBLEMS)}), metadata={
        "description": "Problems of any photo that only warn, worst first: approving despite them needs a comment."})
    distance_m = ma.fields.Float(allow_none=True, metadata={
        "description": "The farthest located photo's distance from the hazard, in metres; null when none is located."})
    within_radius = ma.fields.Boolean(allow_none=True, metadata={
        "description": "Every photo within the radius; false if any is outside, null if any could not be located."})
    taken_after_report = ma.fields.Boolean(allow_none=True, metadata={
        "description": "Every photo taken after the report; false if any before, null if any has no capture time."})
    same_as_evidence = ma.fields.Boolean(metadata={
        "description": "Some photo is the same or nearly the same picture as an evidence photo."})


class HazardSchema(ma.Schema):
    id = ma.fields.UUID()
    inspection_id = ma.fields.UUID(allow_none=True, metadata={
        "description": "The inspection it was found in; null when there was none or the caller may not see it (an "
                       "enterprise officer is never shown a covert inspection, 暗访, as GET /inspections/{id} is not)."})
    enterprise_id = ma.fields.Integer()
    enterprise_name = ma.fields.Function(lambda h: h.enterprise.name)
    category = ma.fields.String(attribute="category_code")
    severity = ma.fields.String(metadata={"enum": values(Severity)})
    description = ma.fields.String()
    basis = ma.fields.String(allow_none=True)
    lat = Coordinate(allow_none=True)
    lon = Coordinate(allow_none=True)
    accuracy_m = ma.fields.Float(allow_none=True)
    location_source = ma.fields.String(allow_none=True, metadata={"enum": values(LocationSource)})
    area_code = ma.fields.String(allow_none=True)
    status = ma.fields.String(metadata={"enum": values(HazardStatus)})
    reported_by = ma.fields.Integer()
    reported_at = Instant()
    deadline = ma.fields.Date()
    original_deadline = ma.fields.Date()
    deadline_requested = ma.fields.Date(
        allow_none=True, metadata={"description": "The date asked for when it fell on a non-working day and was moved."}
    )
    provisional, provisional_reason = _provisional(lambda h: h.deadline_assumed_years)
    deadline_counted_from = ma.fields.Date(allow_none=True, metadata={"description": (
        "What the deadline in force was counted from: the local day the hazard was found (the deadline is the "
        "`deadline_working_days`-th working day after it) or the date asked for (the deadline is the first working "
        "day on or after it; `deadline_working_days` null). Null for hazards recorded before it was kept.")})
    deadline_working_days = ma.fields.Integer(allow_none=True, metadata={
        "description": "The working days counted after `deadline_counted_from`; null for a date asked for."})
    overdue = ma.fields.Function(lambda h: is_overdue(h, local_today()), metadata={"type": "boolean"})
    rejection_count = ma.fields.Integer()
    recurrence_of = ma.fields.UUID(allow_none=True, metadata={"description": "The closed hazard this one repeats."})
    closed_at = Instant(allow_none=True)
    voided_at = Instant(allow_none=True)
    updated_at = Instant()
    closure_summary = ma.fields.Nested(CheckSummarySchema, allow_none=True, metadata={
        "description": "The closure checks of the latest rectification at a glance (the detail's `closure_checks` "
                       "has each photo's); null when no rectification was submitted. Still shown after a rejection, "
                       "until the next submission replaces it."})


class HazardDetailSchema(HazardSchema):
    plan = ma.fields.Nested(PlanOutSchema, allow_none=True)
    extensions = ma.fields.List(ma.fields.Nested(ExtensionSchema))
    photos = ma.fields.List(ma.fields.Dict(), metadata={"description": (
        "The first 50 photos, oldest first, with time-limited links (the first page of GET /hazards/{id}/photos, "
        "which pages through all of them).")})
    photos_total = ma.fields.Integer(metadata={"description": "How many photos the hazard has in all."})
    rectifications = ma.fields.List(ma.fields.Dict(), metadata={"description": "Each submission with its photo checks."})
    closure_checks = ma.fields.Dict(allow_none=True, metadata={"description": "The checks of the latest submission."})
    actions = ma.fields.List(ma.fields.String(), metadata={"description": "What the caller may do next."})


class HazardQuerySchema(QuerySchema):
    status = DelimitedList(ma.fields.String(validate=ma.validate.OneOf(values(HazardStatus))))
    severity = ma.fields.String(validate=ma.validate.OneOf(values(Severity)))
    category = ma.fields.String()
    enterprise_id = ma.fields.Integer(validate=ID_RANGE)
    area_code = ma.fields.String()
    overdue = ma.fields.Boolean()
    bbox = DelimitedList(ma.fields.Float(allow_nan=False), metadata={"description": "minLon,minLat,maxLon,maxLat"})
    created_after = reported_after()
    created_before = reported_before()
    recurrence = ma.fields.Boolean(metadata={"description": "true: only hazards repeating one closed within RECURRENCE_DAYS."})

    @ma.validates("bbox")
    def _four_numbers(self, value, **_):
        if len(value) != 4:
            raise ma.ValidationError("Give bbox as minLon,minLat,maxLon,maxLat.")
        min_lon, min_lat, max_lon, max_lat = value
        if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
            raise ma.ValidationError("bbox corners must be in range and min before max.")


class _Transition(StrictSchema):
    client_time = Instant(allow_none=True, metadata={"description": "When the phone did it."})


class AcknowledgeSchema(_Transition):
    comment = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=4000))


class RectificationSchema(_Transition):
    measures = ma.fields.String(required=True, validate=TEXT)
    photo_ids = ma.fields.List(ma.fields.UUID(), required=True, validate=ma.validate.Length(min=1, max=20))


class ReviewSchema(_Transition):
    decision = ma.fields.String(required=True, validate=ma.validate.OneOf(["approve", "reject"]))
    comment = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=4000))


class VoidSchema(_Transition):
    reason = ma.fields.String(required=True, validate=TEXT)


class ExtensionRequestSchema(_Transition):
    new_deadline = ma.fields.Date(required=True, metadata={
        "description": "After the current deadline, and at most a year and a day from today."})
    reason = ma.fields.String(required=True, validate=TEXT)


class ExtensionDecisionSchema(_Transition):
    approve = ma.fields.Boolean(required=True)
    comment = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=4000))
