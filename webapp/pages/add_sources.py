"""What the add page asks the sites: search results, the sources (season × language) a
result can be added as, and the episode count a source has now ("only new from now").

Searching is the providers' service (webapp.sites.providers.search); this module only wires it
to the app's registry, HTTP client and Redis.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from webapp.extensions import get_redis
from webapp.infra.site_access import get_http_client, get_registry, get_search_client
from webapp.sites.http.errors import FetchError
from webapp.sites.providers.search import search_all
from webapp.sites.types import ProviderError, UrlError


def search(query: str, provider_id: str | None) -> tuple[list[dict[str, Any]], list[dict]]:
    """Search every searchable site (or one): (results, [{provider_id, error}])."""
    registry = get_registry()
    if provider_id is not None and registry.get(provider_id) is None:
        provider_id = None
    outcome = search_all(registry, get_search_client(), get_redis(), query, provider_id)
    return outcome.results, outcome.errors


@dataclass
class AddOptions:
    """What the add form offers for one anime: which source URLs (season × language)."""

    provider_id: str
    title: str
    choices: list[tuple[str, str]] = field(default_factory=list)  # (URL, label)
    langs: tuple[str, ...] = ()        # for a URL that does not carry its language
    poster_image: str | None = None
    synopsis: str | None = None
    genres: tuple[str, ...] = ()
    error: str | None = None
    unreadable: str | None = None      # why the site's page could not be read (direct URL)


def add_options(url: str, provider_id: str, title: str = "") -> AddOptions:
    """The sources one search result can be added as, with the site's info when readable."""
    registry = get_registry()
    provider = registry.get(provider_id)
    if provider is None:
        return AddOptions(provider_id, title, error=f"Unknown provider {provider_id!r}.")
    try:
        _p, normalised = registry.resolve(url, provider_id, None)
        key, lang, direct = normalised.key, normalised.lang, True
    except UrlError:
        key, lang, direct = urlsplit(url).path, provider.default_lang, False
    options = AddOptions(provider.id, title, langs=provider.langs)
    try:
        info = provider.anime_info(get_http_client(), key, lang)
    except (ProviderError, FetchError, NotImplementedError) as exc:
        info = None
        if not direct:
            options.error = f"The seasons of this anime could not be read: {exc}"
        elif not isinstance(exc, NotImplementedError):
            options.unreadable = str(exc)
    if info is not None:
        options.title = info.title or title
        options.poster_image, options.synopsis = info.poster_image, info.synopsis
        options.genres = info.genres
        if not direct:
            options.choices = [(season_url, _season_label(label, season_url, provider.id))
                               for label, season_url in info.seasons]
    if direct:
        options.choices = [(url, "")]
    return options


def _season_label(label: str, url: str, provider_id: str) -> str:
    """`Saison 1 · VOSTFR`: the site's label with the language the URL carries."""
    try:
        _p, normalised = get_registry().resolve(url, provider_id, None)
    except UrlError:
        return label
    return f"{label} · {normalised.lang.upper()}"


def current_episode(url: str, provider_id: str | None, lang: str | None) -> float:
    """The highest episode number the source lists right now (0 when it lists none)."""
    provider, normalised = get_registry().resolve(url, provider_id, lang)
    listed = provider.fetch_episodes(get_http_client(), normalised.key, normalised.lang)
    return max((e.number for e in listed.episodes if not e.special), default=0)
