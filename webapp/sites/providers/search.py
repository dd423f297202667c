"""Search across the providers that can search, in parallel, failures kept apart.

Each provider runs in its own thread with the search HTTP client (`search_client`,
handed in by webapp.infra.site_access: no retries, short timeouts, a person is waiting) and the
whole search has a deadline, so a dead site costs seconds, not minutes. A provider whose
site did not answer is remembered in Redis for a few minutes (`provider:down:<id>`) and
skipped meanwhile; GET /api/providers shows it as not enabled.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from redis.exceptions import RedisError

from webapp.sites.http.client import HttpClient
from webapp.sites.providers.base import Provider
from webapp.sites.providers.registry import Registry
from webapp.sites.types import AnimeInfo, ProviderError, SiteUnreachable

log = logging.getLogger(__name__)

DOWN_KEY = "provider:down:"
DOWN_SECONDS = 300
SEARCH_DEADLINE_SECONDS = 20.0
MAX_RESULTS_PER_PROVIDER = 50


@dataclass
class SearchOutcome:
    """Results of every provider that answered, and one error per provider that did not."""

    results: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)


def search_client(config: Mapping[str, Any], redis: Any) -> HttpClient:
    """An HttpClient for interactive search: no retries, timeouts of a few seconds."""
    client = HttpClient.from_config(config, redis)
    client.retries = 0
    client.timeout = (min(client.timeout[0], 5.0), min(client.timeout[1], 10.0))
    client.max_retry_after = min(client.max_retry_after, 5.0)
    return client


def is_down(redis: Any, provider_id: str) -> bool:
    """Whether the provider's site failed to answer a few minutes ago."""
    try:
        return bool(redis.exists(DOWN_KEY + provider_id))
    except RedisError:
        return False


def _mark(redis: Any, provider_id: str, down: bool) -> None:
    try:
        if down:
            redis.set(DOWN_KEY + provider_id, "1", ex=DOWN_SECONDS)
        else:
            redis.delete(DOWN_KEY + provider_id)
    except RedisError:
        pass


def result_dict(info: AnimeInfo) -> dict[str, Any]:
    """One search result in the API's shape."""
    return {"title": info.title, "url": info.url, "provider_id": info.provider_id,
            "langs": list(info.langs), "poster_image": info.poster_image,
            "synopsis": info.synopsis, "genres": list(info.genres)}


def _one(provider: Provider, client: HttpClient, query: str) -> list[AnimeInfo]:
    return provider.search(client, query)[:MAX_RESULTS_PER_PROVIDER]


def search_all(registry: Registry, client: HttpClient, redis: Any, query: str,
               provider_id: str | None = None,
               deadline: float = SEARCH_DEADLINE_SECONDS,
               shape: Callable[[AnimeInfo], dict[str, Any]] = result_dict) -> SearchOutcome:
    """Search `query` on one provider or on every searchable one that is not down
    (`shape` turns each result into a dict: the API's shape unless told otherwise)."""
    outcome = SearchOutcome()
    if provider_id is not None:
        providers = [registry.get(provider_id)]
    else:
        providers = []
        for provider in registry.providers:
            if not provider.can_search:
                continue
            if is_down(redis, provider.id):
                outcome.errors.append({"provider_id": provider.id, "error": (
                    f"{provider.name} did not answer a few minutes ago; it is skipped for now.")})
                continue
            providers.append(provider)
    pool = ThreadPoolExecutor(max_workers=max(len(providers), 1),
                              thread_name_prefix="search")
    futures = {pool.submit(_one, p, client, query): p for p in providers if p is not None}
    done, _pending = wait(futures, timeout=deadline)
    pool.shutdown(wait=False, cancel_futures=True)
    for future, provider in futures.items():
        if future not in done:
            outcome.errors.append({"provider_id": provider.id, "error": (
                f"{provider.name} took longer than {deadline:g} seconds to answer.")})
            continue
        try:
            found = future.result()
        except ProviderError as exc:
            _mark(redis, provider.id, isinstance(exc, SiteUnreachable))
            outcome.errors.append({"provider_id": provider.id, "error": str(exc)})
            continue
        except Exception as exc:  # noqa: BLE001 - one broken parser must not break search
            log.exception("search on %s crashed", provider.id)
            outcome.errors.append({"provider_id": provider.id, "error": (
                f"{provider.name} search failed ({type(exc).__name__}).")})
            continue
        _mark(redis, provider.id, False)
        outcome.results.extend(shape(info) for info in found)
    return outcome
