"""anime-sama pages: home, portal, catalogue/search, fetch.php, hub, season, episodes.js.

The pages follow the 2026 shapes of tests/fixtures/SOURCES.md Part 1 (see each template's
first line). Show options: `names`, the season page's own naming block; `script`, one
more inline script (e.g. One Piece's `function finirListeOP`); `players`, the embed URL
templates in the site's order (`{id}` numeric, `{token}` text); `filever=False` loads
a bare `episodes.js` without the cache buster; `state`, the hub's État text (default
"En cours", "Terminé" for a finished anime), read from the hub's first season.
"""

from __future__ import annotations

import zlib
from datetime import datetime
from string import Template
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from werkzeug.wrappers import Request, Response

from tests.fixture_site.server import FIXTURES, template
from tests.fixture_site.state import Show

if TYPE_CHECKING:
    import re

    from tests.fixture_site.server import FixtureSite

# The 2026 players in the site's order (SOURCES.md Part 1 §3.2). Downloads rank Sibnet
# first, and the fixture site serves Sibnet (hosts.py): keep a Sibnet player in every show.
PLAYERS = (
    "https://lpayer.embed4me.com/#{token}",
    "https://ansembed.net/embed-{token}.html",
    "https://video.sibnet.ru/shell.php?videoid={id}",
)
LAGGING_PLAYER = 1  # the ansembed array lags one episode behind, like a slow upload
LANG_FLAGS = {"vostfr": "JP", "vf": "FR", "va": "EN"}
HTML = "text/html; charset=utf-8"
AIRING = "En cours"


def _seasons(site: FixtureSite, slug: str) -> list[Show]:
    prefix = f"/catalogue/{slug}/"
    return [s for s in site.shows.values() if s.provider == "animesama"
            and s.key.startswith(prefix)]


def _hubs(site: FixtureSite) -> dict[str, list[Show]]:
    hubs: dict[str, list[Show]] = {}
    for show in site.shows.values():
        if show.provider == "animesama":
            hubs.setdefault(show.key.split("/")[2], []).append(show)
    return hubs


def _matches(show: Show, query: str) -> bool:
    query = query.strip().lower()
    return not query or any(query in t.lower() for t in (show.title, *show.alt_titles))


def season_label(season: str) -> str:
    """'saison2' -> 'Saison 2', 'saison4-2' -> 'Saison 4 Partie 2', 'oav' -> 'OAV'."""
    if season.startswith("saison"):
        number, _, part = season.removeprefix("saison").partition("-")
        if number.endswith("hs"):
            return f"Saison {number[:-2]} Hors-Série"
        return f"Saison {number}" + (f" Partie {part}" if part else "")
    return "OAV" if season == "oav" else season.capitalize()


def player_url(show: Show, player: int, episode: int | None) -> str:
    """The embed URL of `episode` (1-based) on `player`; None gives the placeholder."""
    templates = show.options.get("players", PLAYERS)
    seed = zlib.crc32(show.key.encode()) % 90000 + 10000
    if episode is None:
        return templates[player].format(id="", token="")
    return templates[player].format(id=seed * 100 + episode,
                                    token=f"{seed:x}{player}e{episode:03d}")


def episodes_js(show: Show) -> str:
    """episodes.js as in 2026: one URL a line, trailing commas, placeholders last, final //."""
    templates = show.options.get("players", PLAYERS)
    blocks = []
    for player in range(len(templates)):
        lagging = player == LAGGING_PLAYER and len(templates) > 2
        count = show.episodes - 1 if lagging else show.episodes
        entries = [player_url(show, player, n) for n in range(1, max(count, 0) + 1)]
        entries += [player_url(show, player, None)] * show.placeholders
        lines = "".join(f"'{e}',\n" for e in entries)
        blocks.append(f"var eps{player + 1} = [\n{lines}];\n")
    return "".join(blocks) + "//\n"


