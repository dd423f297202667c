"""Real images for the poster tests, made with Pillow, and a look at what the app stored."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

from PIL import Image

ORIENTATION = 0x0112
CAMERA = "Secret Camera 3000"  # an EXIF field that must not survive re-encoding
GREY = (128, 128, 128)


def encoded(img: Image.Image, fmt: str, **params: Any) -> bytes:
    """`img` written as `fmt` (JPEG, PNG, GIF, WEBP)."""
    out = io.BytesIO()
    img.save(out, fmt, **params)
    return out.getvalue()


def transparent_png(size: tuple[int, int]) -> bytes:
    """A PNG with alpha: a see-through top half over an opaque red bottom half."""
    img = Image.new("RGBA", size, (255, 0, 0, 255))
    img.paste((0, 0, 255, 0), (0, 0, size[0], size[1] // 2))
    return encoded(img, "PNG")


def poster_jpeg(size: tuple[int, int], colour: tuple[int, int, int] = (40, 120, 200)) -> bytes:
    """A plain JPEG of one colour."""
    return encoded(Image.new("RGB", size, colour), "JPEG", quality=95)


def rotated_jpeg() -> bytes:
    """A 300x200 JPEG, blue in its top-left corner, whose EXIF says "turn 90° clockwise"
    (orientation 6): shown upright it is 200x300 with the blue corner top-right."""
    img = Image.new("RGB", (300, 200), (255, 255, 255))
    img.paste((0, 0, 255), (0, 0, 60, 60))
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[0x010F] = CAMERA  # Make
    return encoded(img, "JPEG", exif=exif.tobytes(), quality=95)


def animated_gif() -> bytes:
    """Three frames: red, green, blue."""
    frames = [Image.new("RGB", (100, 150), c) for c in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    return encoded(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)


def decoded(data: bytes) -> Image.Image:
    """The image the browser would get; asserts it is a JPEG."""
    img = Image.open(io.BytesIO(data))
    img.load()
    assert img.format == "JPEG"
    return img


def near(pixel: tuple[int, ...], colour: tuple[int, ...], slack: int = 12) -> bool:
    """Whether a JPEG pixel is `colour` give or take compression."""
    return all(abs(a - b) <= slack for a, b in zip(pixel, colour, strict=True))


def cache_file(instance: Path, url: str, ext: str) -> Path:
    """Where the poster cache keeps `url` (the layout earlier versions used too)."""
    return instance / "posters" / f"{hashlib.sha256(url.encode()).hexdigest()[:40]}.{ext}"
