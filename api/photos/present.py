"""A photo as clients see it: its facts and time-limited links to the original, display copy and thumbnail."""
from __future__ import annotations

from inspections.models import Photo
from media.storage import ObjectStore

LINK_SECONDS = 900


def photo_dict(photo: Photo, store: ObjectStore) -> dict:
    return {
        "id": str(photo.id),
        "hazard_id": str(photo.hazard_id),
        "kind": photo.kind,
        "sha256": photo.sha256,
        "size": photo.size,
        "content_type": photo.content_type,
        "width": photo.width,
        "height": photo.height,
        "taken_at": photo.taken_at.isoformat() if photo.taken_at else None,
        "lat": photo.lat,
        "lon": photo.lon,
        "alt": photo.alt,
        "accuracy_m": photo.accuracy_m,
        "location_source": photo.location_source,
        "make": photo.make,
        "model": photo.model,
        "uploaded_by": photo.uploaded_by,
        "uploaded_at": photo.uploaded_at.isoformat(),
        "url": store.presigned_get_url(photo.original_key, LINK_SECONDS),
        "display_url": store.presigned_get_url(photo.display_key, LINK_SECONDS),
        "thumbnail_url": store.presigned_get_url(photo.thumbnail_key, LINK_SECONDS),
    }
