"""What kind of image a file is, judged by its first bytes only.

File names and the client's Content-Type header are easy to get wrong (or to forge), so the
content type we store and serve is always the one the bytes themselves declare.
"""

from __future__ import annotations

from .photo_errors import UnsupportedImageType

JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
HEIC = "image/heic"
HEIF = "image/heif"

#: How many leading bytes `sniff_content_type` needs; an ISO-BMFF `ftyp` box listing its
#: compatible brands fits well within this.
SNIFF_BYTES = 512

# HEVC-coded HEIF ("HEIC"): still images (heic, heix), multi-layer (heim, heis) and sequences.
_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"}
# Generic HEIF structure brands: we cannot tell the codec from these alone.
_HEIF_BRANDS = {b"mif1", b"msf1", b"mif2", b"miaf"}
# AVIF shares HEIF's container (and lists mif1), but our libheif build has no AV1 decoder.
_AVIF_BRANDS = {b"avif", b"avis"}


def sniff_content_type(head: bytes) -> str:
    """Return the content type of an image from its first bytes (`SNIFF_BYTES` are enough).

    Recognises JPEG, PNG, WebP and HEIC/HEIF (``image/heic`` when an HEVC brand is declared,
    ``image/heif`` for a generic ``mif1``/``msf1`` file). Raises `UnsupportedImageType` for
    anything else, including AVIF, GIF, PDF and text.
    """
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    brands = _ftyp_brands(head)
    if brands:
        if brands & _AVIF_BRANDS:
            raise UnsupportedImageType("AVIF images are not accepted; send JPEG, PNG, WebP or HEIC")
        if brands & _HEIC_BRANDS:
            return HEIC
        if brands & _HEIF_BRANDS:
            return HEIF
    raise UnsupportedImageType("the file is not a JPEG, PNG, WebP or HEIC/HEIF image")


def _ftyp_brands(head: bytes) -> set[bytes]:
    """The major and compatible brands of a leading ISO-BMFF ``ftyp`` box, or an empty set."""
    if len(head) < 16 or head[4:8] != b"ftyp":
        return set()
    box_size = int.from_bytes(head[:4], "big")
    if box_size < 16:  # 0 ("to end of file") and 1 (64-bit size) are never used for ftyp
        return set()
    end = min(box_size, len(head))
    brands = {head[8:12]}
    # Bytes 12..16 are the minor version, then 4-byte compatible brands to the end of the box.
    brands.update(head[i:i + 4] for i in range(16, end - 3, 4))
    return brands
