"""Fetch one source through its provider and turn every kind of failure into a sentence."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from webapp.checking import messages
from webapp.checking.store import SourceState
from webapp.infra.site_watch import PROVIDER
from webapp.notifications.site_alerts import observe
from webapp.sites.http.errors import FetchError
from webapp.sites.types import Conditional, EpisodeList, LayoutChanged, ProviderError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FetchResult:
    """What one fetch gave: an episode list, or an error a person can read."""

    episodes: EpisodeList | None = None
    error: str | None = None
    retryable: bool = True


def fetch_source(registry: Any, client: Any, source: SourceState) -> FetchResult:
    """Fetch the source once (conditional GET with the stored validators)."""
    provider = registry.get(source.provider_id)
    if provider is None:
        return FetchResult(error=f"Check failed: the provider {source.provider_id!r} is not "
                                 "available in this installation.", retryable=False)
    conditional = None
    if source.etag or source.last_modified:
        conditional = Conditional(etag=source.etag, last_modified=source.last_modified)
    try:
        listed = provider.fetch_episodes(client, source.url, source.lang, conditional)
    except ProviderError as exc:
        observe(PROVIDER, provider.id, provider.name, exc)
        return FetchResult(error=messages.provider_error_text(exc), retryable=exc.retryable)
    except FetchError as exc:
        observe(PROVIDER, provider.id, provider.name, exc)
        return FetchResult(error=messages.fetch_error_text(exc),
                           retryable=bool(getattr(exc, "retryable", True)))
    except Exception as exc:  # noqa: BLE001 - a parser crash must not stop the round
        log.exception("provider %s crashed on source %s", source.provider_id, source.id)
        observe(PROVIDER, provider.id, provider.name, LayoutChanged(
            f"its parser failed on {source.url} ({type(exc).__name__}: {exc})."))
        return FetchResult(error=messages.unexpected_error_text(exc), retryable=False)
    observe(PROVIDER, provider.id, provider.name)
    return FetchResult(episodes=listed)
