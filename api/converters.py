"""URL converters for path parameters."""
from datetime import date

from werkzeug.routing import BaseConverter, IntegerConverter, ValidationError

from api.schemas import MAX_ID


class IsoDateConverter(BaseConverter):
    """``<isodate:day>``: a YYYY-MM-DD date; anything else does not match (404)."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> date:
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValidationError() from None

    def to_url(self, value: date) -> str:
        return value.isoformat()


class IdConverter(IntegerConverter):
    """``<id:name>``: a row's id, 1 to 2**31 - 1; any other number names nothing there can be (404), where the
    database would overflow on it (SQLite raises, a 500)."""

    def __init__(self, map, *args, **kwargs):
        super().__init__(map, *args, min=1, max=MAX_ID, **kwargs)
