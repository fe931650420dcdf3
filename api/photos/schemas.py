"""Wire format of photos and direct uploads."""
import marshmallow as ma
from flask_smorest.fields import Upload as FileField

from api.schemas import Coordinate, Instant, QuerySchema, StrictSchema
from inspections.enums import LocationSource, PhotoKind, values

LAT = ma.validate.Range(min=-90, max=90)
LON = ma.validate.Range(min=-180, max=180)
SHA256 = ma.validate.Regexp(r"^[0-9a-fA-F]{64}$", error="Give the SHA-256 as 64 hex digits.")
DATETIME = {"type": "string", "format": "date-time"}


class _PhoneFacts(StrictSchema):
    """What the phone knew when the photo was taken; EXIF in the file wins over it."""

    id = ma.fields.UUID(metadata={"description": "Client-made UUID; sending the same request again with it returns "
                                                 "the first result; other bytes, kind, lat, lon, accuracy_m or "
                                                 "taken_at under it are a 409."})
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(values(PhotoKind)))
    lat = Coordinate(allow_none=True, validate=LAT, allow_nan=False,
                          metadata={"description": "The phone's GPS, used when the file carries no EXIF position."})
    lon = Coordinate(allow_none=True, validate=LON, allow_nan=False)
    accuracy_m = ma.fields.Float(allow_none=True, validate=ma.validate.Range(min=0, max=100_000), allow_nan=False)
    taken_at = Instant(allow_none=True, metadata={
        "description": "When the phone took it, used when the file carries no EXIF DateTimeOriginal."})

    @ma.validates_schema
    def _lat_lon_together(self, data, **_):
        if (data.get("lat") is None) != (data.get("lon") is None):
            raise ma.ValidationError("Give lat and lon together.", "lat")


class PhotoFormSchema(_PhoneFacts):
    """The text fields of a multipart photo upload."""


class PhotoFileSchema(ma.Schema):
    file = FileField(required=True, metadata={"description": "The photo: JPEG, PNG, WebP or HEIC/HEIF."})


class PhotoMultipartSchema(PhotoFormSchema):
    """A multipart photo upload as a whole (for the documentation; parsed as form fields and file)."""

    file = FileField(required=True, metadata={"description": "The photo: JPEG, PNG, WebP or HEIC/HEIF, at most "
                                                             "PHOTO_MAX_BYTES (25 MB by default)."})


class PhotoAttachSchema(_PhoneFacts):
    """Attach a direct upload (POST /uploads) as a photo."""

    upload_id = ma.fields.UUID(required=True)


class PhotoQuerySchema(QuerySchema):
    kind = ma.fields.String(validate=ma.validate.OneOf(values(PhotoKind)))


class PhotoSchema(ma.Schema):
    """A photo with time-limited links (15 minutes) to the original, its display copy and thumbnail."""

    id = ma.fields.String(metadata={"format": "uuid"})
    hazard_id = ma.fields.String(metadata={"format": "uuid"})
    kind = ma.fields.String(metadata={"enum": values(PhotoKind)})
    sha256 = ma.fields.String(metadata={"description": "SHA-256 of the original bytes, as kept."})
    size = ma.fields.Integer()
    content_type = ma.fields.String(metadata={"description": "As the bytes declare it, not as the client said."})
    width = ma.fields.Integer(metadata={"description": "Upright, full size."})
    height = ma.fields.Integer()
    truncated = ma.fields.Boolean(metadata={"description": (
        "The JPEG's data ended a little early (some phones write files a few bytes short): at most the last 1 % of "
        "its rows are missing, shown flat grey at the bottom of the display copy. Evidence cut shorter is refused.")})
    taken_at = ma.fields.String(allow_none=True, metadata=DATETIME)
    lat = Coordinate(allow_none=True)
    lon = Coordinate(allow_none=True)
    alt = ma.fields.Float(allow_none=True)
    accuracy_m = ma.fields.Float(allow_none=True)
    location_source = ma.fields.String(allow_none=True, metadata={"enum": [LocationSource.EXIF, LocationSource.DEVICE]})
    location_plausible = ma.fields.Boolean(allow_none=True, metadata={"description": (
        "For a located evidence photo: whether its position is plausible for the hazard (taken within "
        "PHOTO_LOCATION_MAX_DISTANCE_M of the enterprise's registered position, and not more than "
        "OFFLINE_REPORT_MAX_HOURS before the hazard was found nor after it was received). Only a plausible first "
        "located photo moves a hazard reported without a position; null when not judged (no position, a "
        "rectification photo, or a photo stored before this was judged).")})
    location_reason = ma.fields.String(allow_none=True, metadata={
        "description": "Why the position is not plausible (null when it is, or was not judged)."})
    make = ma.fields.String(allow_none=True)
    model = ma.fields.String(allow_none=True)
    uploaded_by = ma.fields.Integer()
    uploaded_at = ma.fields.String(metadata=DATETIME)
    url = ma.fields.String(metadata={"description": (
        "The untouched original, with its EXIF: downloads as an attachment (photo-<id>.<ext>) with the type its "
        "bytes declare, never shown in the browser.")})
    display_url = ma.fields.String(metadata={"description": "JPEG, longest side 1600 px, upright, no metadata; shown "
                                                            "inline."})
    thumbnail_url = ma.fields.String(metadata={"description": "JPEG, longest side 320 px, upright, no metadata; "
                                                              "shown inline."})


class UploadCreateSchema(StrictSchema):
    content_type = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=100), metadata={
        "description": "image/jpeg, image/png, image/webp, image/heic or image/heif."})
    size = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(min=1),
                             metadata={"description": "The file's exact size in bytes."})
    sha256 = ma.fields.String(required=True, validate=SHA256)


class UploadTicketSchema(ma.Schema):
    upload_id = ma.fields.UUID(attribute="upload.id")
    url = ma.fields.String(metadata={"description": "POST the form here: every entry of `fields`, then `file`."})
    fields = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())
    expires_at = Instant(attribute="upload.expires_at")
