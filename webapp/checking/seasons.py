"""Reading an anime page (hub) for seasons it did not list before.

`read_hub` asks the provider for the hub's seasons with the validators of its last full
read (kept on Redis: a 304 costs nothing more; losing them costs one full read). The first
read records what the page lists as known: nothing is new then. A later read returns the
seasons whose identity was not known (films and OAVs are seasons too); known seasons stay
known when the page drops them, so one that comes back is not new again. A page that
cannot be read, or that lists no season at all (a layout change, never "no seasons"),
is recorded in `hubs.last_error` and logged; nothing else changes.

A season's identity is its source key in the provider's default language
(`/catalogue/<slug>/saison2/vostfr/`), so the page linking a season in another language
later is not a new season.

A full read also records whether the page says the anime is finished (`hubs.finished`,
and `finished_at`, when a read first found it so) for smart completion.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import redis
from sqlalchemy import func, update

from webapp.checking.hubs import release_claim
from webapp.clock import utcnow
from webapp.extensions import db, get_redis
from webapp.infra import keys
from webapp.infra.site_access import get_http_client, get_registry
from webapp.models import Hub
from webapp.sites.http.errors import FetchError
from webapp.sites.types import Conditional, HubSeasons, LayoutChanged, ProviderError, UrlError

log = logging.getLogger(__name__)

VALIDATORS_TTL = 7 * 24 * 3600


@dataclass
class HubRead:
    """What one read of a hub found: `new` seasons as {"name", "key"}."""

    hub_id: int
    provider_id: str = ""
    new: list[dict[str, str]] = field(default_factory=list)
    first_read: bool = False
    not_modified: bool = False
    error: str | None = None

    def summary(self) -> dict[str, Any]:
        """A JSON-able record of the read (the job's result)."""
        return {"hub_id": self.hub_id, "new": self.new, "first_read": self.first_read,
                "not_modified": self.not_modified, "error": self.error}


def season_identity(provider: Any, key: str) -> str:
    """The key of the season in the provider's default language (the key itself when the
    provider cannot say)."""
    try:
        return provider.normalise(provider.base_url + key, provider.default_lang).key
    except (UrlError, ValueError):
        return key


def _validators(conn: redis.Redis, hub_id: int) -> Conditional | None:
    stored = {(k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes)
              else v) for k, v in conn.hgetall(keys.hub_validators(hub_id)).items()}
    if not stored.get("etag") and not stored.get("last_modified"):
        return None
    return Conditional(etag=stored.get("etag") or None,
                       last_modified=stored.get("last_modified") or None)


def _keep_validators(conn: redis.Redis, hub_id: int, listed: HubSeasons) -> None:
    name = keys.hub_validators(hub_id)
    conn.hset(name, mapping={"etag": listed.validators.etag or "",
                             "last_modified": listed.validators.last_modified or ""})
    conn.expire(name, VALIDATORS_TTL)


def _save(hub_id: int, **values: Any) -> None:
    db.session.execute(update(Hub).where(Hub.id == hub_id).values(
        last_checked_at=utcnow(), **values))
    db.session.commit()


def read_hub(hub_id: int, client: Any = None) -> HubRead:
    """Read the hub once; the seasons it lists that were not known before."""
    hub = db.session.get(Hub, hub_id)
    if hub is None:
        return HubRead(hub_id, error="no such anime page")
    provider_id, key, known = hub.provider_id, hub.url, list(hub.seasons or [])
    provider = get_registry().get(provider_id)
    never_read = not known
    read = HubRead(hub_id, provider_id, first_read=never_read)
    db.session.commit()  # no transaction stays open during the fetch
    conn = get_redis()
    try:
        if provider is None or not getattr(provider, "has_hubs", False):
            raise ProviderError(f"{provider_id} has no anime pages any more.")
        listed = provider.hub_seasons(client or get_http_client(), key,
                                      None if never_read else _validators(conn, hub_id))
        if not listed.not_modified and not listed.seasons:
            raise LayoutChanged(f"The anime page {key} lists no season: the site's layout "
                                "has probably changed.")
    except (ProviderError, FetchError) as exc:
        read.error = str(exc) or exc.__class__.__name__
        log.warning("anime page %s of %s not read: %s", key, provider_id, read.error)
        _save(hub_id, last_error=read.error[:2000])
        release_claim(hub_id, conn)
        return read
    if listed.not_modified:
        read.not_modified = True
        _save(hub_id, last_error=None)
    else:
        read.new = _record(hub_id, provider, known, listed, never_read)
        _keep_validators(conn, hub_id, listed)
    release_claim(hub_id, conn)
    if read.new:
        log.info("anime page %s of %s lists new seasons: %s", key, provider_id,
                 ", ".join(s["name"] for s in read.new))
    return read


def _record(hub_id: int, provider: Any, known: list[dict], listed: HubSeasons,
            never_read: bool) -> list[dict[str, str]]:
    """Store what the page lists (plus the known seasons it dropped); the new ones."""
    known_ids = {season_identity(provider, s["key"]) for s in known if s.get("key")}
    seasons, new, seen = [], [], set()
    for name, key in listed.seasons:
        identity = season_identity(provider, key)
        if identity in seen:
            continue
        seen.add(identity)
        seasons.append({"name": name, "key": key})
        if not never_read and identity not in known_ids:
            new.append({"name": name, "key": key})
    seasons += [s for s in known if season_identity(provider, s.get("key", "")) not in seen]
    values: dict[str, Any] = {
        "seasons": seasons, "last_error": None, "finished": listed.finished,
        # when a read first found the anime finished (kept while it stays so)
        "finished_at": func.coalesce(Hub.finished_at, utcnow()) if listed.finished else None}
    if listed.title:
        values["title"] = listed.title[:500]
    _save(hub_id, **values)
    return new
