"""Shared rules of the generic providers (directory listings, RSS/Atom feeds).

The full URL is the source key. Pages may be fetched from any public host, or only from
`<ID>_ALLOWED_HOSTS` when the admin set it. Episodes come from file names or item
titles (webapp.sites.providers.naming); every file of an episode is one of its players.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, ClassVar
from urllib.parse import unquote, urlsplit, urlunsplit

from webapp.sites.providers.base import NormalisedUrl, Provider
from webapp.sites.providers.fetching import fetch
from webapp.sites.providers.naming import episode_number, quality, season_number
from webapp.sites.types import AnimeInfo, Conditional, Episode, EpisodeList, Player, UrlError
from webapp.sites.urls import host_of

LANG_RE = re.compile(r"^[a-z0-9-]{1,16}$")
VERSION_RE = re.compile(r"(?<![a-z])v(\d)(?![0-9a-z])", re.I)


@dataclass(frozen=True)
class MediaLink:
    """One media file found on a listing or feed: its URL and the name to parse."""

    url: str
    name: str
    media_type: str | None = None


def player_for(link: MediaLink) -> Player:
    """A direct "file" player (or "hls" for a playlist) with the quality from its name."""
    path = urlsplit(link.url).path.lower()
    is_hls = path.endswith(".m3u8") or "mpegurl" in (link.media_type or "").lower()
    return Player(url=link.url, kind="hls" if is_hls else "file", quality=quality(link.name),
                  label=link.name[:200])


def episodes_from(links: Iterable[MediaLink]) -> tuple[tuple[Episode, ...], int]:
    """Group media links by episode number; returns (episodes in order, season)."""
    grouped: dict[float, list[tuple[int, int, MediaLink]]] = {}
    seasons: list[int] = []
    for order, link in enumerate(links):
        number = episode_number(link.name)
        if number is None:
            continue
        season = season_number(link.name)
        if season is not None:
            seasons.append(season)
        version = VERSION_RE.search(link.name)
        grouped.setdefault(number, []).append(
            (-(int(version.group(1)) if version else 1), order, link))
    episodes = tuple(
        Episode(number=number,
                players=tuple(dict.fromkeys(player_for(link)
                                            for _v, _o, link in sorted(grouped[number]))))
        for number in sorted(grouped))
    season = max(set(seasons), key=seasons.count) if seasons else 1
    return episodes, season


@dataclass
class GenericProvider(Provider):
    """A provider for any allowed host: the full URL is the source key."""

    generic: ClassVar[bool] = True
    langs: ClassVar[tuple[str, ...]] = ()
    default_lang: ClassVar[str] = "any"
    what: ClassVar[str] = "the page"

    def normalise(self, url: str, lang: str | None = None) -> NormalisedUrl:
        """Keep the URL (fragment dropped, host lower-cased)."""
        url = self._require_host(url)
        parts = urlsplit(url)
        clean = urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/",
                            parts.query, ""))
        lang = (lang or self.default_lang).lower()
        if not LANG_RE.match(lang):
            raise UrlError("A language code is 1–16 letters, digits or dashes.")
        return NormalisedUrl(key=clean, lang=lang, display_url=clean)

    def _fetch(self, client: Any, url: str, **kwargs: Any) -> Any:
        return fetch(client, url, site=host_of(url) or self.name, what=self.what,
                     allowed_hosts=self.page_hosts(), **kwargs)

    def fetch_episodes(self, client: Any, key: str, lang: str,
                       conditional: Conditional | None = None) -> EpisodeList:
        """Fetch the URL once (conditional) and read its episodes with `episodes_of`."""
        page = self._fetch(client, key, conditional=conditional)
        validators = Conditional(page.etag, page.last_modified)
        if page.not_modified:
            return EpisodeList(not_modified=True, validators=validators)
        return replace(self.episodes_of(page), validators=validators)

    def episodes_of(self, page: Any) -> EpisodeList:
        """The episodes of a fetched page (each generic provider reads its own format)."""
        raise NotImplementedError

    def anime_info(self, client: Any, key: str, lang: str) -> AnimeInfo:
        """A title from the URL's last path part (generic sources have no anime page)."""
        last = unquote(urlsplit(key).path.rstrip("/").rsplit("/", 1)[-1]) or host_of(key)
        title = re.sub(r"\.(xml|rss|atom)$", "", last, flags=re.I) or key
        return AnimeInfo(title=title, url=key, provider_id=self.id, langs=(lang,))
