"""anime-sama: French catalogue whose domain changes every few months.

Sources are keyed by the path `/catalogue/<slug>/<season>/<lang>/`, never the domain, and
fetched from the base URL in force. That base URL is resolved at run time and cached for
an hour: the configured ANIMESAMA_BASE_URL; else the first admin mirror that answers like
the site, then the portal page's "Accéder à Anime-Sama" link (ANIMESAMA_PORTAL_BASE_URL,
default https://anime-sama.pw/) followed through its redirects, then the built-in default.
When a known domain redirects to a new one, the new one is adopted.

A check costs one request when nothing changed: `episodes.js` with the stored ETag /
Last-Modified (a 304). When it changed, the season page is fetched too, for the episode
numbering of `creerListe/newSP/finirListe` (specials such as 3.5) and the title.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

from webapp.sites.providers.animesama import parse
from webapp.sites.providers.base import NormalisedUrl, Provider
from webapp.sites.providers.fetching import fetch
from webapp.sites.types import (
    AnimeInfo,
    Conditional,
    Episode,
    EpisodeList,
    Player,
    ProviderError,
    SiteMoved,
    SiteUnreachable,
)
from webapp.sites.urls import host_of, origin_of

SPECIAL_SEGMENTS = ("film", "films", "oav", "oavs", "ova", "ovas", "special", "specials")
SEASON_SEGMENT_RE = re.compile(r"^saison(\d+)")
SEASON_PATH_RE = re.compile(
    r"^/catalogue/(?P<slug>[a-z0-9][a-z0-9._-]*)/(?P<season>[a-z0-9_-]+)/(?P<lang>[a-z0-9]+)/?"
    r"(?:episodes\.js)?$", re.I)

log = logging.getLogger(__name__)

PORTAL_URL = "https://anime-sama.pw/"
BASE_TTL_SECONDS = 3600.0
SEARCH_PATH = "/catalogue/"
QUICK_SEARCH_PATH = "/template-php/defaut/fetch.php"


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
    langs: ClassVar[tuple[str, ...]] = ("vostfr", "vf", "vf1", "vf2", "va", "vcn", "vj",
                                        "vkr", "vqc")
    default_lang: ClassVar[str] = "vostfr"
    can_search: ClassVar[bool] = True
    example_urls: ClassVar[tuple[str, ...]] = (
        "https://anime-sama.si/catalogue/frieren/saison1/vostfr/",
        "https://anime-sama.to/catalogue/naruto-shippuden/saison2/vf/",
        "https://anime-sama.fr/catalogue/one-piece/film/vostfr",
    )

    _resolved: tuple[str, float] | None = field(default=None, init=False, repr=False,
                                                compare=False)

    @classmethod
    def library_season(cls, key: str) -> int:
        """`saisonN` is season N; films, OAVs and specials are season 0."""
        parts = [p for p in key.strip("/").split("/") if p]
        segment = parts[2].lower() if len(parts) >= 4 else ""
        if segment.startswith(SPECIAL_SEGMENTS):
            return 0
        match = SEASON_SEGMENT_RE.match(segment)
        return int(match.group(1)) if match else 1

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
            link = parse.portal_link(page.text, page.url)
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
        season = parse.season_number(key.strip("/").split("/")[2])
        base = self.resolve_base_url(client)
        page = self._get(client, key + "episodes.js", what="the episode list",
                         conditional=conditional, headers={"Referer": base + key},
                         max_bytes=2 * 1024 * 1024)
        validators = Conditional(page.etag, page.last_modified)
        if page.not_modified:
            return EpisodeList(not_modified=True, season=season, validators=validators)
        arrays = parse.episode_arrays(page.text)
        length = max((len(a) for a in arrays), default=0)
        title, names = None, [parse.EpisodeName(i + 1) for i in range(length)]
        if any(parse.is_plausible(url) for array in arrays for url in array):
            season_page = self._get(client, key, what="the season page")
            names = parse.episode_names(season_page.text, length)
            title = parse.season_title(season_page.text)
        episodes = []
        for index in range(length):
            urls = dict.fromkeys(parse.absolute(a[index].strip()) for a in arrays
                                 if index < len(a) and parse.is_plausible(a[index]))
            if urls:
                name = names[index]
                episodes.append(Episode(
                    number=name.number, title=name.title, special=name.special,
                    players=tuple(Player(url=u, kind="embed") for u in urls)))
        episodes.sort(key=lambda e: e.number)
        return EpisodeList(episodes=tuple(episodes), title=title, season=season,
                           validators=validators)

    # --- info and search ---------------------------------------------------------------

    def anime_info(self, client: Any, key: str, lang: str) -> AnimeInfo:
        """The hub page of the source's anime: title, cover, synopsis, genres, seasons."""
        slug = key.strip("/").split("/")[1]
        page = self._get(client, f"/catalogue/{slug}/", what="the anime page")
        info = parse.hub_info(page.text, page.url)
        base = origin_of(page.url)
        seasons = tuple((label, f"{base}/catalogue/{slug}/{path}/")
                        for label, path in info.seasons)
        langs = tuple(dict.fromkeys([lang, *(p.rsplit("/", 1)[-1] for _l, p in info.seasons)]))
        return AnimeInfo(title=info.title, url=f"{base}/catalogue/{slug}/",
                         provider_id=self.id, alt_titles=info.alt_titles,
                         poster_image=info.poster, synopsis=info.synopsis, genres=info.genres,
                         langs=langs, seasons=seasons)

    def search(self, client: Any, query: str) -> list[AnimeInfo]:
        """The catalogue page's results; the quick-search endpoint when that fails or is empty."""
        hits: list[parse.SearchHit] = []
        error: ProviderError | None = None
        try:
            page = self._get(client, SEARCH_PATH, what="the catalogue",
                             params={"search": query})
            hits = parse.search_hits(page.text, page.url)
        except ProviderError as exc:
            error = exc
        if not hits and query.strip():
            try:
                page = self._get(client, QUICK_SEARCH_PATH, what="the quick search",
                                 method="POST", data={"query": query},
                                 headers={"X-Requested-With": "XMLHttpRequest"})
                hits = parse.search_hits(page.text, page.url)
                error = None
            except ProviderError as exc:
                error = error or exc
        if error is not None and not hits:
            raise error
        base = self.resolve_base_url(client)
        return [AnimeInfo(title=h.title, url=f"{base}/catalogue/{h.slug}/", provider_id=self.id,
                          alt_titles=h.alt_titles, poster_image=h.poster, genres=h.genres,
                          langs=h.langs) for h in hits]