def _fragment(name: str) -> Template:
    """A repeated fragment template without its first-line provenance comment."""
    text = (FIXTURES / "animesama" / name).read_text(encoding="utf-8")
    if text.startswith("<!--"):
        text = text.split("\n", 1)[1]
    return Template(text)


def _card(site: FixtureSite, request: Request, slug: str, seasons: list[Show],
          name: str) -> str:
    first = seasons[0]
    langs = dict.fromkeys(s.key.split("/")[4] for s in seasons)
    genres = [f'<span class="genre-tag">{g}</span>' for g in first.genres[:5]]
    if len(first.genres) > 5:
        genres.append('<span class="genre-tag">…</span>')
    flags = dict.fromkeys(LANG_FLAGS[lang] for lang in langs if lang in LANG_FLAGS)
    return _fragment(name).substitute(
        url=f"{site.origin(request)}/catalogue/{slug}/", path=f"/catalogue/{slug}",
        title=first.title, poster=first.poster, alt_titles=", ".join(first.alt_titles),
        synopsis=first.synopsis, genre_tags="".join(genres), types="Anime",
        lang_flags="".join(f'<span class="lang-flag" title="{f}">{f}</span>' for f in flags))


RECENT_CARD = """  <div class="anime-card-premium" data-release-ts="{ts}">
    <a href="{href}">
      <div class="relative"><img class="card-image" src="{poster}" alt="{title}">
        <span class="badge-text">Anime</span>
        <img class="flag-icon" src="https://cdn.example/flag_{flag}.png" alt="{lang}"
             title="{lang}"></div>
      <h3 class="card-title">{title}</h3>
      <div class="info-item episode"><span class="info-text">{label}</span></div>
      <div class="info-item release-time"><span class="time-text">{when}</span></div>
    </a>
  </div>"""
RECENT_COUNT = 30


def recent_card(site: FixtureSite, request: Request, show: Show) -> str:
    """One "Derniers épisodes ajoutés" card: the show's newest episode, when published."""
    season, lang = show.key.split("/")[3:5]
    number = season.removeprefix("saison") if season.startswith("saison") else season
    when = datetime.fromtimestamp(show.modified_at, ZoneInfo("Europe/Paris"))
    return RECENT_CARD.format(
        ts=int(show.modified_at), href=show.key, poster=show.poster, title=show.title,
        flag="fr" if lang.startswith("vf") else "jp", lang=lang.upper(),
        label=f"Saison {number} Episode {show.episodes}", when=when.strftime("%d/%m/%Y %H:%M"))


def home(site: FixtureSite, request: Request, match: re.Match) -> Response:
    """The home page: the newest released episodes first in its "ajouts animes" section."""
    shows = sorted((s for s in site.shows.values() if s.provider == "animesama" and s.episodes),
                   key=lambda s: s.modified_at, reverse=True)[:RECENT_COUNT]
    latest = "\n".join(recent_card(site, request, show) for show in shows)
    resp = Response(template("animesama", "home.html").substitute(latest=latest),
                    content_type=HTML)
    if shows:
        resp.last_modified = shows[0].modified_at
    return resp


def planning(site: FixtureSite, request: Request, match: re.Match) -> Response:
    """The weekly planning page (a static fixture)."""
    return Response((FIXTURES / "animesama" / "planning.html").read_bytes(), content_type=HTML)


def portal(site: FixtureSite, request: Request, match: re.Match) -> Response:
    """The portal page whose button links to the current domain."""
    target = site.portal_target or site.moved_to or site.url
    return Response(template("animesama", "portal.html").substitute(target=target),
                    content_type=HTML)


def catalogue(site: FixtureSite, request: Request, match: re.Match) -> Response:
    """GET /catalogue/?search=q: cards of the matching anime."""
    query = request.args.get("search", "")
    cards = [_card(site, request, slug, seasons, "card.html")
             for slug, seasons in _hubs(site).items() if _matches(seasons[0], query)]
    return Response(template("animesama", "catalogue.html").substitute(
        query=query, cards="\n".join(cards)), content_type=HTML)


