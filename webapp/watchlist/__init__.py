"""The watchlist service: WatchlistManager and the helpers it is built from."""

from webapp.watchlist.manager import WatchlistManager
from webapp.watchlist.sources import ResolvedSource, provider_registry, resolve, source_id_for

__all__ = ["ResolvedSource", "WatchlistManager", "provider_registry", "resolve",
           "source_id_for"]
