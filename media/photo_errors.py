"""Why a photo upload is refused.

Every refusal is a `PhotoRejected`, a `ValueError` with a `.reason` in plain words that can be
shown to the person who uploaded the file (the API answers 422 with it).
"""

from __future__ import annotations


class PhotoRejected(ValueError):
    """A file we will not store as a photo; `.reason` says why, in plain words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class UnsupportedImageType(PhotoRejected):
    """The bytes are not JPEG, PNG, WebP or HEIC/HEIF, whatever the name or header claimed."""


class CorruptImage(PhotoRejected):
    """The file looks like a supported image but cannot be decoded, or too much of it is missing."""


class ImageTooLarge(PhotoRejected):
    """The image declares more pixels than we are willing to decode (a decompression bomb, or worse), or
    decoding it would need more memory than the server gives all decodes together."""


class ImplausibleImage(PhotoRejected):
    """The file is far too small for the pixels it declares: a header that lies, or a bomb of one flat colour."""
