"""The ordered provider registry, built from the app's config (base URLs, mirrors, hosts)."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from webapp.sites.providers.animesama import AnimeSama
from webapp.sites.providers.animeultime import AnimeUltime
from webapp.sites.providers.base import NormalisedUrl, Provider, ProviderSettings
from webapp.sites.providers.directory import DirectoryListing
from webapp.sites.providers.nekosama import NekoSama
from webapp.sites.providers.rss import RssFeed
from webapp.sites.types import UrlError

log = logging.getLogger(__name__)

PROVIDER_CLASSES: tuple[type[Provider], ...] = (
    AnimeSama, NekoSama, AnimeUltime, DirectoryListing, RssFeed)


def _split(value: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    if not value:
        return ()
    items = value.split(",") if isinstance(value, str) else value
    return tuple(i.strip().lower() for i in items if i and i.strip())


class Registry:
    """The providers of this install, in order; looked up by id or by URL."""

    def __init__(self, providers: list[Provider]) -> None:
        self.providers = providers
        self._by_id = {p.id: p for p in providers}

    def get(self, provider_id: str) -> Provider | None:
        return self._by_id.get(provider_id)

    def ids(self) -> list[str]:
        return list(self._by_id)

    def for_url(self, url: str) -> Provider | None:
        """The site provider whose domains the URL is on (generic ones never match here)."""
        for provider in self.providers:
            if not provider.generic and provider.matches(url):
                return provider
        return None

    def resolve(self, url: str, provider_id: str | None,
                lang: str | None) -> tuple[Provider, NormalisedUrl]:
        """Check a user's (URL, provider id, lang) and return the provider and source key."""
        if provider_id is None:
            provider = self.for_url(url)
            if provider is None:
                raise UrlError("provider_id is required: this URL is not on a known site.")
        else:
            provider = self.get(provider_id)
            if provider is None:
                raise UrlError(f"Unknown provider {provider_id!r} "
                               f"(one of {', '.join(self.ids())}).")
        return provider, provider.normalise(url, lang)


def build_registry(config: Mapping[str, Any],
                   mirrors: Mapping[str, list[str]] | None = None) -> Registry:
    """Instantiate every provider with its settings from the app config."""
    base_urls = config.get("BASE_URLS") or {}
    mirrors = mirrors or {}
    providers = []
    for cls in PROVIDER_CLASSES:
        allowed = config.get(f"{cls.id.upper()}_ALLOWED_HOSTS") if cls.generic else None
        providers.append(cls(settings=ProviderSettings(
            base_url=base_urls.get(cls.id),
            mirrors=_split(mirrors.get(cls.id)),
            allowed_hosts=_split(allowed),
            portal_url=base_urls.get(f"{cls.id}_portal"),
        )))
    return Registry(providers)


MIRRORS_SETTING = "mirrors"


def parse_mirrors(raw: str | None) -> dict[str, list[str]]:
    """Read the `mirrors` site setting ({provider_id: [domains]} as JSON), ignoring junk."""
    try:
        data = json.loads(raw or "{}")
    except (TypeError, ValueError):
        log.warning("site setting 'mirrors' is not valid JSON; ignoring it")
        return {}
    if not isinstance(data, dict):
        return {}
    mirrors: dict[str, list[str]] = {}
    for provider_id, domains in data.items():
        if isinstance(domains, str):
            domains = domains.split(",")
        if isinstance(provider_id, str) and isinstance(domains, list):
            mirrors[provider_id] = [d.strip() for d in domains if isinstance(d, str) and d.strip()]
    return mirrors
