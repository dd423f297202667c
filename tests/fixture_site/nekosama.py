"""neko-sama pages: JSON search index per language, info pages, episode pages."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from werkzeug.wrappers import Request, Response

from tests.fixture_site.server import template
from tests.fixture_site.state import Show

if TYPE_CHECKING:
    from tests.fixture_site.server import FixtureSite

INFO_RE = re.compile(r"/anime/info/(?P<id>\d+)-(?P<slug>[a-z0-9-]+)_(?P<lang>vostfr|vf)")
HTML = "text/html; charset=utf-8"


def _shows(site: FixtureSite, lang: str) -> list[tuple[Show, re.Match]]:
    found = []
    for show in site.shows.values():
        match = INFO_RE.fullmatch(show.key) if show.provider == "nekosama" else None
        if match and match["lang"] == lang:
            found.append((show, match))
    return found


def episode_path(match: re.Match, number: int) -> str:
    """/anime/episode/<id>-<slug>-<NN>_<lang>."""
    return f"/anime/episode/{match['id']}-{match['slug']}-{number:02d}_{match['lang']}"


def js_json(value: object) -> str:
    """JSON the way the site prints it: slashes escaped."""
    return json.dumps(value, ensure_ascii=False).replace("/", "\\/")


def search_index(site: FixtureSite, request: Request, match: re.Match) -> Response:
    """/animes-search-<lang>.json: every anime of that language."""
    entries = [{
        "id": int(m["id"]), "title": show.title,
        "title_english": show.alt_titles[0] if show.alt_titles else None,
        "title_romanji": show.title, "title_french": None,
        "others": ", ".join(show.alt_titles), "type": "tv", "status": "1",
        "popularity": 12.5, "url": show.key, "genres": list(show.genres),
        "url_image": show.poster, "score": "4.21", "start_date_year": "2018",
        "nb_eps": f"{show.episodes} Eps",
    } for show, m in _shows(site, match["lang"])]
    return Response(js_json(entries), content_type="application/json")


def info(site: FixtureSite, request: Request, match: re.Match) -> Response:
    """The anime page with its inline `var episodes = [...]`."""
    show = site.shows.get(request.path)
    if show is None:
        from tests.fixture_site.routes import not_found
        return not_found()
    episodes = [{"time": "24 min", "episode": f"Ep. {n}", "title": show.title,
                 "url": episode_path(match, n), "url_image": f"https://cdn.example/{n}.jpg"}
                for n in range(1, show.episodes + 1)]
    page = template("nekosama", "info.html").substitute(
        title=show.title, poster=show.poster, synopsis=show.synopsis,
        lang_label=match["lang"].upper(), episodes=js_json(episodes),
        genres="".join(f'<a href="/anime?genre={g}">{g}</a>' for g in show.genres))
    resp = Response(page, content_type=HTML)
    resp.last_modified = show.modified_at
    return resp


def _video_line(style: str, index: int, url: str) -> str:
    """One player of the page's `video` array: `video[0] = '…'`, `video[] = '…'` or push."""
    if style == "push":
        return f"  video.push('{url}');"
    return f"  video[{'' if style == 'bare' else index}] = '{url}';"


def episode(site: FixtureSite, request: Request, match: re.Match) -> Response:
    """An episode page with `video[n] = '...'` players (show option `video_style`:
    "indexed", the default; "bare" for `video[] = '...'`; "push" for `video.push('...')`)."""
    key = f"/anime/info/{match['id']}-{match['slug']}_{match['lang']}"
    show = site.shows.get(key)
    number = int(match["number"])
    if show is None or not 1 <= number <= show.episodes:
        from tests.fixture_site.routes import not_found
        return not_found()
    token = f"{match['id']}{number:03d}"
    players = [f"https://fusevideo.io/f/u/{token}", f"https://pstream.net/e/{token}",
               f"https://streamtape.com/e/{token}"]
    video = "\n".join(_video_line(show.options.get("video_style", "indexed"), i, url)
                      for i, url in enumerate(players))
    page = template("nekosama", "episode.html").substitute(
        title=show.title, number=number, video=video)
    return Response(page, content_type=HTML)


ROUTES = [
    (r"/animes-search-(?P<lang>vostfr|vf)\.json", "nekosama", search_index),
    (INFO_RE.pattern, "nekosama", info),
    (r"/anime/episode/(?P<id>\d+)-(?P<slug>[a-z0-9-]+?)-(?P<number>\d+)_(?P<lang>vostfr|vf)",
     "nekosama", episode),
]
