"""Which anime pages (hubs) are followed for new seasons, and the tick's reads of them.

A source of a provider with anime pages (`has_hubs`: anime-sama's `/catalogue/<slug>/`)
belongs to its anime's hub: the tick links watched sources to their hub (`link_sources`,
creating the `hubs` row on first need). A hub is watched while an item on it follows new
seasons (`follow_new_seasons` notify or add; not archived) or is active (smart completion
learns from the page whether the anime is finished), of an owner whose automatic checks
are on; it is read about once a day (READ_EVERY; after a failed read, RETRY_AFTER), and
at once when it was never read (just after an item on it was added).

`enqueue_hub_reads` sends at most one hub read per site per tick-minute (a Redis turn key
per site, like the sites' recently-added pages), and never a second read of a hub whose
read is still queued or running (a claim key). The job reads the hub and acts on what it
found (webapp.watchlist.new_seasons).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import redis
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError

from webapp.clock import utcnow
from webapp.extensions import db, get_queue, get_redis
from webapp.infra import keys
from webapp.infra.site_access import get_registry
from webapp.models import Hub, Source, User, WatchlistItem

log = logging.getLogger(__name__)

HUB_JOB = "workers.seasons.read_hub_job"
HUB_JOB_TIMEOUT = 120
TURN_SECONDS = 55           # a little under the tick, so a minute's tick always finds it free
CLAIM_SECONDS = 15 * 60     # a read not done by then (a worker lost) may be sent again
READ_EVERY = timedelta(days=1)
RETRY_AFTER = timedelta(hours=6)
LINK_BATCH = 200
CANDIDATES = 5


def hub_providers() -> list[Any]:
    """The providers whose sources belong to anime pages listing their seasons."""
    return [p for p in get_registry().providers if getattr(p, "has_hubs", False)]


def _follows_seasons() -> Any:
    return and_(WatchlistItem.follow_new_seasons != "off", WatchlistItem.status != "archived")


def _owner_checks() -> Any:
    return and_(User.scheduler_enabled, User.disabled.is_(False))


def watching_condition() -> Any:
    """SQL condition: the item follows its anime's new seasons (joined with its owner)."""
    return and_(_follows_seasons(), _owner_checks())


def _read_condition() -> Any:
    """SQL condition: the item's anime page is worth reading (joined with its owner)."""
    return and_(or_(_follows_seasons(), WatchlistItem.status == "active"), _owner_checks())


def _watched_sources(*columns: Any) -> Any:
    return (select(*columns).distinct()
            .join(WatchlistItem, WatchlistItem.source_id == Source.id)
            .join(User, User.id == WatchlistItem.user_id)
            .where(_read_condition()))


def hub_id_for(provider_id: str, hub_key: str) -> int:
    """The id of the hub row (created when missing; a concurrent creation is harmless)."""
    query = select(Hub.id).where(Hub.provider_id == provider_id, Hub.url == hub_key)
    hub_id = db.session.scalar(query)
    if hub_id is not None:
        return hub_id
    hub = Hub(provider_id=provider_id, url=hub_key, seasons=[])
    try:
        with db.session.begin_nested():
            db.session.add(hub)
    except IntegrityError:
        return db.session.scalar(query)
    return hub.id


def link_sources(limit: int = LINK_BATCH) -> int:
    """Give the watched sources that have none their hub; how many were linked."""
    providers = {p.id: p for p in hub_providers()}
    if not providers:
        return 0
    rows = db.session.execute(
        _watched_sources(Source.id, Source.provider_id, Source.url)
        .where(Source.hub_id.is_(None), Source.provider_id.in_(providers)).limit(limit)).all()
    linked = 0
    for source_id, provider_id, key in rows:
        hub_key = providers[provider_id].hub_key(key)
        if hub_key is None:
            continue
        db.session.execute(update(Source).where(Source.id == source_id)
                           .values(hub_id=hub_id_for(provider_id, hub_key)))
        linked += 1
    db.session.commit()
    return linked


def due_hub_ids(provider_id: str, now: datetime, limit: int = CANDIDATES) -> list[int]:
    """The watched hubs of the site that are due for a read, the longest waiting first."""
    due = or_(Hub.last_checked_at.is_(None),
              and_(Hub.last_error.is_(None), Hub.last_checked_at <= now - READ_EVERY),
              and_(Hub.last_error.is_not(None), Hub.last_checked_at <= now - RETRY_AFTER))
    watched = _watched_sources(Source.hub_id).where(Source.hub_id.is_not(None))
    return list(db.session.scalars(
        select(Hub.id).where(Hub.provider_id == provider_id, due, Hub.id.in_(watched))
        .order_by(Hub.last_checked_at.is_not(None), Hub.last_checked_at, Hub.id)
        .limit(limit)))


def enqueue_hub_reads(now: datetime | None = None,
                      conn: redis.Redis | None = None) -> list[int]:
    """Link new sources, then send one due hub read per site whose minute has come; the
    hub ids sent."""
    now = now or utcnow()
    conn = conn or get_redis()
    link_sources()
    sent = []
    for provider in hub_providers():
        candidates = due_hub_ids(provider.id, now)
        if not candidates or not conn.set(keys.hub_read_turn(provider.id), "1", nx=True,
                                          ex=TURN_SECONDS):
            continue
        for hub_id in candidates:
            if conn.set(keys.hub_claim(hub_id), "1", nx=True, ex=CLAIM_SECONDS):
                get_queue("checks", conn).enqueue_call(
                    HUB_JOB, args=(hub_id,), timeout=HUB_JOB_TIMEOUT, result_ttl=300,
                    failure_ttl=3600, description=f"new seasons on anime page {hub_id}")
                sent.append(hub_id)
                break
    return sent


def release_claim(hub_id: int, conn: redis.Redis | None = None) -> None:
    """Let the next tick send a read of the hub again (its read is over)."""
    (conn or get_redis()).delete(keys.hub_claim(hub_id))
