"""The ordered provider registry, built from the app's config (base URLs, mirrors, hosts)."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from typing import Any

from webapp.providers.animesama import AnimeSama
from webapp.providers.animeultime import AnimeUltime
from webapp.providers.base import NormalisedUrl, Provider, ProviderSettings, UrlError
from webapp.providers.directory import DirectoryListing
from webapp.providers.nekosama import NekoSama
from webapp.providers.rss import RssFeed

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
MIRRORS_RECHECK_SECONDS = 30.0


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


def _read_mirrors_setting() -> str | None:
    from sqlalchemy.exc import SQLAlchemyError

    from webapp.extensions import db
    from webapp.models import SiteSetting

    try:
        row = db.session.get(SiteSetting, MIRRORS_SETTING)
    except SQLAlchemyError as exc:
        log.warning("could not read the mirrors setting (%s); using none", exc)
        db.session.rollback()
        return None
    return row.value if row is not None else None


def get_registry() -> Registry:
    """The current app's registry, rebuilt only when the admin's mirrors setting changed."""
    from flask import current_app

    state = current_app.extensions.setdefault("provider_registry", {})
    now = time.monotonic()
    if state.get("registry") is not None and now - state["read_at"] < MIRRORS_RECHECK_SECONDS:
        return state["registry"]
    raw = _read_mirrors_setting()
    if state.get("registry") is None or raw != state.get("raw"):
        state["registry"] = build_registry(current_app.config, parse_mirrors(raw))
        state["raw"] = raw
    state["read_at"] = now
    return state["registry"]


def reset_registry() -> None:
    """Forget the cached registry (call after changing the mirrors setting)."""
    from flask import current_app

    current_app.extensions.pop("provider_registry", None)


__all__ = ["NormalisedUrl", "Provider", "ProviderSettings", "Registry", "UrlError",
           "build_registry", "get_registry", "parse_mirrors", "reset_registry"]
