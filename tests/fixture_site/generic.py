"""Directory listings (nginx HTML/JSON, Apache, python http.server), feeds, media files.

Feeds: `/feeds/rss/`, `/feeds/atom/` (direct media), `/feeds/torrent/` (magnet and
`.torrent` links) and `/feeds/nyaa/` (nyaa's template; the show option `links` picks
`?page=download&tid=N` ("query", the default), `/download/N` ("path") or only the view
page ("view"), the item's `nyaa:infoHash` naming the torrent). A directory show's option
`served_as` is the Content-Type its files are sent with (nginx without `mime.types`:
`text/plain`). Media files start with their container's real header.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import time
from email.utils import formatdate
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote

from werkzeug.exceptions import RequestedRangeNotSatisfiable
from werkzeug.utils import send_file
from werkzeug.wrappers import Request, Response

from tests.fixture_site.server import template
from tests.fixture_site.state import Show

if TYPE_CHECKING:
    import re

    from tests.fixture_site.server import FixtureSite

EXTRAS = ("Extras/", "readme.txt")
# The first bytes of real files of each container (EBML header; an ISO BMFF `ftyp` box).
CONTAINER_HEADS = {
    ".mkv": bytes.fromhex("1a45dfa3a3" "4286810142f7810142f2810442f38108"
                          "4282886d6174726f736b61" "42878104" "42858102"),
    ".mp4": b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41",
}


def file_names(show: Show) -> list[str]:
    """The episode file names of a directory/feed show."""
    pattern = show.options.get("pattern", "Show - {n:02d}.mkv")
    return [pattern.format(n=n) for n in range(1, show.episodes + 1)]


def media_bytes(name: str, size: int) -> bytes:
    """The deterministic content of a media file: its container's header, then filler."""
    seed = (name + ":").encode("utf-8")
    head = next((h for ext, h in CONTAINER_HEADS.items() if name.lower().endswith(ext)), b"")
    return (head + seed * (size // len(seed) + 1))[:size]


def media(site: FixtureSite, request: Request, name: str,
          content_type: str | None = None) -> Response:
    """A media file (Range requests supported), as `content_type` when given."""
    size = site.media_size
    data = media_bytes(name, size)
    ctype = content_type or ("video/mp4" if name.endswith(".mp4") else "video/x-matroska")
    try:
        return send_file(io.BytesIO(data), request.environ, mimetype=ctype, conditional=True,
                         etag=hashlib.sha1(data[:4096] + str(size).encode()).hexdigest(),
                         last_modified=1_700_000_000, max_age=0)
    except RequestedRangeNotSatisfiable as exc:   # a range past the end: 416, as servers do
        return exc.get_response(request.environ)


def _stamp(show: Show, index: int) -> float:
    return show.modified_at - (show.episodes - index) * 3600


def _listing(site: FixtureSite, request: Request, match: re.Match) -> Response:
    shape = match["shape"]
    show = site.shows.get(f"/dir/{shape}/{match['name']}/")
    if show is None:
        from tests.fixture_site.routes import not_found
        return not_found()
    if match["file"]:
        name = unquote(match["file"])
        if name not in file_names(show) and name not in EXTRAS:
            from tests.fixture_site.routes import not_found
            return not_found()
        # nginx without `mime.types` sends unknown extensions as text/plain
        return media(site, request, name, show.options.get("served_as"))
    names = [*EXTRAS[:1], *file_names(show), *EXTRAS[1:]]
    size = site.media_size
    if shape == "nginx-json":
        entries = [{"name": n.rstrip("/"), "type": "directory" if n.endswith("/") else "file",
                    "mtime": formatdate(_stamp(show, i), usegmt=True),
                    **({} if n.endswith("/") else {"size": size})} for i, n in enumerate(names)]
        resp = Response(json.dumps(entries), content_type="application/json")
    else:
        resp = Response(_render(shape, request.path, show, names, size),
                        content_type="text/html" if shape != "python"
                        else "text/html; charset=utf-8")
    resp.last_modified = show.modified_at
    return resp


def _render(shape: str, path: str, show: Show, names: list[str], size: int) -> str:
    rows = []
    for index, name in enumerate(names):
        href = quote(name)
        when = _stamp(show, index)
        if shape == "nginx":
            text = name if len(name) <= 50 else name[:47] + "..>"
            stamp = time.strftime("%d-%b-%Y %H:%M", time.gmtime(when))
            shown = "-" if name.endswith("/") else str(size)
            rows.append(f'<a href="{href}">{html.escape(text)}</a>'
                        f'{" " * max(51 - len(text), 1)}{stamp} {shown:>19}\n')
        elif shape == "apache":
            stamp = time.strftime("%Y-%m-%d %H:%M", time.gmtime(when))
            rows.append(f'<tr><td valign="top"><img src="/icons/movie.gif" alt="[VID]"></td>'
                        f'<td><a href="{href}">{html.escape(name)}</a></td>'
                        f'<td align="right">{stamp}  </td><td align="right">64K</td>'
                        f'<td>&nbsp;</td></tr>\n')
        else:
            rows.append(f'<li><a href="{href}">{html.escape(name)}</a></li>\n')
    parent = path.rstrip("/").rsplit("/", 1)[0] + "/"
    return template("directory", f"{shape}.html").substitute(
        path=html.escape(path), rows="".join(rows), parent=parent)


def _feed(site: FixtureSite, request: Request, match: re.Match) -> Response:
    shape = match["shape"]
    show = site.shows.get(request.path)
    if show is None:
        from tests.fixture_site.routes import not_found
        return not_found()
    origin = site.origin(request)
    items = []
    for n, name in reversed(list(enumerate(file_names(show), start=1))):
        if shape == "nyaa":
            link = _nyaa_link(origin, show.options.get("links", "query"), n)
        elif show.options.get("torrent"):
            link = (f"magnet:?xt=urn:btih:{n:040d}&amp;dn={quote(name)}" if n % 2
                    else f"{origin}/download/{n}.torrent")
        else:
            link = f"{origin}/media/{quote(name)}"
        stamp = _stamp(show, n)
        date = (time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(stamp)) if shape == "atom"
                else formatdate(stamp, usegmt=True))
        item = "atom_entry.xml" if shape == "atom" else f"{shape}_item.xml"
        items.append(template("rss", item).substitute(
            name=html.escape(name), link=link, guid=f"{n:07d}", date=date, site=origin,
            infohash=hashlib.sha1(name.encode()).hexdigest(),
            title=html.escape(show.title), size=site.media_size,
            mime="video/mp4" if name.endswith(".mp4") else "video/x-matroska"))
    body = template("rss", f"{shape}.xml").substitute(
        title=html.escape(show.title), site=origin, items="".join(items),
        updated=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(show.modified_at)))
    ctype = "application/atom+xml" if shape == "atom" else "application/rss+xml"
    resp = Response(body, content_type=f"{ctype}; charset=utf-8")
    resp.last_modified = show.modified_at
    return resp


def _nyaa_link(origin: str, style: str, n: int) -> str:
    """nyaa's torrent link: `?page=download&tid=N`, `/download/N`, or only the view page."""
    return {"query": f"{origin}/?page=download&amp;tid={n:07d}",
            "path": f"{origin}/download/{n:07d}"}.get(style, f"{origin}/view/{n:07d}")


def _media(site: FixtureSite, request: Request, match: re.Match) -> Response:
    return media(site, request, unquote(match["name"]))


ROUTES = [
    (r"/dir/(?P<shape>nginx|nginx-json|apache|python)/(?P<name>[^/]+)/(?P<file>[^/]*)",
     "directory", _listing),
    (r"/feeds/(?P<shape>rss|atom|torrent|nyaa)/[^/]+\.xml", "rss", _feed),
    (r"/media/(?P<name>[^/]+)", "rss", _media),
    (r"/stream-(?P<name>\d+\.mp4)", "animeultime", _media),
    (r"/ddl/\d+/orig/(?P<name>[^/]+)", "animeultime", _media),
]
