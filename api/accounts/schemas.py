import marshmallow as ma

from api.schemas import StrictSchema
from inspections.enums import Role, values


class TokenRequestSchema(StrictSchema):
    username = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=64))
    password = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=1024), load_only=True)


PASSWORD_RULES = ("At least 8 characters and hard to guess (zxcvbn score 3 of 4): not a common password such as "
                  "5201314 or woaini1314, and not built from the username or the name (also in pinyin). A 422 says "
                  "why one was refused.")


class PasswordChangeSchema(StrictSchema):
    current_password = ma.fields.String(required=True, load_only=True, validate=ma.validate.Length(min=1, max=1024))
    new_password = ma.fields.String(required=True, load_only=True, validate=ma.validate.Length(min=1, max=1024),
                                    metadata={"description": PASSWORD_RULES})


class RefreshRequestSchema(StrictSchema):
    refresh_token = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))


class TokenPairSchema(ma.Schema):
    access_token = ma.fields.String()
    refresh_token = ma.fields.String()
    token_type = ma.fields.String(metadata={"example": "Bearer"})
    expires_in = ma.fields.Integer(metadata={"description": "Seconds until the access token expires."})


class MeSchema(ma.Schema):
    id = ma.fields.Integer()
    username = ma.fields.String()
    role = ma.fields.String(metadata={"enum": values(Role)})
    display_name = ma.fields.String(allow_none=True)
    enterprise_id = ma.fields.Integer(allow_none=True)
    enterprise_name = ma.fields.Function(lambda u: u.enterprise.name if u.enterprise else None)
    area_code = ma.fields.String(allow_none=True)
    area_name = ma.fields.Function(lambda u: u.area.name if u.area else None)
