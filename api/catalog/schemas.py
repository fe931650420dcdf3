import marshmallow as ma

from api.schemas import QuerySchema, StrictSchema


class CategorySchema(ma.Schema):
    code = ma.fields.String()
    name = ma.fields.String()
    parent_code = ma.fields.String(allow_none=True)
    active = ma.fields.Boolean()
    radius_m = ma.fields.Integer(allow_none=True, metadata={"description": "Rectification photo radius; default 100 m."})


class CategoryCreateSchema(StrictSchema):
    code = ma.fields.String(required=True, validate=ma.validate.Regexp(r"^[a-z0-9_]+(\.[a-z0-9_]+)?$"))
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=100))
    parent_code = ma.fields.String(allow_none=True)
    radius_m = ma.fields.Integer(allow_none=True, validate=ma.validate.Range(min=5, max=5000))


class CategoryUpdateSchema(StrictSchema):
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=100))
    active = ma.fields.Boolean()
    radius_m = ma.fields.Integer(allow_none=True, validate=ma.validate.Range(min=5, max=5000))


class CategoryQuerySchema(QuerySchema):
    include_inactive = ma.fields.Boolean(load_default=False)


class CampaignSchema(StrictSchema):
    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    theme = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=500))
    starts_on = ma.fields.Date(required=True)
    ends_on = ma.fields.Date(required=True)


class WorkdayOverrideSchema(StrictSchema):
    day = ma.fields.Date(required=True)
    is_workday = ma.fields.Boolean(required=True)
    note = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=200))


class WorkdayOverridesSchema(StrictSchema):
    days = ma.fields.List(ma.fields.Nested(WorkdayOverrideSchema), required=True,
                          validate=ma.validate.Length(min=1, max=400))


class WorkdayQuerySchema(QuerySchema):
    year = ma.fields.Integer(validate=ma.validate.Range(min=2000, max=2100))


class CalendarStatusSchema(ma.Schema):
    package_version = ma.fields.String(metadata={"description": "The chinese-calendar package's version."})
    years_known = ma.fields.List(ma.fields.Integer(), metadata={
        "description": "Years whose State Council holiday notice the package has (2004–2026 in 1.11.0)."})
    years_entered = ma.fields.List(ma.fields.Integer(), metadata={
        "description": "Years the package does not know for which admins entered days (their notice)."})
    years_assumed = ma.fields.List(ma.fields.Integer(), metadata={
        "description": "Years a deadline can reach now (this year to a year and a day ahead, and those of running "
                       "provisional deadlines) that are neither known nor entered: they count the statutory "
                       "holidays and weekends only, and deadlines through them are provisional."})
    provisional_deadlines = ma.fields.Integer(metadata={
        "description": "Hazards still running whose deadline is provisional."})
    changes_waiting = ma.fields.Integer(metadata={
        "description": "Of those, how many the calendar as now entered would change (see "
                       "`GET /calendar/provisional-changes`)."})
    unrecorded_deadlines = ma.fields.Integer(metadata={
        "description": "Running hazards recorded before deadlines kept their basis (migration 0012) with a deadline in "
                       "a year the package does not know: `flask --app wsgi calendar record-bases` marks them."})
    warning = ma.fields.String(allow_none=True, metadata={"description": "What an admin must do; null when nothing."})


class ProvisionalChangeSchema(ma.Schema):
    hazard_id = ma.fields.UUID(attribute="hazard.id")
    enterprise_id = ma.fields.Integer(attribute="hazard.enterprise_id")
    enterprise_name = ma.fields.Function(lambda change: change.hazard.enterprise.name)
    severity = ma.fields.String(attribute="hazard.severity")
    status = ma.fields.String(attribute="hazard.status")
    deadline = ma.fields.Date(metadata={"description": "The deadline in force (provisional)."})
    new_deadline = ma.fields.Date(metadata={"description": "What it would become on the calendar as now entered."})
    moves = ma.fields.Boolean(metadata={"description": "false: the same date, only no longer provisional."})
    counted_from = ma.fields.Date(metadata={
        "description": "The local day counted from (with `working_days`), or the date asked for (without)."})
    working_days = ma.fields.Integer(allow_none=True)
    assumed_years = ma.fields.List(ma.fields.Integer(), metadata={
        "description": "The years the deadline in force was counted without their notice."})
    still_assumed = ma.fields.List(ma.fields.Integer(), metadata={
        "description": "The years the new count still goes through without a notice: non-empty, it stays provisional."})
    overdue_if_applied = ma.fields.Boolean(metadata={"description": "The new deadline is already past."})


class ApplyChangesSchema(StrictSchema):
    hazard_ids = ma.fields.List(ma.fields.UUID(), required=True, validate=ma.validate.Length(min=1, max=1000),
                                metadata={"description": "Hazards from `GET /calendar/provisional-changes`."})


class AppliedChangeSchema(ma.Schema):
    hazard_id = ma.fields.UUID()
    outcome = ma.fields.String(metadata={"enum": ["moved", "confirmed", "unchanged"], "description": (
        "moved: the hazard has the new deadline; confirmed: the same date, no longer provisional; unchanged: "
        "nothing to apply (already applied, or the calendar still gives the same).")})
    deadline = ma.fields.Date(metadata={"description": "The deadline in force now."})
