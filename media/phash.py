"""Perceptual hashes: "is this the same picture?" even after resizing and recompression.

Used to spot a rectification photo that is really the evidence photo sent again.
"""

from __future__ import annotations

import imagehash
from PIL import Image

#: Bits that differ between two 64-bit hashes of the same scene re-encoded are usually < 6;
#: unrelated photos differ in about half of them (~32).
HASH_BITS = 64


def perceptual_hash(image: Image.Image) -> str:
    """The 64-bit DCT hash (``imagehash.phash``) of an upright image, as 16 hex digits.

    The hash only looks at a 32x32 greyscale copy, so pass an already reduced image (the
    thumbnail): hashing a full-size photo gives the same answer, far more slowly.
    """
    return str(imagehash.phash(image))


def phash_distance(a: str, b: str) -> int:
    """How many of the 64 bits differ between two `perceptual_hash` values (0 = same picture)."""
    if len(a) != HASH_BITS // 4 or len(b) != HASH_BITS // 4:
        raise ValueError("a perceptual hash is 16 hex digits")
    return (int(a, 16) ^ int(b, 16)).bit_count()
