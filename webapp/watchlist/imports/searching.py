"""Matching a whole list against the sites' search, with a bounded number of requests.

The search is the one of GET /api/search (`search_all`, the search HTTP client: no
retries, short timeouts, per-host pacing in Redis). Within one import every query is
searched once (`_searches`), every page fetched by GET is kept (`CachingClient`: a site
that searches by downloading its whole index downloads it once), at most
MAX_QUERIES_PER_ENTRY queries are tried per entry and CONCURRENCY entries at a time, and
nothing new starts after the deadline (the entries left stay unmatched).
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from webapp.errors import ServiceUnavailable
from webapp.sites.http.errors import FetchError
from webapp.sites.providers.registry import Registry
from webapp.sites.providers.search import SearchOutcome, result_dict, search_all
from webapp.sites.types import AnimeInfo, ProviderError, UrlError
from webapp.watchlist.imports.entries import ListEntry
from webapp.watchlist.imports.matching import (
    MATCH_THRESHOLD,
    choose_season,
    queries_for,
    season_of,
    similarity,
)

MAX_QUERIES_PER_ENTRY = 5
CONCURRENCY = 3
CONFIDENT = 0.92  # a candidate this close ends the search for its entry
INFO_CANDIDATES = 3  # candidates whose anime page may be read to find their season URL


class CachingClient:
    """An HttpClient that keeps every page it fetched by plain GET for its lifetime."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self._pages: dict[tuple[str, tuple[tuple[str, str], ...]], list[Any]] = {}
        self._lock = threading.Lock()

    def fetch_page(self, url: str, **kwargs: Any) -> Any:
        """`HttpClient.fetch_page`, answered from memory for a GET seen before (a GET
        under way is waited for, not sent twice)."""
        plain = (kwargs.get("method") or "GET").upper() == "GET" and \
            kwargs.get("data") is None and kwargs.get("conditional") is None
        if not plain:
            return self._client.fetch_page(url, **kwargs)
        params = kwargs.get("params") or {}
        key = (url, tuple(sorted((str(k), str(v)) for k, v in params.items())))
        with self._lock:
            slot = self._pages.setdefault(key, [threading.Lock(), None])
        with slot[0]:
            if slot[1] is None:
                slot[1] = self._client.fetch_page(url, **kwargs)
            return slot[1]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def _with_alt_titles(info: AnimeInfo) -> dict[str, Any]:
    return {**result_dict(info), "alt_titles": list(info.alt_titles)}


@dataclass
class Proposal:
    """The match proposed for one entry (None: nothing close enough) and its confidence."""

    match: dict[str, str] | None
    confidence: float


class Matcher:
    """Matches list entries to search results across the providers of `registry`."""

    def __init__(self, registry: Registry, client: Any, redis: Any, deadline: float,
                 concurrency: int = CONCURRENCY) -> None:
        self.registry = registry
        self.client = CachingClient(client)
        self.redis = redis
        self.ends_at = time.monotonic() + deadline
        self.concurrency = max(concurrency, 1)
        self._searches: dict[str, SearchOutcome] = {}
        self._infos: dict[str, AnimeInfo | None] = {}
        self._lock = threading.Lock()
        self._answered = False
        self._asked = False
        self.queries = 0

    def match_all(self, entries: list[ListEntry]) -> list[Proposal]:
        """One proposal per entry, in order; ServiceUnavailable when no site answered."""
        with ThreadPoolExecutor(self.concurrency, thread_name_prefix="import") as pool:
            proposals = list(pool.map(self.match_one, entries))
        if self._asked and not self._answered:
            raise ServiceUnavailable("No site could be searched: every one failed. Try "
                                     "again in a few minutes.")
        return proposals

    def match_one(self, entry: ListEntry) -> Proposal:
        """Search the entry's titles until a close candidate turns up; resolve it to a URL."""
        scored: dict[str, tuple[float, dict[str, Any]]] = {}
        for query in queries_for(entry.titles, MAX_QUERIES_PER_ENTRY):
            if time.monotonic() > self.ends_at:
                break
            for result in self._search(query).results:
                score = similarity(entry.titles, [result["title"], *result["alt_titles"]])
                if score > scored.get(result["url"], (-1.0, {}))[0]:
                    scored[result["url"]] = (score, result)
            if scored and max(s for s, _r in scored.values()) >= CONFIDENT:
                break
        ranked = sorted(scored.values(), key=lambda sr: (-sr[0], self._rank(sr[1])))
        for score, result in ranked[:INFO_CANDIDATES]:
            if score < MATCH_THRESHOLD:
                break
            match = self._addable(entry, result)
            if match is not None:
                return Proposal(match, round(min(score, 1.0), 2))
        return Proposal(None, 0.0)

    def _rank(self, result: dict[str, Any]) -> tuple[int, int]:
        """Registry order of the provider, then the provider's own language first."""
        ids = [p.id for p in self.registry.providers]
        provider = self.registry.get(result["provider_id"])
        own = provider is not None and result["langs"][:1] == [provider.default_lang]
        order = ids.index(result["provider_id"]) if result["provider_id"] in ids else len(ids)
        return (order, 0 if own else 1)

    def _search(self, query: str) -> SearchOutcome:
        with self._lock:
            cached = self._searches.get(query)
        if cached is not None:
            return cached
        left = max(self.ends_at - time.monotonic(), 1.0)
        outcome = search_all(self.registry, self.client, self.redis, query,
                             deadline=min(left, 20.0), shape=_with_alt_titles)
        failed = {e["provider_id"] for e in outcome.errors}
        asked = {p.id for p in self.registry.providers if p.can_search}
        with self._lock:
            self._searches[query] = outcome
            self.queries += 1
            self._asked = True
            self._answered = self._answered or bool(outcome.results) or bool(asked - failed)
        return outcome

    def _addable(self, entry: ListEntry, result: dict[str, Any]) -> dict[str, str] | None:
        """The result as a URL the watchlist takes (a season page for a site whose search
        gives the anime's page), or None when its page cannot be read."""
        provider_id = result["provider_id"]
        try:
            _p, normalised = self.registry.resolve(result["url"], provider_id, None)
            return {"title": result["title"], "url": normalised.display_url,
                    "provider_id": provider_id, "lang": normalised.lang}
        except UrlError:
            pass
        info = self._info(provider_id, result["url"])
        provider = self.registry.get(provider_id)
        if info is None or provider is None:
            return None
        url = choose_season(info.seasons, season_of(entry.titles), entry.kind,
                            provider.default_lang)
        if url is None:
            return None
        try:
            _p, normalised = self.registry.resolve(url, provider_id, None)
        except UrlError:
            return None
        return {"title": info.title or result["title"], "url": normalised.display_url,
                "provider_id": provider_id, "lang": normalised.lang}

    def _info(self, provider_id: str, url: str) -> AnimeInfo | None:
        with self._lock:
            if url in self._infos:
                return self._infos[url]
        provider = self.registry.get(provider_id)
        info = None
        if provider is not None and time.monotonic() < self.ends_at:
            try:
                info = provider.anime_info(self.client, urlsplit(url).path,
                                           provider.default_lang)
            except (ProviderError, FetchError, NotImplementedError):
                info = None
        with self._lock:
            self._infos[url] = info
        return info
