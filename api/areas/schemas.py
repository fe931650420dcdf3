import marshmallow as ma

from api.schemas import QuerySchema, StrictSchema
from inspections.enums import AreaLevel, values

LEVELS = ma.validate.OneOf(values(AreaLevel))


class AreaSchema(ma.Schema):
    code = ma.fields.String()
    name = ma.fields.String()
    level = ma.fields.String(metadata={"enum": values(AreaLevel)})
    parent_code = ma.fields.String(allow_none=True)
    boundary = ma.fields.Dict(allow_none=True, metadata={"description": "GeoJSON Polygon or MultiPolygon, WGS-84."})


class AreaCreateSchema(StrictSchema):
    code = ma.fields.String(required=True, validate=ma.validate.Regexp(r"^[A-Za-z0-9_.-]{1,32}$"))
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=100))
    level = ma.fields.String(required=True, validate=LEVELS)
    parent_code = ma.fields.String(allow_none=True)
    boundary = ma.fields.Dict(allow_none=True)


class AreaUpdateSchema(StrictSchema):
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=100))
    boundary = ma.fields.Dict(allow_none=True)


class AreaQuerySchema(QuerySchema):
    level = ma.fields.String(validate=LEVELS)
    parent_code = ma.fields.String()
