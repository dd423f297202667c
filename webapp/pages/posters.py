"""Posters served by the app: the site's poster from the cache (fetched once through the URL
guard, never hot-linked), or a generated placeholder; only for the user's own items."""

from __future__ import annotations

import hashlib

from flask import make_response, request
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.library.posters import placeholder_svg, poster_for
from webapp.models import Source
from webapp.pages import bp
from webapp.watchlist.manager import WatchlistManager

MAX_AGE = 3600


def _image(data: bytes, content_type: str) -> Response:
    resp = make_response(data)
    resp.headers["Content-Type"] = content_type
    resp.headers["Cache-Control"] = f"private, max-age={MAX_AGE}"
    resp.set_etag(hashlib.sha256(data).hexdigest()[:32])
    return resp.make_conditional(request)


@bp.get("/posters/<item_id>")
@bp.get("/posters/<item_id>.<any(webp, jpg, png, svg, img):ext>")
def poster(item_id: str, ext: str = "") -> Response:
    """The item's poster (cached copy of the site's), else an SVG placeholder."""
    item = WatchlistManager(current_user.id).get_item(item_id)
    source = db.session.get(Source, item.source_id)
    url = item.poster_image or (source.poster_image if source is not None else None)
    found = poster_for(url)
    if found is None:
        return _image(placeholder_svg(item.anime_title), "image/svg+xml")
    return _image(found.data, found.content_type)
