"""Turning a user's (URL, provider id, lang) into a shared `sources` row."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from webapp.errors import Invalid
from webapp.extensions import db
from webapp.infra.site_access import get_registry
from webapp.models import Source
from webapp.sites.http.errors import ConnectionFailed, UrlRejected
from webapp.sites.http.guard import guard_url
from webapp.sites.providers.registry import Registry
from webapp.sites.types import UrlError
from webapp.sites.urls import check_http_url


@dataclass(frozen=True)
class ResolvedSource:
    """A checked anime URL: which source it is and the URL kept on the item."""

    provider_id: str
    key: str
    lang: str
    display_url: str


def _bad_field(registry: Registry, url: str, provider_id: str | None, lang: str | None) -> str:
    """Which field of the request a UrlError is about."""
    if provider_id is None:
        try:
            check_http_url(url)
        except UrlError:
            return "anime_url"
    provider = registry.get(provider_id) if provider_id else registry.for_url(url)
    if provider is None:
        return "provider_id"
    if lang is not None:
        try:
            provider.normalise(url, None)
        except UrlError:
            return "anime_url"
        return "lang"
    return "anime_url"


def resolve(url: str, provider_id: str | None, lang: str | None,
            field_prefix: str = "") -> ResolvedSource:
    """Check the URL against the provider; Invalid, naming the bad field, when it does not fit."""
    registry = get_registry()
    try:
        if provider_id is None:
            check_http_url(url)  # "not a URL" is about the URL, not the missing provider
        provider, normalised = registry.resolve(url, provider_id, lang)
    except UrlError as exc:
        field = field_prefix + _bad_field(registry, url, provider_id, lang)
        raise Invalid(str(exc), [{"field": field, "message": str(exc)}]) from None
    if provider.generic:
        _check_fetchable(normalised.display_url, provider.page_hosts(), field_prefix)
    return ResolvedSource(provider.id, normalised.key, normalised.lang, normalised.display_url)


def _check_fetchable(url: str, hosts: tuple[str, ...] | None, field_prefix: str) -> None:
    """Refuse now a URL the server will never fetch (a private address, a host outside
    the provider's allowed ones) rather than at its first check. A name that does not
    resolve today is accepted: the server behind it may only be down."""
    try:
        guard_url(url, allow_private=current_app.config.get("ALLOW_PRIVATE_HOSTS") or "",
                  allowed_hosts=hosts)
    except UrlRejected as exc:
        message = str(exc)
        raise Invalid(message, [{"field": field_prefix + "anime_url",
                                 "message": message}]) from None
    except ConnectionFailed:
        pass


def find_source_id(resolved: ResolvedSource) -> int | None:
    """The id of the existing source for this (provider, key, lang), if any."""
    return db.session.scalar(select(Source.id).where(
        Source.provider_id == resolved.provider_id, Source.url == resolved.key,
        Source.lang == resolved.lang))


def source_id_for(resolved: ResolvedSource) -> int:
    """Find or create the shared source; a concurrent creation of the same one is harmless."""
    source_id = find_source_id(resolved)
    if source_id is not None:
        return source_id
    source = Source(provider_id=resolved.provider_id, url=resolved.key, lang=resolved.lang)
    db.session.add(source)
    try:
        db.session.commit()
    except IntegrityError:
        # Another request created it between our SELECT and INSERT: use theirs.
        db.session.rollback()
        source_id = find_source_id(resolved)
        if source_id is None:
            raise
        return source_id
    return source.id


def resolve_preferred(url: str, provider_id: str | None, lang: str | None,
                      langs: list[str] | None, field_prefix: str = "") -> ResolvedSource:
    """`resolve` for a body that may name an ordered `langs`: its first entry is the
    item's language (a `lang` that differs is refused), and each one must be a language
    the provider has for this URL."""
    if langs:
        if lang is not None and lang != langs[0]:
            message = "must start with the item's lang"
            raise Invalid(f"langs {message}.", [{"field": field_prefix + "langs",
                                                 "message": message}])
        lang = langs[0]
    resolved = resolve(url, provider_id, lang, field_prefix)
    registry = get_registry()
    for other in (langs or [])[1:]:
        try:
            registry.resolve(url, resolved.provider_id, other)
        except UrlError as exc:
            raise Invalid(str(exc), [{"field": field_prefix + "langs",
                                      "message": f"{other!r}: {exc}"}]) from None
    return resolved
