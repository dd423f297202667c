"""The poster cache: a site's poster fetched once through the URL guard, kept in the
instance folder, served by the app (never hot-linked) and copied beside the library.

Only raster images (JPEG, PNG, WebP, GIF, recognised by their first bytes, never SVG, which
could carry script) of at most POSTER_MAX_BYTES are taken; each is then decoded with Pillow
and stored re-encoded (`poster_image.normalise`: upright, within 600x900, a JPEG without
metadata) as `<key>.resized.jpg`. A file kept as the site sent it by an earlier version
(`<key>.jpg|png|webp|gif`) is re-encoded the first time it is asked for. A poster that
could not be fetched or decoded is not asked for again for MISS_RETRY_SECONDS. Without a
poster the page shows a generated SVG placeholder (the title's initials on a colour of its
own).
"""

from __future__ import annotations

import hashlib
import html
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from webapp.infra.site_access import get_search_client
from webapp.library.poster_image import normalise
from webapp.sites.http.errors import FetchError

log = logging.getLogger(__name__)

POSTER_MAX_BYTES = 2 * 1024 * 1024
MISS_RETRY_SECONDS = 6 * 3600
ACCEPT = "image/jpeg,image/png,image/webp,image/gif;q=0.9,*/*;q=0.1"
TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "gif": "image/gif"}
STORED_SUFFIX = ".resized.jpg"


@dataclass(frozen=True)
class Poster:
    """A cached poster: its bytes, extension and content type (always a JPEG now)."""

    data: bytes
    ext: str

    @property
    def content_type(self) -> str:
        """The MIME type to serve it with."""
        return TYPES[self.ext]

    @property
    def etag(self) -> str:
        """A strong validator of the bytes."""
        return hashlib.sha256(self.data).hexdigest()[:32]


def sniff(data: bytes) -> str | None:
    """The extension of a raster image by its magic bytes (None: not one we keep)."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    return None


def cache_dir() -> Path:
    """Where cached posters live: `<instance>/posters/`."""
    folder = Path(current_app.instance_path) / "posters"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _key(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()[:40]


def _stored(url: str) -> Path:
    return cache_dir() / f"{_key(url)}{STORED_SUFFIX}"


def _miss(url: str) -> None:
    (cache_dir() / f"{_key(url)}.miss").touch()


def _keep(url: str, data: bytes) -> Poster | None:
    """Re-encode `data` and store it as the poster of `url` (None: not decodable, a miss)."""
    from webapp.library.metadata import atomic_write

    resized = normalise(data)
    if resized is None:
        _miss(url)
        return None
    atomic_write(_stored(url), resized)
    return Poster(resized, "jpg")


def _legacy(url: str) -> Poster | None:
    """A poster an earlier version kept as the site sent it, re-encoded once and replaced."""
    folder = cache_dir()
    for ext in TYPES:
        path = folder / f"{_key(url)}.{ext}"
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            continue  # none, or another request re-encoded it just now
        found = _keep(url, data)
        path.unlink(missing_ok=True)
        return found
    return None


def cached(url: str) -> Poster | None:
    """The cached poster of `url`, if it was fetched before."""
    try:
        return Poster(_stored(url).read_bytes(), "jpg")
    except FileNotFoundError:
        return _legacy(url)


def _recent_miss(url: str) -> bool:
    marker = cache_dir() / f"{_key(url)}.miss"
    try:
        return time.time() - marker.stat().st_mtime < MISS_RETRY_SECONDS
    except OSError:
        return False


def _fetch(url: str) -> Poster | None:
    try:
        page = get_search_client().fetch_page(url, headers={"Accept": ACCEPT},
                                              max_bytes=POSTER_MAX_BYTES)
    except FetchError as exc:
        log.info("poster not fetched (%s)", exc)
        _miss(url)
        return None
    if sniff(page.content) is None:
        log.info("poster at %s is not a JPEG, PNG, WebP or GIF image", page.url[:200])
        _miss(url)
        return None
    return _keep(url, page.content)


def poster_for(url: str | None) -> Poster | None:
    """The poster at `url`: from the cache, else fetched once (None when there is none)."""
    if not url or not url.startswith(("http://", "https://")):
        return None
    found = cached(url)
    if found is not None or _recent_miss(url):
        return found
    return _fetch(url)


PALETTE = ("#3b5b92", "#6b4c9a", "#2e7d6b", "#9a4c4c", "#7a6a2e", "#4c6f9a", "#8a3f72")


def placeholder_svg(title: str) -> bytes:
    """A poster-shaped SVG with the title's initials (escaped) on a colour of its own."""
    words = [w for w in (title or "").split() if w[:1].isalnum()]
    initials = "".join(w[0] for w in words[:2]).upper() or "?"
    colour = PALETTE[int(hashlib.sha256((title or "").encode()).hexdigest(), 16) % len(PALETTE)]
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="300" '
        'viewBox="0 0 200 300" role="img">'
        f"<title>{html.escape(title or 'No poster')}</title>"
        f'<rect width="200" height="300" fill="{colour}"/>'
        '<text x="100" y="165" font-family="sans-serif" font-size="64" fill="#fff" '
        f'text-anchor="middle">{html.escape(initials)}</text></svg>')
    return svg.encode()
