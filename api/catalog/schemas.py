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
