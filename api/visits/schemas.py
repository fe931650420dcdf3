import marshmallow as ma

from api.schemas import ID_RANGE, Coordinate, Instant, LatLonTogether, QuerySchema, StrictSchema
from inspections.enums import InspectionKind, values


class InspectionCreateSchema(StrictSchema, LatLonTogether):
    id = ma.fields.UUID(metadata={"description": "Client-made UUID; retries with the same id and body are safe."})
    enterprise_id = ma.fields.Integer(required=True, validate=ID_RANGE)
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(values(InspectionKind)))
    campaign = ma.fields.Integer(allow_none=True, validate=ID_RANGE, metadata={"description": "Campaign id, e.g. the 安全生产月."})
    started_at = Instant(allow_none=True)
    lat = Coordinate(allow_none=True, validate=ma.validate.Range(min=-90, max=90), allow_nan=False)
    lon = Coordinate(allow_none=True, validate=ma.validate.Range(min=-180, max=180), allow_nan=False)
    notes = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=4000))
    inspector_ids = ma.fields.List(ma.fields.Integer(validate=ID_RANGE), metadata={"description": "Colleagues on the visit."})


class InspectionSchema(ma.Schema):
    id = ma.fields.UUID()
    enterprise_id = ma.fields.Integer()
    enterprise_name = ma.fields.Function(lambda i: i.enterprise.name)
    kind = ma.fields.String(metadata={"enum": values(InspectionKind)})
    campaign = ma.fields.Integer(attribute="campaign_id", allow_none=True)
    started_at = Instant()
    lat = Coordinate(allow_none=True)
    lon = Coordinate(allow_none=True)
    notes = ma.fields.String(allow_none=True)
    inspector_ids = ma.fields.Function(lambda i: [u.id for u in i.inspectors])
    created_by = ma.fields.Integer()
    created_at = Instant()


class InspectionQuerySchema(QuerySchema):
    enterprise_id = ma.fields.Integer(validate=ID_RANGE)
    campaign = ma.fields.Integer(validate=ID_RANGE)
