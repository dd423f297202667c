"""Small helpers for views that answer both full pages and HTMX fragments."""

from __future__ import annotations

from typing import Any

from flask import make_response, redirect, render_template, request
from werkzeug.wrappers import Response


def is_htmx() -> bool:
    """True for a request htmx sent (and not a boosted full navigation)."""
    return request.headers.get("HX-Request") == "true" and \
        request.headers.get("HX-Boosted") != "true"


def page_or_fragment(page: str, fragment: str, status: int = 200, /,
                     **context: Any) -> Response:
    """Render the whole page, or only its fragment for an htmx request; varies on HX-Request."""
    template = fragment if is_htmx() else page
    resp = make_response(render_template(template, **context), status)
    resp.vary.add("HX-Request")
    return resp


def back_to(url: str, fragment: str | None = None, /, **context: Any) -> Response:
    """After an action: the updated fragment for htmx, else a redirect (post/redirect/get)."""
    if fragment is not None and is_htmx():
        resp = make_response(render_template(fragment, **context))
    else:
        resp = redirect(url, 303)
    resp.vary.add("HX-Request")
    return resp


def hx_redirect(url: str) -> Response:
    """Send the browser to `url`: a full navigation for htmx, a 303 otherwise."""
    if is_htmx():
        resp = make_response("", 204)
        resp.headers["HX-Redirect"] = url
        return resp
    return redirect(url, 303)
