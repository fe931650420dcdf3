"""One call from an uploaded photo's bytes to everything we store about it.

`process_photo` checks what the bytes are, checks the header against its format's limits, decodes the pixels
once (reduced, within the process's decode budget when one is given), reads the EXIF facts, and makes the display
copy, the thumbnail and the perceptual hash. The caller keeps the original bytes untouched as evidence and
computes their SHA-256 and size while streaming them; nothing here talks to storage or the database.
"""

from __future__ import annotations

import os
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import tzinfo
from typing import IO

from . import derivatives
from .decode import DEFAULT_LIMITS, prepare_photo
from .decode_gate import DecodeBusy, DecodeGate
from .exif import PhotoMetadata, read_metadata
from .imagetype import SNIFF_BYTES, sniff_content_type
from .phash import perceptual_hash, phash_distance
from .photo_errors import CorruptImage, ImageTooLarge, ImplausibleImage, PhotoRejected, UnsupportedImageType
from .pixel_limits import PixelLimits

__all__ = [
    "DEFAULT_LIMITS", "CorruptImage", "DecodeBusy", "DecodeGate", "ImageTooLarge", "ImplausibleImage",
    "PhotoMetadata", "PhotoRejected", "PixelLimits", "ProcessedPhoto", "UnsupportedImageType", "phash_distance",
    "process_photo",
]


@dataclass(frozen=True)
class ProcessedPhoto:
    """The facts and copies of one photo.

    ``width``/``height`` are the full size as shown upright. ``display`` (longest side at most
    1600 px) and ``thumbnail`` (at most 320 px) are metadata-free JPEG bytes; their sizes are
    (width, height). ``phash`` is 16 hex digits (see `phash_distance`). ``truncated`` marks a
    JPEG whose data ended early but whose picture was (almost) all there.
    """

    content_type: str
    width: int
    height: int
    metadata: PhotoMetadata
    display: bytes
    display_size: tuple[int, int]
    thumbnail: bytes
    thumbnail_size: tuple[int, int]
    phash: str
    truncated: bool = False


def process_photo(
    source: str | os.PathLike[str] | IO[bytes],
    *,
    default_tz: tzinfo,
    limits: PixelLimits = DEFAULT_LIMITS,
    gate: DecodeGate | None = None,
) -> ProcessedPhoto:
    """Check, decode and describe a photo, and make its display copy and thumbnail.

    ``source`` is a path or a seekable binary file (read from its start, left open).
    ``default_tz`` (e.g. ``ZoneInfo("Asia/Shanghai")``) places capture times that carry no UTC
    offset. ``gate``, when given, bounds the memory of the decodes running at once in this process: the
    decode waits for its share of it. Raises a `PhotoRejected`: `UnsupportedImageType` when the bytes are not
    JPEG, PNG, WebP or HEIC/HEIF; `ImageTooLarge` above the format's pixel limit (or the whole budget);
    `ImplausibleImage` when the file is far too small for its pixels; `CorruptImage` when it cannot be decoded
    to the end. `DecodeBusy` when the budget stayed spent for as long as the gate waits. Malformed EXIF never
    rejects a photo.
    """
    opened = open(source, "rb") if isinstance(source, (str, os.PathLike)) else nullcontext(_KeepOpen(source))
    with opened as fp:
        fp.seek(0)
        content_type = sniff_content_type(fp.read(SNIFF_BYTES))
        fp.seek(0)
        prepared = prepare_photo(fp, content_type, longest=derivatives.DISPLAY_LONGEST, limits=limits)
        held = gate.hold(prepared.cost, what=prepared.description) if gate else nullcontext()
        with held:  # the decoded pixels and the copies made from them live inside the budget
            decoded = prepared.decode()
            metadata = read_metadata(decoded.exif, default_tz=default_tz, stored_size=decoded.stored_size,
                                     pixels_upright=decoded.pixels_upright)
            display = derivatives.make_display(decoded.image, orientation=metadata.orientation,
                                               icc_profile=decoded.icc_profile)
            decoded.image.close()  # the decoded pixels are no longer needed; free them before encoding
            # The thumbnail comes from the display copy: it is already upright, sRGB and small.
            thumbnail = derivatives.fit(display, derivatives.THUMBNAIL_LONGEST)
            display_bytes, thumbnail_bytes = derivatives.encode_jpeg(display), derivatives.encode_jpeg(thumbnail)
            phash = perceptual_hash(thumbnail)
    width, height = derivatives.upright_size(decoded.stored_size, metadata.orientation)
    return ProcessedPhoto(
        content_type=content_type,
        width=width,
        height=height,
        metadata=metadata,
        display=display_bytes,
        display_size=display.size,
        thumbnail=thumbnail_bytes,
        thumbnail_size=thumbnail.size,
        phash=phash,
        truncated=decoded.truncated,
    )


class _KeepOpen:
    """The caller's file as the decoder sees it: everything but ``close``. Pillow's ``Image.close()``
    closes a file it was handed, but the caller still has to store the original bytes."""

    def __init__(self, file: IO[bytes]):
        self._file = file

    def __getattr__(self, name):
        return getattr(self._file, name)

    def close(self) -> None:
        pass
