"""anime-sama: French catalogue whose domain changes every few months.

Sources are keyed by the path `/catalogue/<slug>/<season>/<lang>/`, never the domain, and
fetched from the base URL in force. That base URL is resolved at run time and cached for
an hour: the configured ANIMESAMA_BASE_URL; else the first admin mirror that answers like
the site, then the portal page's "Accéder à Anime-Sama" link (ANIMESAMA_PORTAL_BASE_URL,
default https://anime-sama.pw/) followed through its redirects, then the built-in default.
When a known domain redirects to a new one, the new one is adopted.

A check costs one request when nothing changed: `episodes.js` with the stored ETag /
Last-Modified (a 304). The season page loads it as `episodes.js?filever=N`, a cache
buster that changes with the file, but N is only known from the season page, and
fetching that page on every check would double the cost of a quiet check. So the
provider remembers, per source and per process, the last filever it saw and asks
`episodes.js?filever=<last>` (plain `episodes.js` before it knows one; both work on
the site). When the list changed, the season page is fetched for the names and title;
if its filever differs from the one used, episodes.js is fetched again with it, so the
episodes read are those the page itself would load.

Numbering (see naming.py): the season page's `creerListe/newSP/newSPF/finirListe`
calls name each index; specials keep the site's order (3.01…) and named ones go to S00.
`saisonN-M` is part M of season N: it is filed as season N, and when its own numbering
restarts at 1 every number is moved up by the episodes released in the earlier parts
(`saisonN`, `saisonN-2`…, same language; their episodes.js is read only when this list
changed, and their specials are counted too, an approximation that avoids reading their
season pages). A part whose numbering already continues (first episode > 1) is kept.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

from webapp.sites.providers.animesama import episodes as episodes_js
from webapp.sites.providers.animesama import naming, pages
from webapp.sites.providers.animesama.planning import planned_seasons
from webapp.sites.providers.animesama.recent import recent_cards
from webapp.sites.providers.animesama.search import SearchHit, search_hits
from webapp.sites.providers.base import NormalisedUrl, Provider
from webapp.sites.providers.fetching import fetch
from webapp.sites.types import (
    AnimeInfo,
    AnimeRemoved,
    Conditional,
    Episode,
    EpisodeList,
    HubSeasons,
    Player,
    ProviderError,
    RecentEpisode,
    RecentList,
    ScheduledRelease,
    SiteMoved,
    SiteUnreachable,
)
from webapp.sites.urls import host_of, origin_of

SEASON_PATH_RE = re.compile(
    r"^/catalogue/(?P<slug>[a-z0-9][a-z0-9._-]*)/(?P<season>[a-z0-9_-]+)/(?P<lang>[a-z0-9]+)/?"
    r"(?:episodes\.js)?$", re.I)

HUB_PATH_RE = re.compile(r"^/catalogue/(?P<slug>[a-z0-9][a-z0-9._-]*)/?$", re.I)

log = logging.getLogger(__name__)

PORTAL_URL = "https://anime-sama.pw/"
BASE_TTL_SECONDS = 3600.0
SEARCH_PATH = "/catalogue/"
QUICK_SEARCH_PATH = "/template-php/defaut/fetch.php"
PLANNING_PATH = "/planning/"
MAX_REMEMBERED_FILEVERS = 20000


@dataclass
class AnimeSama(Provider):
    """anime-sama.* (VOSTFR/VF catalogue with JS episode lists)."""

    id: ClassVar[str] = "animesama"
    name: ClassVar[str] = "Anime-Sama"
    domains: ClassVar[tuple[str, ...]] = (
        "anime-sama.fr", "anime-sama.org", "anime-sama.eu", "anime-sama.si",
        "anime-sama.tv", "anime-sama.to", "anime-sama.pw",
    )
    default_base_url: ClassVar[str] = "https://anime-sama.to"
    # The site's own order (its videos.js); var is Arabic.
    langs: ClassVar[tuple[str, ...]] = ("vostfr", "vf", "vj", "var", "vcn", "vqc", "vkr", "va",
                                        "vf1", "vf2")
    default_lang: ClassVar[str] = "vostfr"
    can_search: ClassVar[bool] = True
    has_site_feed: ClassVar[bool] = True
    has_schedule: ClassVar[bool] = True
    has_hubs: ClassVar[bool] = True
    example_urls: ClassVar[tuple[str, ...]] = (
        "https://anime-sama.si/catalogue/frieren/saison1/vostfr/",
        "https://anime-sama.to/catalogue/naruto-shippuden/saison2/vf/",
        "https://anime-sama.fr/catalogue/one-piece/film/vostfr",
    )

    _resolved: tuple[str, float] | None = field(default=None, init=False, repr=False,
                                                compare=False)
    _filevers: dict[str, str] = field(default_factory=dict, init=False, repr=False,
                                      compare=False)

    @classmethod
    def library_season(cls, key: str) -> int:
        """`saisonN` and `saisonN-M` are season N; films, OAVs and hors-série are 0."""
        parts = [p for p in key.strip("/").split("/") if p]
        return episodes_js.season_number(parts[2]) if len(parts) >= 4 else 1

    def normalise(self, url: str, lang: str | None = None) -> NormalisedUrl:
        """Keep `/catalogue/<slug>/<season>/<lang>/`; a given `lang` replaces the URL's."""
        url, match = self._match_path(url, SEASON_PATH_RE,
                                      "An anime-sama URL must name a season and a language, "
                                      "like /catalogue/<anime>/saison1/vostfr/.")
        lang = (lang or match["lang"]).lower()
        lang = self._check_lang(lang, f"Unknown anime-sama language {lang!r} "
                                      f"(one of {', '.join(self.langs)}).")
        path = f"/catalogue/{match['slug'].lower()}/{match['season'].lower()}/{lang}/"
        return NormalisedUrl(key=path, lang=lang, display_url=origin_of(url) + path)

    def page_kind(self, url: str) -> tuple[str, str | None]:
        """The catalogue (`/catalogue/?search=q`) and the quick search are searches; an
        anime's own page (`/catalogue/<slug>/`) is the "anime" page of its seasons."""
        parts = urlsplit(url)
        if parts.path.rstrip("/") in ("", "/catalogue") or parts.path == QUICK_SEARCH_PATH:
            return ("search", dict(parse_qsl(parts.query)).get("search", ""))
        hub = HUB_PATH_RE.match(parts.path)
        if hub:
            return ("anime", f"/catalogue/{hub['slug'].lower()}/saison1/{self.default_lang}/")
        return ("season", None)

    # --- base URL ----------------------------------------------------------------------

    def page_hosts(self) -> tuple[str, ...]:
        """Known domains, mirrors, the configured and the resolved base URL's hosts."""
        extra = [host_of(self._resolved[0])] if self._resolved else []
        return tuple(dict.fromkeys([*self.known_domains(), *extra]))

    def current_base_url(self) -> str:
        """The last resolved base URL (within its hour), else the configured/default one."""
        if self._resolved and self._resolved[1] > time.monotonic():
            return self._resolved[0]
        return self.base_url

    def _adopt(self, origin: str) -> str:
        self._resolved = (origin.rstrip("/"), time.monotonic() + BASE_TTL_SECONDS)
        return self._resolved[0]

    def resolve_base_url(self, client: Any) -> str:
        """The origin to fetch from now (cached for an hour; see the module docstring)."""
        if self._resolved and self._resolved[1] > time.monotonic():
            return self._resolved[0]
        if self.settings.base_url:
            return self._adopt(self.settings.base_url)
        mirrors = [m if "://" in m else f"https://{m}" for m in self.settings.mirrors]
        for candidate in mirrors:
            found = self._probe(client, candidate.rstrip("/") + "/")
            if found:
                return self._adopt(found)
        portal = self.settings.portal_url or PORTAL_URL
        try:
            page = fetch(client, portal, site=f"{self.name} portal", allowed_hosts=None)
            link = pages.portal_link(page.text, page.url)
        except ProviderError as exc:
            log.warning("anime-sama portal %s failed: %s", portal, exc)
            link = None
        found = self._probe(client, link) if link else None
        if not found:
            found = self._probe(client, self.default_base_url + "/")
        if not found:
            raise SiteUnreachable(
                f"{self.name}: neither the mirrors, the portal ({portal}) nor "
                f"{self.default_base_url} answered; set ANIMESAMA_BASE_URL to the current "
                "domain.")
        return self._adopt(found)

    def _probe(self, client: Any, url: str) -> str | None:
        """The origin `url` ends up on (after redirects) when it serves the site."""
        try:
            page = fetch(client, url, site=self.name, allowed_hosts=None)
        except ProviderError as exc:
            log.info("anime-sama candidate %s failed: %s", url, exc)
            return None
        return origin_of(page.url) if "/catalogue" in page.text else None

    def _get(self, client: Any, path: str, *, what: str, **kwargs: Any) -> Any:
        """Fetch a path from the base URL in force, adopting a redirect to a new domain."""
        base = self.resolve_base_url(client)
        headers = {"Referer": base + "/", "Origin": base, **kwargs.pop("headers", {})}
        try:
            page = fetch(client, base + path, site=self.name, what=what,
                         allowed_hosts=self.page_hosts(), headers=headers, **kwargs)
        except SiteMoved as moved:
            base = self._adopt(origin_of(moved.location))
            log.warning("anime-sama moved to %s", base)
            page = fetch(client, base + path, site=self.name, what=what,
                         allowed_hosts=self.page_hosts(), headers=headers, **kwargs)
        if origin_of(page.url) != base:
            self._adopt(origin_of(page.url))
        return page

    # --- episodes ----------------------------------------------------------------------

    def fetch_episodes(self, client: Any, key: str, lang: str,
                       conditional: Conditional | None = None) -> EpisodeList:
        """episodes.js (conditional); on a change, the season page for numbering and title."""
        folder = key.strip("/").split("/")[2]
        season = episodes_js.season_number(folder)
        used = self._filevers.get(key)
        page = self._episodes_js(client, key, used, conditional)
        if page.not_modified:
            return EpisodeList(not_modified=True, season=season,
                               validators=Conditional(page.etag, page.last_modified))
        arrays = episodes_js.episode_arrays(page.text)
        season_page = None
        if episodes_js.released_count(arrays):
            season_page = self._get(client, key, what="the season page")
            filever = pages.season_filever(season_page.text)
            if filever is not None and filever != used:
                self._remember_filever(key, filever)
                page = self._episodes_js(client, key, filever, None)
                arrays = episodes_js.episode_arrays(page.text)
        length = max((len(a) for a in arrays), default=0)
        labels = naming.site_labels(season_page.text, length) if season_page else None
        names = naming.episode_names(labels, length, season == 0)
        if names and episodes_js.season_part(folder) and \
                min((n.number for n in names if not n.special), default=0) == 1:
            names = naming.shifted(names, self._earlier_parts_count(client, key, lang))
        title = pages.season_title(season_page.text) if season_page else None
        return EpisodeList(episodes=_released(arrays, names), title=title, season=season,
                           validators=Conditional(page.etag, page.last_modified))

    def _episodes_js(self, client: Any, key: str, filever: str | None,
                     conditional: Conditional | None) -> Any:
        base = self.resolve_base_url(client)
        return self._get(client, key + "episodes.js", what="the episode list",
                         params={"filever": filever} if filever else None,
                         conditional=conditional, headers={"Referer": base + key},
                         max_bytes=2 * 1024 * 1024)

    def _remember_filever(self, key: str, filever: str) -> None:
        if len(self._filevers) >= MAX_REMEMBERED_FILEVERS:
            self._filevers.clear()
        self._filevers[key] = filever

    def _earlier_parts_count(self, client: Any, key: str, lang: str) -> int:
        """Episodes released in the parts before a `saisonN-M` source (same language)."""
        slug, folder = key.strip("/").split("/")[1:3]
        total = 0
        for alternatives in episodes_js.earlier_parts(folder):
            for candidate in alternatives:
                path = f"/catalogue/{slug}/{candidate}/{lang}/"
                try:
                    page = self._get(client, path + "episodes.js", what="an earlier part's "
                                     "episode list", max_bytes=2 * 1024 * 1024)
                    total += episodes_js.released_count(episodes_js.episode_arrays(page.text))
                    break
                except AnimeRemoved:
                    log.info("anime-sama has no %s for the numbering of %s", path, key)
        return total

    def recently_added(self, client: Any, conditional: Conditional | None = None) -> RecentList:
        """The home page's recently added episodes (conditional: a 304 when unchanged)."""
        page = self._get(client, "/", what="the home page", conditional=conditional)
        validators = Conditional(page.etag, page.last_modified)
        if page.not_modified:
            return RecentList(not_modified=True, validators=validators)
        cards = recent_cards(page.text, page.url)
        return RecentList(entries=tuple(
            RecentEpisode(key=c.key, lang=c.lang, label=c.label, released_at=c.released_at)
            for c in cards), validators=validators)

    def release_schedule(self, client: Any) -> list[ScheduledRelease]:
        """The `/planning/` page: each airing season's weekday and Paris time."""
        page = self._get(client, PLANNING_PATH, what="the planning")
        return planned_seasons(page.text)

    # --- info and search ---------------------------------------------------------------

    def anime_info(self, client: Any, key: str, lang: str) -> AnimeInfo:
        """The hub page of the source's anime: title, cover, synopsis, genres, seasons."""
        slug = key.strip("/").split("/")[1]
        page = self._get(client, f"/catalogue/{slug}/", what="the anime page")
        info = pages.hub_info(page.text, page.url)
        base = origin_of(page.url)
        seasons = tuple((label, f"{base}/catalogue/{slug}/{path}/")
                        for label, path in info.seasons)
        langs = tuple(dict.fromkeys([lang, *(p.rsplit("/", 1)[-1] for _l, p in info.seasons)]))
        return AnimeInfo(title=info.title, url=f"{base}/catalogue/{slug}/",
                         provider_id=self.id, alt_titles=info.alt_titles,
                         poster_image=info.poster, synopsis=info.synopsis, genres=info.genres,
                         langs=langs, seasons=seasons)

    def hub_key(self, key: str) -> str | None:
        """`/catalogue/<slug>/`, the anime page of a season key."""
        match = SEASON_PATH_RE.match(key)
        return f"/catalogue/{match['slug'].lower()}/" if match else None

    def hub_seasons(self, client: Any, hub_key: str,
                    conditional: Conditional | None = None) -> HubSeasons:
        """The anime page's `panneauAnime` seasons (films, OAVs too) as season keys, and
        whether its info card says the anime is finished."""
        page = self._get(client, hub_key, what="the anime page", conditional=conditional)
        validators = Conditional(page.etag, page.last_modified)
        if page.not_modified:
            return HubSeasons(not_modified=True, validators=validators)
        info = pages.hub_info(page.text, page.url)
        return HubSeasons(seasons=tuple((label, f"{hub_key}{path}/")
                                        for label, path in info.seasons),
                          title=info.title, validators=validators, finished=info.finished)

    def search(self, client: Any, query: str) -> list[AnimeInfo]:
        """The catalogue page's results; the quick-search endpoint when that fails or is empty."""
        hits: list[SearchHit] = []
        error: ProviderError | None = None
        try:
            page = self._get(client, SEARCH_PATH, what="the catalogue",
                             params={"search": query})
            hits = search_hits(page.text, page.url)
        except ProviderError as exc:
            error = exc
        if not hits and query.strip():
            try:
                page = self._get(client, QUICK_SEARCH_PATH, what="the quick search",
                                 method="POST", data={"query": query},
                                 headers={"X-Requested-With": "XMLHttpRequest"})
                hits = search_hits(page.text, page.url)
                error = None
            except ProviderError as exc:
                error = error or exc
        if error is not None and not hits:
            raise error
        base = self.resolve_base_url(client)
        return [AnimeInfo(title=h.title, url=f"{base}/catalogue/{h.slug}/", provider_id=self.id,
                          alt_titles=h.alt_titles, poster_image=h.poster, genres=h.genres,
                          langs=h.langs) for h in hits]


def _released(arrays: list[list[str]], names: list[naming.EpisodeName]) -> tuple[Episode, ...]:
    """The indexes with at least one plausible player, as episodes in number order."""
    episodes = []
    for index, name in enumerate(names):
        urls = dict.fromkeys(episodes_js.absolute(a[index].strip()) for a in arrays
                             if index < len(a) and episodes_js.is_plausible(a[index]))
        if urls:
            episodes.append(Episode(
                number=name.number, title=name.title, special=name.special,
                library_season=name.library_season, library_number=name.library_number,
                players=tuple(Player(url=u, kind="embed") for u in urls)))
    return tuple(sorted(episodes, key=lambda e: e.number))
