"""The provider contract: what a site (or generic kind of source) must do for the app.

A provider is a plain class, instantiated once per process with its `ProviderSettings`
(the base URL in force, the mirrors an admin added, the hosts a generic provider may
fetch). It knows nothing of Flask or the database: URLs and fetched pages go in,
dataclasses come out.

Recognising URLs
    `domains` lists every domain the site has used (old ones included: a URL pasted with
    an old domain still works). `matches(url)` says whether a URL belongs to the
    provider (its domains, mirrors, or for generic providers any allowed host);
    `normalise(url, lang)` checks the URL and returns a `NormalisedUrl`: `key`, what
    identifies the source in the database (a path for sites whose domain changes, so
    the base URL in force is used to fetch it; a full URL for generic providers),
    `lang`, and `display_url`, the URL as kept on the item. It raises `UrlError` with a
    sentence for a person when the URL is not one of the provider's anime pages.

`example_urls` are URLs the provider must recognise and no other provider may; the
registry test runs them all.

Site status
    `live_domain_known` is False for a site with no known working domain (neko-sama since
    2024): its provider stays, with a configurable base URL, for a mirror or a return.
    `status_note` is then one sentence for the admin, shown on the providers page and in
    `/api/providers`; None when there is nothing to say.

Fetching (every request goes through the `client`, a webapp.sites.http.client.HttpClient)
    `fetch_episodes(client, key, lang, conditional)` fetches the source once — one
    request when nothing changed: the `Conditional` validators stored on the source are
    sent, and a 304 gives `EpisodeList(not_modified=True)` without parsing. Otherwise it
    lists every released episode in number order (placeholders of unreleased episodes
    never count), each with its players in the site's order, the season number for
    library names, the title as the site gives it, and the new validators.
    `search(client, query)` (when `can_search`) and `anime_info(client, key, lang)` give
    `AnimeInfo`. `page_hosts()` are the hosts pages may come from (the URL guard of
    webapp.sites.http refuses others and private addresses).

Players
    `Player.kind` is "embed" (an embed page on a video host, resolved by webapp.sites.hosts),
    "file" (a direct HTTP file), "hls" (a playlist) or "page": an episode page of the
    provider itself that lists the real players (neko-sama; anime-ultime when its playlist
    lacks an episode), turned into them at download time by `expand_player(client,
    player)`; find the provider with `registry.for_url(player.url)`.

Failures
    Never an empty result for a page that failed: raise a `ProviderError` subclass with a
    sentence for a person — `SiteUnreachable` (timeouts, refused, 5xx, 429; retryable),
    `SiteBlocked` (anti-bot challenge, 403, HTML where JS was expected; retryable),
    `LayoutChanged` (the page no longer has the expected shape), `AnimeRemoved` (404/410),
    `Unsupported` (e.g. a torrent-only feed), `FetchFailed` (URL refused by the guard, page
    too large, endless redirects). webapp.sites.providers.fetching maps HTTP errors to these.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import urlsplit

from webapp.sites.types import (
    AnimeInfo,
    Conditional,
    EpisodeList,
    HubSeasons,
    Player,
    RecentList,
    ScheduledRelease,
    Unsupported,
    UrlError,
)
from webapp.sites.urls import check_http_url, host_matches, host_of


@dataclass(frozen=True)
class ProviderSettings:
    """Install-specific settings of one provider."""

    base_url: str | None = None
    mirrors: tuple[str, ...] = ()
    allowed_hosts: tuple[str, ...] = ()
    # Where the site's portal is (anime-sama: the page linking to the current domain).
    portal_url: str | None = None


@dataclass(frozen=True)
class NormalisedUrl:
    """A checked provider URL: the source key, its language and the URL kept on the item."""

    key: str
    lang: str
    display_url: str


@dataclass
class Provider:
    """Base class of every provider; subclasses set the class attributes below."""

    id: ClassVar[str] = ""
    name: ClassVar[str] = ""
    domains: ClassVar[tuple[str, ...]] = ()
    default_base_url: ClassVar[str] = ""
    langs: ClassVar[tuple[str, ...]] = ()
    default_lang: ClassVar[str] = ""
    can_search: ClassVar[bool] = False
    # Where the site lists its whole catalogue (a page `sites try` reads as a search).
    catalogue_path: ClassVar[str | None] = None
    # Whether the site has one page of recently added episodes (`recently_added`).
    has_site_feed: ClassVar[bool] = False
    # Whether the site publishes a weekly planning (`release_schedule`).
    has_schedule: ClassVar[bool] = False
    # Whether a source belongs to an anime page listing its seasons (`hub_key`, `hub_seasons`).
    has_hubs: ClassVar[bool] = False
    generic: ClassVar[bool] = False
    example_urls: ClassVar[tuple[str, ...]] = ()
    live_domain_known: ClassVar[bool] = True
    status_note: ClassVar[str | None] = None

    settings: ProviderSettings = field(default_factory=ProviderSettings)

    @property
    def base_url(self) -> str:
        """Where the site is fetched from now (configured, else the default)."""
        return (self.settings.base_url or self.default_base_url).rstrip("/")

    def current_base_url(self) -> str:
        """The base URL pages are fetched from now (a resolved one where the site moves)."""
        return self.base_url

    def known_domains(self) -> tuple[str, ...]:
        """Every domain accepted for this provider: built-in, mirrors, the base URL's host."""
        extra = [host_of(m) or m.lower() for m in self.settings.mirrors]
        base = host_of(self.base_url)
        return tuple(dict.fromkeys([*self.domains, *extra, *([base] if base else [])]))

    def matches(self, url: str) -> bool:
        """Whether the URL belongs to this provider (an http(s) URL on one of its hosts)."""
        host = host_of(url)
        if not host or not url.strip().lower().startswith(("http://", "https://")):
            return False
        if self.generic:
            allowed = self.settings.allowed_hosts
            return not allowed or any(host_matches(host, h) for h in allowed)
        return any(host_matches(host, d) for d in self.known_domains())

    @classmethod
    def library_season(cls, key: str) -> int:
        """The season number of a source's files in the library (0: films, specials)."""
        return 1

    def normalise(self, url: str, lang: str | None = None) -> NormalisedUrl:
        """Check the URL and return its source key; subclasses refine the path rules."""
        raise NotImplementedError

    def page_kind(self, url: str) -> tuple[str, str | None]:
        """What a page of this site is, for `sites try`: ("season", None) for a source
        page; ("anime", key) for an anime page that is not itself a source (`key`: one of
        its sources, for `anime_info`); ("search", query) for a search or catalogue page —
        by default a page under `catalogue_path`, a search of every title."""
        if self.catalogue_path and urlsplit(url).path.startswith(self.catalogue_path):
            return ("search", "")
        return ("season", None)

    # --- fetching (each provider module implements these) --------------------------------
    #
    # `client` is a webapp.sites.http.client.HttpClient: every request goes through it (timeouts,
    # retries, per-host rate limit, URL guard, size cap). Raise the ProviderError
    # subclasses below; never return an empty result for a page that failed to parse.

    def fetch_episodes(self, client: Any, key: str, lang: str,
                       conditional: Conditional | None = None) -> EpisodeList:
        """Fetch the source `key` (from `normalise`) once and list its released episodes."""
        raise NotImplementedError

    def search(self, client: Any, query: str) -> list[AnimeInfo]:
        """Search the site's catalogue (only when `can_search`)."""
        raise Unsupported(f"{self.name} has no search.")

    def anime_info(self, client: Any, key: str, lang: str) -> AnimeInfo:
        """Title, poster, synopsis, genres, seasons and languages of the source's anime."""
        raise NotImplementedError

    def recently_added(self, client: Any, conditional: Conditional | None = None) -> RecentList:
        """The site's own page of recently added episodes (only when `has_site_feed`)."""
        raise Unsupported(f"{self.name} has no page of recently added episodes.")

    def release_schedule(self, client: Any) -> list[ScheduledRelease]:
        """The site's weekly planning (only when `has_schedule`)."""
        raise Unsupported(f"{self.name} publishes no planning.")

    def hub_key(self, key: str) -> str | None:
        """The key of the anime page (hub) the source `key` belongs to (only `has_hubs`)."""
        return None

    def hub_seasons(self, client: Any, hub_key: str,
                    conditional: Conditional | None = None) -> HubSeasons:
        """The seasons the hub lists, and whether it says the anime is finished
        (`finished`: True, False, or None when it says neither; conditional; only when
        `has_hubs`)."""
        raise Unsupported(f"{self.name} has no anime pages listing seasons.")

    def expand_player(self, client: Any, player: Player) -> list[Player]:
        """The real players behind a "page" player (an episode page); others as they are."""
        return [player]

    def page_hosts(self) -> tuple[str, ...] | None:
        """Hosts this provider's pages may be fetched from (None: any public host)."""
        if self.generic:
            return self.settings.allowed_hosts or None
        return self.known_domains()

    def _require_host(self, url: str) -> str:
        url = check_http_url(url)
        if not self.matches(url):
            if self.generic:
                raise UrlError(f"The host of this URL is not allowed for {self.name}.")
            raise UrlError(
                f"This URL is not on {self.name} (known domains: "
                f"{', '.join(self.known_domains())}).")
        return url

    def _match_path(self, url: str, pattern: re.Pattern[str],
                    error: str) -> tuple[str, re.Match[str]]:
        """The checked URL and its path's match of `pattern`; UrlError(`error`) if none."""
        url = self._require_host(url)
        match = pattern.match(urlsplit(url).path)
        if not match:
            raise UrlError(error)
        return url, match

    def _check_lang(self, lang: str, error: str) -> str:
        """The language lower-cased when it is one of `langs`; UrlError(`error`) if not."""
        lang = lang.lower()
        if lang not in self.langs:
            raise UrlError(error)
        return lang
