"""Re-encoding a site's poster with Pillow: decoded safely, turned upright, fitted within
MAX_SIZE (never enlarged) and written as a progressive JPEG without metadata.

Pillow is imported inside `normalise` only, so a process that never handles a poster never
loads it. The image's size is read from its header and anything over MAX_PIXELS is refused
before a pixel is decoded (a decompression bomb); only the formats the cache accepts are
parsed. Re-encoding drops whatever else the file carried (EXIF, comments, trailing bytes).
"""

from __future__ import annotations

import io
import logging
import struct
from typing import Any

log = logging.getLogger(__name__)

MAX_SIZE = (600, 900)  # width, height: the poster is fitted within, keeping its shape
MAX_PIXELS = 16_000_000  # 4000x4000: a 16-megapixel RGBA PNG peaks near 130 MB
JPEG_QUALITY = 85
BACKGROUND = (128, 128, 128)  # what transparent parts are flattened onto
FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
_ROTATED = (5, 6, 7, 8)  # EXIF orientations that swap width and height
_ORIENTATION = 0x0112


def normalise(data: bytes) -> bytes | None:
    """`data` as a JPEG within MAX_SIZE, upright, in RGB; None when it cannot be decoded."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data), formats=FORMATS) as img:
            width, height = img.size
            if width * height > MAX_PIXELS:
                log.info("poster refused: %dx%d is over %d pixels", width, height, MAX_PIXELS)
                return None
            return _encode(_fitted(img))
    except (OSError, SyntaxError, ValueError, EOFError, struct.error,
            Image.DecompressionBombError) as exc:
        # Corrupt, truncated, or not really an image: Pillow's parsers raise all of these.
        log.info("poster not decoded: %s", str(exc)[:200])
        return None


def _fitted(img: Any) -> Any:
    """The first frame, within MAX_SIZE once upright, in RGB."""
    from PIL import ImageOps

    width, height = MAX_SIZE
    # Fit before turning upright so a big JPEG is decoded at a reduced scale (draft mode).
    rotated = img.getexif().get(_ORIENTATION) in _ROTATED
    img.thumbnail((height, width) if rotated else (width, height))
    upright = ImageOps.exif_transpose(img)
    return _flattened(upright)


def _flattened(img: Any) -> Any:
    from PIL import Image

    if img.mode == "RGB":
        return img
    if img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info:
        rgba = img.convert("RGBA")
        flat = Image.new("RGB", rgba.size, BACKGROUND)
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return img.convert("RGB")


def _encode(img: Any) -> bytes:
    out = io.BytesIO()
    img.save(out, "JPEG", quality=JPEG_QUALITY, progressive=True, optimize=True)
    return out.getvalue()
