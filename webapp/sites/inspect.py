"""What the app reads at one URL, as plain data (the `sites try` command of SPEC §8).

`read_url` decides what the URL is — a provider's anime page, season page or search, a
directory listing or feed, or a video host's player — and reads it through the same
providers and hosts the checks and downloads use, without touching the database or
downloading a byte. The result is the JSON document SPEC §8 defines; anything that cannot
be read raises `Unreadable` with a one-line reason (or the provider's or host's own
error).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from webapp.sites.hosts.registry import host_for, resolve_player
from webapp.sites.providers.registry import Registry
from webapp.sites.providers.search import result_dict
from webapp.sites.types import EpisodeList, HostError, LayoutChanged, Player, UrlError

FEED_MARKERS = ("<rss", "<feed", "<rdf:rdf")


class Unreadable(UrlError):
    """Nothing this app knows reads the URL."""


def number_of(value: float) -> int | float:
    """5.0 -> 5, 12.5 -> 12.5 (JSON shows episode numbers as people write them)."""
    return int(value) if float(value).is_integer() else float(value)


def season_document(provider_id: str, listed: EpisodeList, lang: str,
                    langs: list[str]) -> dict[str, Any]:
    """A read source page as SPEC §8's "season" document."""
    episodes = []
    for episode in listed.episodes:
        number = episode.number
        if episode.library_number is not None and episode.library_season is not None:
            number = episode.library_number  # the S00 number the library files it under
        episodes.append({"number": number_of(number), "title": episode.title,
                         "special": episode.special, "released": True,
                         "players": [p.url for p in episode.players]})
    return {"kind": "season", "provider_id": provider_id, "title": listed.title,
            "season": listed.season, "lang": lang, "langs": langs, "episodes": episodes}


def _provider_page(provider: Any, client: Any, url: str) -> dict:
    kind, detail = provider.page_kind(url)
    if kind == "search":
        found = provider.search(client, detail or "")
        return {"kind": "search", "provider_id": provider.id,
                "results": [result_dict(info) for info in found]}
    if kind == "anime":
        info = provider.anime_info(client, detail, provider.default_lang)
        seasons = [{"name": name, "url": season_url,
                    "langs": [season_url.rstrip("/").rsplit("/", 1)[-1]]}
                   for name, season_url in info.seasons]
        return {"kind": "anime", "provider_id": provider.id, "title": info.title,
                "alt_titles": list(info.alt_titles), "genres": list(info.genres),
                "poster_image": info.poster_image, "synopsis": info.synopsis,
                "seasons": seasons}
    normalised = provider.normalise(url)
    listed = provider.fetch_episodes(client, normalised.key, normalised.lang)
    return season_document(provider.id, listed, normalised.lang, [normalised.lang])


def _generic_source(registry: Registry, client: Any, url: str) -> dict | None:
    """A feed or a directory listing at `url`, or None when the page is neither."""
    page = client.fetch_page(url)
    head = page.text.lstrip()[:2000].lower()
    provider_id = "rss" if any(m in head for m in FEED_MARKERS) else "directory"
    provider = registry.get(provider_id)
    normalised = provider.normalise(url)
    try:
        listed = provider.fetch_episodes(client, normalised.key, normalised.lang)
    except LayoutChanged:
        if provider_id == "rss":
            raise
        return None
    if not listed.episodes:
        return None
    return season_document(provider_id, listed, normalised.lang, [normalised.lang])


def player_document(client: Any, url: str, config: Mapping[str, Any]) -> dict[str, Any]:
    """What a player (embed) URL resolves to: SPEC §8's "player" document."""
    host = host_for(url, config)
    media = resolve_player(client, Player(url=url), config)
    return {"kind": "player", "host": media.host or (host.id if host else ""),
            "media_url": media.url, "protocol": "hls" if media.kind == "hls" else "http",
            "headers": dict(media.headers)}


def read_url(url: str, registry: Registry, client: Any,
             config: Mapping[str, Any]) -> dict[str, Any]:
    """What the app reads at `url` (see the module docstring); raises on any failure."""
    provider = registry.for_url(url)
    if provider is not None:
        return _provider_page(provider, client, url)
    if host_for(url, config) is not None:
        return player_document(client, url, config)
    document = _generic_source(registry, client, url)
    if document is not None:
        return document
    try:
        return player_document(client, url, config)
    except HostError as exc:
        raise Unreadable(f"Nothing here reads {url}: it is no site page, listing or feed "
                         f"this app knows, and as a player: {exc}") from exc

