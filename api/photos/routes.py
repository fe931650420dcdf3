"""Photos of hazards, uploaded through the API or straight to the object store."""
import uuid

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import abort

from api.auth import current_user, login_required
from api.clock import local_tz, now
from api.db import session
from api.pagination import SelectPage
from api.parsing import Blueprint
from api.photos.present import FIRST_PAGE, photo_dict
from api.policy import place_policy
from api.photos.schemas import (
    PhotoAttachSchema, PhotoFileSchema, PhotoFormSchema, PhotoMultipartSchema, PhotoQuerySchema, PhotoSchema,
    UploadCreateSchema, UploadTicketSchema,
)
from inspections import photos, uploads

blp = Blueprint("photos", __name__, description="Photos (照片) of hazards: evidence and rectification.")
parser = blp.ARGUMENTS_PARSER


def _store():
    return current_app.extensions["object_store"]


def _limits() -> photos.PhotoLimits:
    return photos.PhotoLimits(max_bytes=current_app.config["PHOTO_MAX_BYTES"],
                              gate=current_app.extensions["decode_gate"],
                              max_per_hazard=current_app.config["PHOTO_MAX_PER_HAZARD"])


class PhotoPage(SelectPage):
    """A page of a hazard's photos, each with its fresh links."""

    @property
    def items(self):
        return [photo_dict(photo, _store()) for photo in super().items]


@blp.route("/hazards/<uuid:hazard_id>/photos")
class HazardPhotos(MethodView):
    @login_required()
    @blp.doc(requestBody={"required": True, "content": {
        "multipart/form-data": {"schema": PhotoMultipartSchema},
        "application/json": {"schema": PhotoAttachSchema},
    }})
    @blp.response(201, PhotoSchema, description="Added.")
    @blp.alt_response(200, schema=PhotoSchema,
                      description="A retry of a photo already added (same id, bytes, kind, place and time).")
    @blp.alt_response(403, description="The caller may not add this kind of photo.")
    @blp.alt_response(404, description="No such hazard, or not visible to the caller.")
    @blp.alt_response(409, description="The hazard's state takes no such photo now, the id was used before, or the "
                                       "hazard already has PHOTO_MAX_PER_HAZARD photos.")
    @blp.alt_response(413, description="The file is larger than PHOTO_MAX_BYTES.")
    @blp.alt_response(415, description="The bytes are not JPEG, PNG, WebP or HEIC/HEIF.")
    @blp.alt_response(422, description="A damaged or incomplete image, more pixels than its format may have, far "
                                       "too few bytes for its pixels (a decompression bomb), or a bad upload_id.")
    @blp.alt_response(503, description="The object store is down, or the server is busy decoding other photos; "
                                       "retry after Retry-After seconds.")
    def post(self, hazard_id: uuid.UUID):
        """Add a photo to a hazard: multipart (`file`, `kind`, …) or JSON (`upload_id`, `kind`, …).

        Evidence photos come from inspectors (in their area) and reviewers until the hazard is closed;
        rectification photos from the enterprise's officer while it is acknowledged, and from inspectors and
        reviewers while it is open (rectified on the spot, general hazards) or submitted (re-inspection).
        The type is judged by the bytes. EXIF GPS and DateTimeOriginal win over the phone's `lat`/`lon`/
        `taken_at`; a hazard without a position of its own takes its first located evidence photo's EXIF position
        when it is plausible (`location_plausible`: within PHOTO_LOCATION_MAX_DISTANCE_M of the enterprise and
        not taken more than OFFLINE_REPORT_MAX_HOURS before the hazard was found); an implausible one is kept,
        with `location_reason`, and the hazard stays. Once a photo decided, later photos never move it.
        The original is kept untouched (identical bytes are stored once); the display copy and thumbnail are
        upright JPEGs without any metadata. With JSON, the direct upload is read back, checked against its
        declared size and SHA-256, and processed the same way.

        Limits, checked on the header before any pixel is decoded: JPEG and HEIC/HEIF up to 210 megapixels (a
        200 MP phone sensor), PNG and WebP (screenshots, edited photos) up to 40; and a file far too small for
        the pixels it declares is no photo (422 either way). A picture must arrive whole: one whose data stops
        early is refused ("the photo arrived incomplete; send it again"), except a JPEG missing at most the
        last 1 % of its rows, as some phones write them a few bytes short, which is kept with `truncated: true`.
        A hazard takes at most PHOTO_MAX_PER_HAZARD (50) photos. When the server is busy decoding other large
        photos, the upload waits its turn for a while, then answers 503 with Retry-After.
        """
        args = dict(session=session(), store=_store(), actor=current_user(), hazard_id=hazard_id,
                    now=now(), tz=local_tz(), limits=_limits(), place=place_policy())
        if request.is_json:
            added = uploads.attach_upload(data=parser.parse(PhotoAttachSchema, location="json"), **args)
        elif request.mimetype == "multipart/form-data":
            fields = parser.parse(PhotoFormSchema, location="form")
            upload = parser.parse(PhotoFileSchema, location="files")["file"]
            added = photos.add_photo(source=upload.stream, fields=fields, **args)
        else:
            abort(415, message="Send the photo as multipart/form-data (file, kind) or attach a direct upload "
                               "as JSON (upload_id, kind).")
        return photo_dict(added.photo, _store()), 201 if added.created else 200

    @login_required()
    @blp.arguments(PhotoQuerySchema, location="query")
    @blp.response(200, PhotoSchema(many=True))
    @blp.paginate(PhotoPage, page_size=FIRST_PAGE, max_page_size=100)
    def get(self, args, hazard_id: uuid.UUID):
        """The hazard's photos, oldest first, with links valid for 15 minutes; paginated (X-Pagination), 50 a page.

        The hazard's detail carries the first page and `photos_total`; this pages through the rest.
        """
        return photos.hazard_photos_query(session(), current_user(), hazard_id, kind=args.get("kind"))


