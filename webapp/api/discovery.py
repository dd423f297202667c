"""API endpoints: the providers of this install and a search across them (SPEC §4)."""

from __future__ import annotations

import json
from typing import Annotated

from flask import Response
from flask_openapi3 import Tag
from pydantic import BaseModel, ConfigDict, RootModel, StringConstraints

from webapp.api import api
from webapp.api.responses import json_response
from webapp.errors import Invalid, ServiceUnavailable
from webapp.extensions import get_redis
from webapp.infra.site_access import get_registry, get_search_client
from webapp.schemas import error_responses
from webapp.sites.providers.search import is_down, search_all

TAGS = [Tag(name="discovery")]


class ProviderOut(BaseModel):
    """A provider: its domains, the base URL in force, languages, whether it can search.

    `status_note` is a sentence about the site itself for an admin (e.g. that it has no
    live domain any more), or null.
    """

    id: str
    name: str
    domains: list[str]
    base_url: str | None
    langs: list[str]
    can_search: bool
    enabled: bool
    status_note: str | None


class ProviderList(RootModel[list[ProviderOut]]):
    """Every provider, in registry order."""


class SearchQuery(BaseModel):
    """`q`: the words to look for; `provider_id`: search one provider only."""

    model_config = ConfigDict(extra="ignore")
    q: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    provider_id: Annotated[str, StringConstraints(max_length=32)] | None = None


class SearchResult(BaseModel):
    """An anime found on a provider (its URL can be added to the watchlist)."""

    title: str
    url: str
    provider_id: str
    langs: list[str]
    poster_image: str | None
    synopsis: str | None
    genres: list[str]


class SearchResults(RootModel[list[SearchResult]]):
    """Results across providers; failing providers are listed in X-Search-Errors."""


@api.get("/providers", tags=TAGS, responses={200: ProviderList})
def list_providers() -> Response:
    """The providers of this install, with the base URL each one fetches from."""
    redis = get_redis()
    providers = []
    for provider in get_registry().providers:
        generic = provider.generic
        providers.append({
            "id": provider.id, "name": provider.name,
            "domains": list(provider.settings.allowed_hosts if generic
                            else provider.known_domains()),
            "base_url": None if generic else provider.current_base_url(),
            "langs": list(provider.langs), "can_search": provider.can_search,
            "enabled": not is_down(redis, provider.id),
            "status_note": provider.status_note,
        })
    return json_response(providers)


@api.get("/search", tags=TAGS, responses={200: SearchResults, **error_responses(503)})
def search(query: SearchQuery) -> Response:
    """Search every provider that can (or only `provider_id`); failures go to X-Search-Errors."""
    registry = get_registry()
    if query.provider_id is not None:
        provider = registry.get(query.provider_id)
        if provider is None or not provider.can_search:
            reason = "is not a provider" if provider is None else "has no search"
            searchable = ", ".join(p.id for p in registry.providers if p.can_search)
            raise Invalid(f"{query.provider_id!r} {reason}.", [{
                "field": "provider_id", "message": f"must be one of {searchable}"}])
    outcome = search_all(registry, get_search_client(), get_redis(), query.q, query.provider_id)
    asked = {query.provider_id} if query.provider_id else \
        {p.id for p in registry.providers if p.can_search}
    failed = {e["provider_id"] for e in outcome.errors}
    if asked and asked <= failed and not outcome.results:
        raise ServiceUnavailable(
            "No site could be searched: every one asked failed. Try again in a few minutes.",
            [{"provider_id": e["provider_id"], "error": e["error"], "message": e["error"]}
             for e in outcome.errors])
    headers = {"X-Search-Errors": json.dumps(outcome.errors)} if outcome.errors else None
    return json_response(outcome.results, headers=headers)

