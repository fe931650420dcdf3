"""Wire-format building blocks shared by the resource schemas."""
import marshmallow as ma


class StrictSchema(ma.Schema):
    """Request bodies: an unknown field is a client mistake and answers 422 naming it."""

    class Meta:
        unknown = ma.RAISE


class QuerySchema(ma.Schema):
    """Query strings: pagination and cache-busting parameters pass through untouched."""

    class Meta:
        unknown = ma.EXCLUDE


def trimmed(**kwargs):
    """A required-or-optional string that may not be blank."""
    return ma.fields.String(validate=ma.validate.Length(min=1, max=kwargs.pop("max", 200)), **kwargs)


class LatLonTogether(ma.Schema):
    """A position is both coordinates or neither."""

    @ma.validates_schema
    def _lat_lon_together(self, data, **_):
        if (data.get("lat") is None) != (data.get("lon") is None):
            raise ma.ValidationError("Give lat and lon together.", "lat")
