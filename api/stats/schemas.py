"""Wire format of the statistics: the query (grouping, period, the list's filters) and the rows with their rates."""
from datetime import date

import marshmallow as ma

from api.hazards.schemas import HazardQuerySchema
from api.schemas import rounded_rate
from inspections.enums import AreaLevel, values
from inspections.hazard_counts import COUNTS, RATES, WIRE_NAMES
from inspections.stats import GROUPINGS, SORTS

# Far enough either way for any record, near enough that a day more or less stays a date (no 500 at year 9999).
DAYS = ma.validate.Range(min=date(1900, 1, 1), max=date(2999, 12, 31), error="Give a date from 1900 to 2999.")
# The keys that name a row's group, by grouping; the others are left out of the answer.
GROUP_KEYS = {
    "area": ("code", "name", "level", "parent_code"),
    "sector": ("sector", "name"),
    "enterprise": ("enterprise_id", "name", "credit_code"),
    "category": ("code", "name", "parent_code"),
}


class StatsQuerySchema(HazardQuerySchema):
    """The list's filters that keep their meaning in a count (severity, category, enterprise_id, area_code,
    recurrence), a grouping and a period. Not status or overdue (the counts are by state), nor bbox (hazards are
    counted by their area, located or not), nor created_after/created_before (the period is `from`/`to`)."""

    class Meta(HazardQuerySchema.Meta):
        exclude = ("status", "overdue", "bbox", "created_after", "created_before")

    group_by = ma.fields.String(load_default="area", validate=ma.validate.OneOf(GROUPINGS),
                                metadata={"description": "What a row is (default area)."})
    level = ma.fields.String(validate=ma.validate.OneOf(values(AreaLevel)), metadata={
        "description": "With group_by=area: the level of the areas (default street)."})
    reported_from = ma.fields.Date(data_key="from", validate=DAYS, metadata={
        "description": "First local date of report counted (YYYY-MM-DD, included)."})
    reported_to = ma.fields.Date(data_key="to", validate=DAYS, metadata={
        "description": "Last local date of report counted (YYYY-MM-DD, included)."})
    sort = ma.fields.String(validate=ma.validate.OneOf(SORTS), metadata={
        "description": "Rank the rows by a count or rate: ascending, or descending with a leading `-` (e.g. "
                       "`-on_time_rate`, the best on-time rectification first). Rows without the rate (null: "
                       "nothing closed, or no hazards) come last either way; equal rows keep the order of the "
                       "group key. Default: the group key's order.",
        "enum": list(SORTS)})

    @ma.validates_schema
    def _period_in_order(self, data, **_):
        first, last = data.get("reported_from"), data.get("reported_to")
        if first and last and last < first:
            raise ma.ValidationError(f"`to` ({last.isoformat()}) is before `from` ({first.isoformat()}).", "to")


class TallySchema(ma.Schema):
    total = ma.fields.Integer(metadata={"description": "Hazards reported (void ones are never counted)."})
    open = ma.fields.Integer(metadata={"description": "Still active: open, acknowledged or submitted."})
    open_overdue = ma.fields.Integer(attribute="overdue", metadata={
        "description": "Active and past the deadline in force (after any approved extension), as of `as_of`."})
    due = ma.fields.Integer(metadata={
        "description": "Due (应整改): closed, or still active past the original deadline (its local day is over). "
                       "The denominator of on_time_rate."})
    closed = ma.fields.Integer(metadata={"description": "Closed (销号)."})
    closed_on_time = ma.fields.Integer(metadata={
        "description": "Closed on or before the original deadline, by the local date of closing: an approved "
                       "extension does not make a late rectification on time."})
    rectification_rate = ma.fields.Float(allow_none=True, metadata={
        "description": "整改率 = closed / total, rounded to 4 places; null when total is 0."})
    on_time_rate = ma.fields.Float(allow_none=True, metadata={
        "description": "按期整改率 = closed_on_time / due, rounded to 4 places; null when due is 0 (nothing was due "
                       "yet). A hazard left open past its deadline counts against it as one closed late does."})


class StatsRowSchema(TallySchema):
    name = ma.fields.String(allow_none=True, metadata={
        "description": "What the group is called: the area's, enterprise's or category's name, or the sector."})
    code = ma.fields.String(metadata={"description": "group_by=area: the area's code; category: the category's."})
    level = ma.fields.String(metadata={"description": "group_by=area: the area's level."})
    parent_code = ma.fields.String(allow_none=True, metadata={
        "description": "group_by=area or category: the parent area's or top-level category's code."})
    enterprise_id = ma.fields.Integer(metadata={"description": "group_by=enterprise."})
    credit_code = ma.fields.String(metadata={"description": "group_by=enterprise: the unified social credit code."})
    sector = ma.fields.String(allow_none=True, metadata={
        "description": "group_by=sector: the enterprises' sector as recorded now; null for those without one."})


class StatsSchema(ma.Schema):
    group_by = ma.fields.String(metadata={"enum": list(GROUPINGS)})
    level = ma.fields.String(allow_none=True, metadata={"description": "The areas' level; null unless group_by=area."})
    reported_from = ma.fields.Date(data_key="from", allow_none=True)
    reported_to = ma.fields.Date(data_key="to", allow_none=True)
    as_of = ma.fields.Date(metadata={"description": "The local date `open_overdue` is judged on (today)."})
    rows = ma.fields.List(ma.fields.Nested(StatsRowSchema))
    totals = ma.fields.Nested(TallySchema, metadata={
        "description": "Every hazard selected, those in no row too (no recorded area, or one above `level`)."})


def tally_document(tally) -> dict:
    """A Tally's counts and rates under their names in the answers (as `TallySchema` describes them)."""
    return {**{WIRE_NAMES.get(name, name): count for name, count in zip(COUNTS, tally.counts())},
            **{name: rounded_rate(tally.rate(name)) for name in RATES}}


def stats_document(result) -> dict:
    """The answer as `StatsSchema` describes it, built directly: by enterprise a district has tens of thousands of
    rows, which marshmallow takes seconds to dump. Each row has the keys of its grouping first, then its counts."""
    keys = GROUP_KEYS[result.group_by]
    return {
        "group_by": result.group_by, "level": result.level,
        "from": result.reported_from.isoformat() if result.reported_from else None,
        "to": result.reported_to.isoformat() if result.reported_to else None,
        "as_of": result.as_of.isoformat(),
        "rows": [{**{key: getattr(row, key) for key in keys}, **tally_document(row)} for row in result.rows],
        "totals": tally_document(result.totals),
    }
