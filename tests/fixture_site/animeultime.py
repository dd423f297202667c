"""anime-ultime pages (ISO-8859-1): catalogue, series, episode, stream files, the DDL wait."""

from __future__ import annotations

import html
import json
import re
import time
from typing import TYPE_CHECKING

from werkzeug.wrappers import Request, Response

from tests.fixture_site.server import template
from tests.fixture_site.state import Show

if TYPE_CHECKING:
    from tests.fixture_site.server import FixtureSite

SERIES_RE = re.compile(r"/file-0-1/(?P<id>\d+)(?:/(?P<slug>[^/]*))?")
# No charset in the header: the page declares it in a <meta> (like the real site).
HTML = "text/html"


def _latin1(page: str, status: int = 200) -> Response:
    return Response(page.encode("iso-8859-1", errors="replace"), status=status,
                    content_type=HTML)


def _series(site: FixtureSite) -> list[tuple[Show, re.Match]]:
    found = []
    for show in site.shows.values():
        match = SERIES_RE.fullmatch(show.key) if show.provider == "animeultime" else None
        if match:
            found.append((show, match))
    return found


def _find(site: FixtureSite, series_id: str) -> Show | None:
    return next((s for s, m in _series(site) if m["id"] == series_id), None)


def episode_slug(show: Show, number: int) -> str:
    """'Nanoha-A-s-vostfr' episode 1 -> 'Nanoha-A-s-01-vostfr'."""
    base = show.key.rsplit("/", 1)[-1].removesuffix("-vostfr")
    return f"{base}-{number:02d}-vostfr"


def episode_id(show: Show, number: int) -> int:
    """The site-wide id of an episode."""
    return int(show.options.get("first_episode_id", 1000)) + number - 1


def stream_id(show: Show, number: int) -> int:
    """The stream file number of an episode (unrelated to its id, as on the real site)."""
    return episode_id(show, number) + 50000


def _by_episode_id(site: FixtureSite, wanted: int) -> tuple[Show, int] | None:
    for show, _m in _series(site):
        number = wanted - episode_id(show, 1) + 1
        if 1 <= number <= show.episodes:
            return show, number
    return None


def catalogue(site: FixtureSite, request: Request, match: re.Match) -> Response:
    """/series-0-1/anime/0-: every series in a `.jtable`, its name only in the image title."""
    rows = "\n".join(
        f'<tr><td><a href="file-0-1/{m["id"]}/{m["slug"]}"><img src="{s.poster}" '
        f'title="{html.escape(s.title)}" width="60" border="0"></a></td><td>Episode</td>'
        f'<td align="center">{s.episodes}/{s.episodes + 9}</td><td>4.5</td></tr>'
        for s, m in _series(site))
    return _latin1(template("animeultime", "catalogue.html").substitute(rows=rows))


def series(site: FixtureSite, request: Request, match: re.Match) -> Response:
    """The series page: one row per episode with Télécharger / Stream links."""
    show = _find(site, match["id"])
    if show is None:
        from tests.fixture_site.routes import not_found
        return not_found()
    rows = "\n".join(
        f'<tr><td>Episode {n:02d}</td><td><a href="ddl/{episode_id(show, n)}">Télécharger</a>'
        f' - <a href="info-0-1/{episode_id(show, n)}/{episode_slug(show, n)}#stream">Stream'
        f'</a></td><td>Fansub Équipe</td></tr>' for n in range(1, show.episodes + 1))
    resp = _latin1(template("animeultime", "series.html").substitute(
        title=show.title, poster=show.poster, synopsis=show.synopsis, rows=rows))
    resp.last_modified = show.modified_at
    return resp


def episode(site: FixtureSite, request: Request, match: re.Match) -> Response:
    """An episode page whose og:video is the direct MP4."""
    found = _by_episode_id(site, int(match["id"]))
    if found is None:
        from tests.fixture_site.routes import not_found
        return not_found()
    show, number = found
    video = f"{site.origin(request)}/stream-{stream_id(show, number)}.mp4"
    return _latin1(template("animeultime", "episode.html").substitute(
        title=show.title, number=number, video=video, episode_id=match["id"]))


def playlist(site: FixtureSite, request: Request, match: re.Match) -> Response:
    """/playlist-<seriesId>.xml: the JW Player playlist, malformed like the real one."""
    show = _find(site, match["id"])
    if show is None:
        from tests.fixture_site.routes import not_found
        return not_found()
    origin = site.origin(request)
    items = "".join(
        f"""    <item>
      <title>{show.title} {n:02d}</title>
      <description>Fansub Par Fixture-Fansub</description>
      <link>{origin}</link>
      <pubDate>2010-08-29T18:45:50+01:00</pubDate>
      <media:content url="{origin}/stream-{stream_id(show, n)}.mp4" duration="1444" />
      <media:thumbnail url="{origin}/img_resize.php?img=images/img{n}.png" />
\t    <jwplayer:mediaid>{8800 + n}</jwplayer:file>
\t    <jwplayer:file>{origin}/stream-{stream_id(show, n)}.mp4</jwplayer:file>
\t    <jwplayer:hd.file>{origin}/stream-{stream_id(show, n) + 100000}.mp4<jwplayer:hd.file>
      <jwplayer:provider>http</jwplayer:provider>
    </item>
""" for n in range(1, show.episodes + 1))
    body = ('<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/" '
            'xmlns:jwplayer="http://developer.longtailvideo.com/">\n  <channel>\n'
            f"    <title>Playlist</title>\n{items}  </channel>\n</rss>\n")
    resp = Response(body.encode("iso-8859-1", errors="replace"), content_type="text/xml")
    resp.last_modified = show.modified_at
    return resp


def ddl(site: FixtureSite, request: Request, match: re.Match) -> Response:
    """POST idfile=<id>&type=orig: first a wait, then (after it) the link."""
    if request.method != "POST":
        return Response("", status=405)
    file_id = request.form.get("idfile", "")
    found = _by_episode_id(site, int(file_id)) if file_id.isdigit() else None
    if found is None:
        return Response(json.dumps({"auth": False, "error": "fichier introuvable"}),
                        content_type="application/json", status=404)
    now = time.monotonic()
    with site._lock:
        started = site.ddl_started.setdefault(file_id, now)
    remaining = site.ddl_wait - (now - started)
    if remaining > 0:
        answer = {"auth": False, "wait": round(remaining, 3), "iduser": -1}
    else:
        site.ddl_started.pop(file_id, None)
        show, number = found
        name = f"{show.title} - {number:02d}.avi"
        answer = {"auth": True, "link": f"/ddl/{file_id}/orig/{name}", "wait": 0, "iduser": -1}
    return Response(json.dumps(answer).replace("/", "\\/"), content_type="application/json")


ROUTES = [
    (r"/series-0-1/anime/0-", "animeultime", catalogue),
    (SERIES_RE.pattern, "animeultime", series),
    (r"/info-0-1/(?P<id>\d+)(?:/[^/]*)?", "animeultime", episode),
    (r"/playlist-(?P<id>\d+)\.xml", "animeultime", playlist),
    (r"/ddl/authorized_download\.php", "animeultime", ddl),
]
