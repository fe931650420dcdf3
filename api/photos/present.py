"""A photo as clients see it: its facts and time-limited links to the original, display copy and thumbnail."""
from __future__ import annotations

from api.schemas import coordinate, local_instant
from inspections.models import Photo
from media.storage import ObjectStore

LINK_SECONDS = 900


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
        "url": store.presigned_get_url(photo.original_key, LINK_SECONDS),
        "display_url": store.presigned_get_url(photo.display_key, LINK_SECONDS),
        "thumbnail_url": store.presigned_get_url(photo.thumbnail_key, LINK_SECONDS),
    }