def quick_search(site: FixtureSite, request: Request, match: re.Match) -> Response:
    """POST fetch.php query=q: an HTML fragment of results (GET is refused like the site)."""
    if request.method != "POST":
        return Response("", status=405)
    query = request.form.get("query", "")
    items = [_card(site, request, slug, seasons, "fetch_item.html")
             for slug, seasons in _hubs(site).items() if query and _matches(seasons[0], query)]
    return Response("\n".join(items), content_type=HTML)


def hub(site: FixtureSite, request: Request, match: re.Match) -> Response:
    """The anime page: title, cover, État, synopsis, genre pills, one panneauAnime() per
    season."""
    seasons = _seasons(site, match["slug"])
    if not seasons:
        from tests.fixture_site.routes import not_found
        return not_found()
    first = seasons[0]
    panels: dict[str, list[str]] = {"anime": [], "kai": []}
    seen = set()
    for show in seasons:
        season = show.key.split("/")[3]
        if season not in seen:
            seen.add(season)
            lang = "vostfr" if f"/catalogue/{match['slug']}/{season}/vostfr/" in site.shows \
                else show.key.split("/")[4]
            panels["kai" if season.startswith("kai") else "anime"].append(
                f'    panneauAnime("{season_label(season)}", "{season}/{lang}");')
    kai = ('  <h2 class="text-white text-xl font-bold uppercase border-b-2 border-sky-700 '
           'mt-5">Anime Version Kai</h2>\n  <div class="flex flex-wrap"><script>\n'
           + "\n".join(panels["kai"]) + "\n  </script></div>") if panels["kai"] else ""
    page = template("animesama", "hub.html").substitute(
        title=first.title, alt_titles=", ".join(first.alt_titles), poster=first.poster,
        synopsis=first.synopsis, panels="\n".join(panels["anime"]), kai_section=kai,
        state=first.options.get("state", AIRING),
        genre_pills="\n".join(f'      <span class="genre-pill">{g}</span>'
                              for g in first.genres))
    return Response(page, content_type=HTML)


def _season_show(site: FixtureSite, match: re.Match) -> Show | None:
    key = f"/catalogue/{match['slug']}/{match['season']}/{match['lang']}/"
    return site.shows.get(key)


def season(site: FixtureSite, request: Request, match: re.Match) -> Response:
    """The season player page that loads episodes.js?filever=N."""
    show = _season_show(site, match)
    if show is None:
        from tests.fixture_site.routes import not_found
        return not_found()
    filever = int(show.modified_at) % 10000
    src = f"episodes.js?filever={filever}" if show.options.get("filever", True) \
        else "episodes.js"
    script = show.options.get("script", "")
    page = template("animesama", "season.html").substitute(
        title=show.title, season_label=season_label(match["season"]),
        names=show.options.get("names", ""), episodes_src=src,
        script=f"  <script>\n{script}\n  </script>" if script else "")
    resp = Response(page, content_type=HTML)
    resp.last_modified = show.modified_at
    return resp


def episodes(site: FixtureSite, request: Request, match: re.Match) -> Response:
    """episodes.js of a season (404 for a language the season does not have)."""
    show = _season_show(site, match)
    if show is None:
        from tests.fixture_site.routes import not_found
        return not_found()
    resp = Response(episodes_js(show), content_type="application/javascript")
    resp.last_modified = show.modified_at
    return resp


SEASON = r"/catalogue/(?P<slug>[a-z0-9._-]+)/(?P<season>[a-z0-9_-]+)/(?P<lang>[a-z0-9]+)/"
ROUTES = [
    (r"/", "animesama", home),
    (r"/portal/", "animesama", portal),
    (r"/planning/", "animesama", planning),
    (r"/catalogue/", "animesama", catalogue),
    (r"/template-php/defaut/fetch\.php", "animesama", quick_search),
    (r"/catalogue/(?P<slug>[a-z0-9._-]+)/", "animesama", hub),
    (SEASON, "animesama", season),
    (SEASON + r"episodes\.js", "animesama", episodes),
]
