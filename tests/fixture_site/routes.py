"""URL routing of the fixture site: each provider module lists its (regex, handler) routes."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from werkzeug.wrappers import Request, Response

from tests.fixture_site import animesama, animeultime, generic, hosts, nekosama
from tests.fixture_site.server import FIXTURES

if TYPE_CHECKING:
    from tests.fixture_site.server import FixtureSite

ROUTES = [(re.compile(pattern), provider, handler)
          for module in (animesama, nekosama, animeultime, generic, hosts)
          for pattern, provider, handler in module.ROUTES]

REDESIGN = {
    "animesama": ("redesign.html", "text/html; charset=utf-8"),
    "nekosama": ("redesign.html", "text/html; charset=utf-8"),
    "animeultime": ("redesign.html", "text/html; charset=iso-8859-1"),
}


def redesigned(provider: str, path: str) -> Response:
    """The page a provider serves after a redesign (none of the markup parsers expect)."""
    if path.endswith(".js"):
        return Response((FIXTURES / "animesama" / "redesign.js").read_bytes(),
                        content_type="application/javascript")
    if path.endswith((".xml", ".json")) or provider in ("directory", "rss"):
        return Response("<!DOCTYPE html><html><body><div id='app'>Nouveau site !</div>"
                        "</body></html>", content_type="text/html; charset=utf-8")
    name, ctype = REDESIGN[provider]
    return Response((FIXTURES / provider / name).read_bytes(), content_type=ctype)


def dispatch(site: FixtureSite, request: Request) -> Response:
    """Find the route for the request's path and answer it (404 when none)."""
    for pattern, provider, handler in ROUTES:
        match = pattern.fullmatch(request.path)
        if match is None:
            continue
        if site.is_broken(request.path):
            return redesigned(provider, request.path)
        return handler(site, request, match)
    return not_found()


def not_found() -> Response:
    """A plain 404 page."""
    return Response("<html><body><h1>404 Not Found</h1></body></html>", status=404,
                    content_type="text/html")
