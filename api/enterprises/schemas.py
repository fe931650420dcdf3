import marshmallow as ma

from api.schemas import Coordinate, QuerySchema, StrictSchema
from inspections.enums import VenueType, values

LAT = ma.validate.Range(min=-90, max=90)
LON = ma.validate.Range(min=-180, max=180)


class EnterpriseSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    credit_code = ma.fields.String(metadata={"description": "18-character unified social credit code."})
    sector = ma.fields.String(allow_none=True)
    venue_type = ma.fields.String(metadata={"enum": values(VenueType)})
    address = ma.fields.String(allow_none=True)
    lat = Coordinate(allow_none=True)
    lon = Coordinate(allow_none=True)
    area_code = ma.fields.String(allow_none=True)
    contact_name = ma.fields.String(allow_none=True)
    contact_phone = ma.fields.String(allow_none=True)


class NearbyEnterpriseSchema(EnterpriseSchema):
    distance_m = ma.fields.Float(metadata={"description": "Geodesic distance from `near`, metres."})


class _EnterpriseWriteFields(StrictSchema):
    sector = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=100))
    venue_type = ma.fields.String(validate=ma.validate.OneOf(values(VenueType)))
    address = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=300))
    lat = Coordinate(allow_none=True, validate=LAT, allow_nan=False)
    lon = Coordinate(allow_none=True, validate=LON, allow_nan=False)
    area_code = ma.fields.String(allow_none=True)
    contact_name = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=100))
    contact_phone = ma.fields.String(
        allow_none=True, validate=ma.validate.Regexp(r"^[0-9+\- ]{5,32}$", error="Digits, spaces, + and - only.")
    )


class EnterpriseCreateSchema(_EnterpriseWriteFields):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    credit_code = ma.fields.String(required=True)


class EnterpriseUpdateSchema(_EnterpriseWriteFields):
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    credit_code = ma.fields.String()


class EnterpriseQuerySchema(QuerySchema):
    q = ma.fields.String(metadata={"description": "Part of the name, or the whole credit code."})
    area_code = ma.fields.String()
    near = ma.fields.String(metadata={"description": "`LAT,LON`: list within `radius_m`, nearest first."})
    radius_m = ma.fields.Float(load_default=1000, validate=ma.validate.Range(min=1, max=50_000))

    @ma.validates("near")
    def _near_is_a_point(self, value, **_):
        parse_point(value)


def parse_point(value: str) -> tuple[float, float]:
    try:
        lat, lon = (float(part) for part in value.split(","))
    except ValueError:
        raise ma.ValidationError("Give near as LAT,LON in decimal degrees.") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ma.ValidationError("LAT must be within ±90 and LON within ±180.")
    return lat, lon
