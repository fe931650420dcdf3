"""A photo as clients see it: its facts and time-limited links to the original, display copy and thumbnail.

The original is evidence kept byte for byte, whatever else its bytes may also be (a JPEG can be an HTML page or
a ZIP archive as well): its link makes browsers download it (``Content-Disposition: attachment``) as the image
type its magic bytes declare, never show it. Only the derived copies, which we encoded ourselves, are shown
inline. S3 offers no way to add ``X-Content-Type-Options: nosniff`` to a presigned answer; an image type is never
sniffed into a document or a script, and a reverse proxy in front of the store may add the header.
"""
from __future__ import annotations

from api.schemas import coordinate, local_instant
from inspections.models import Photo
from media.storage import ObjectStore

LINK_SECONDS = 900
#: How many photos a hazard's detail carries, oldest first: the first page of ``GET /hazards/{id}/photos``.
FIRST_PAGE = 50
_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/heic": "heic",
               "image/heif": "heif"}


def original_name(photo: Photo) -> str:
    """The file name an original downloads as: ``photo-<id>.<extension of its type>``."""
    return f"photo-{photo.id}.{_EXTENSIONS.get(photo.content_type, 'bin')}"


def thumbnail_url(store: ObjectStore, key: str, photo_id) -> str:
    """A presigned link that shows a thumbnail (a JPEG we made) inline."""
    return store.presigned_get_url(key, LINK_SECONDS, inline_name=f"photo-{photo_id}-thumbnail.jpg",
                                   content_type="image/jpeg")


def photo_dict(photo: Photo, store: ObjectStore) -> dict:
    """The photo as every endpoint shows it (plain JSON values, so it can sit inside another answer)."""
    return {
        "id": str(photo.id),
        "hazard_id": str(photo.hazard_id),
        "kind": photo.kind,
        "sha256": photo.sha256,
        "size": photo.size,
        "content_type": photo.content_type,
        "width": photo.width,
        "height": photo.height,
        "truncated": photo.truncated,
        "taken_at": local_instant(photo.taken_at),
        "lat": coordinate(photo.lat),
        "lon": coordinate(photo.lon),
        "alt": photo.alt,
        "accuracy_m": photo.accuracy_m,
        "location_source": photo.location_source,
        "location_plausible": photo.location_plausible,
        "location_reason": photo.location_reason,
        "make": photo.make,
        "model": photo.model,
        "uploaded_by": photo.uploaded_by,
        "uploaded_at": local_instant(photo.uploaded_at),
        "url": store.presigned_get_url(photo.original_key, LINK_SECONDS, download_name=original_name(photo),
                                       content_type=photo.content_type),
        "display_url": store.presigned_get_url(photo.display_key, LINK_SECONDS,
                                               inline_name=f"photo-{photo.id}-display.jpg", content_type="image/jpeg"),
        "thumbnail_url": thumbnail_url(store, photo.thumbnail_key, photo.id),
    }