@blp.route("/hazards/<uuid:hazard_id>/photos/<uuid:photo_id>")
class HazardPhoto(MethodView):
    @login_required()
    @blp.response(200, PhotoSchema)
    def get(self, hazard_id: uuid.UUID, photo_id: uuid.UUID):
        """One photo of the hazard, with fresh links (ask again when the old ones have expired)."""
        return photo_dict(photos.get_photo(session(), current_user(), hazard_id, photo_id), _store())


@blp.route("/uploads")
class Uploads(MethodView):
    @login_required()
    @blp.arguments(UploadCreateSchema)
    @blp.response(201, UploadTicketSchema, description="Started.")
    @blp.alt_response(200, schema=UploadTicketSchema, description="The same file was declared before and its upload "
                                                                  "is still open: that upload, valid 15 minutes more.")
    @blp.alt_response(409, description="The caller has UPLOAD_MAX_OPEN_PER_USER uploads started and not attached.")
    @blp.alt_response(413, description="The declared size is larger than PHOTO_MAX_BYTES.")
    @blp.alt_response(415, description="The declared type is not one we accept.")
    def post(self, body):
        """Start a direct upload: a presigned POST, valid 15 minutes, for exactly the declared size and type.

        Post every entry of `fields` and then the file as `file` to `url`; then attach it with
        `POST /hazards/{id}/photos` and the JSON `{upload_id, kind}`. The SHA-256 is checked then.
        Declaring the same file (type, size, SHA-256) again while its upload is open gives that upload again
        (200). A user may have UPLOAD_MAX_OPEN_PER_USER (20) uploads open, i.e. started within a day, not
        attached, and either still valid or with their file in the store: each may park up to PHOTO_MAX_BYTES
        there until the daily media sweep. One more is 409: attach the open ones first.
        """
        ticket = uploads.start_upload(session(), _store(), current_user(), body, now=now(),
                                      max_bytes=current_app.config["PHOTO_MAX_BYTES"],
                                      max_open=current_app.config["UPLOAD_MAX_OPEN_PER_USER"])
        return ticket, 201 if ticket.created else 200
