import marshmallow as ma

from api.accounts.schemas import PASSWORD_RULES
from api.schemas import ID_RANGE, Instant, QuerySchema, StrictSchema
from inspections.enums import Role, values


class UserSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    username = ma.fields.String()
    role = ma.fields.String(metadata={"enum": values(Role)})
    display_name = ma.fields.String(allow_none=True)
    enterprise_id = ma.fields.Integer(allow_none=True)
    area_code = ma.fields.String(allow_none=True)
    active = ma.fields.Boolean()
    created_at = Instant()


class UserCreateSchema(StrictSchema):
    username = ma.fields.String(required=True)
    password = ma.fields.String(required=True, load_only=True, metadata={"description": PASSWORD_RULES})
    role = ma.fields.String(required=True, validate=ma.validate.OneOf(values(Role)))
    display_name = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=100))
    enterprise_id = ma.fields.Integer(allow_none=True, validate=ID_RANGE)
    area_code = ma.fields.String(allow_none=True)


class UserUpdateSchema(StrictSchema):
    password = ma.fields.String(load_only=True, metadata={
        "description": f"{PASSWORD_RULES} Setting one signs the user out of every device at once."})
    role = ma.fields.String(validate=ma.validate.OneOf(values(Role)))
    display_name = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=100))
    enterprise_id = ma.fields.Integer(allow_none=True, validate=ID_RANGE)
    area_code = ma.fields.String(allow_none=True)
    active = ma.fields.Boolean()


class UserQuerySchema(QuerySchema):
    role = ma.fields.String(validate=ma.validate.OneOf(values(Role)))
