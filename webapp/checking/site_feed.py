"""Fast detection: each site's own page of recently added episodes, read once a minute.

A provider that has such a page (`has_site_feed`: anime-sama's home page) gets one job per
minute at most from the tick (`enqueue_site_feeds`, a Redis turn key per site). The job
(`follow_site_feed`) asks for the page conditionally — a 304 costs nothing more — and
every watched source the page names (an item's own or one of its backup sources) with an
episode released after the source's last fetch is checked at once, whatever its owners'
intervals: the check itself decides what is new and queues downloads by each owner's
rules. Interval checks stay the safety net.

A page that cannot be read is recorded in the site watch under its own name
(`<provider>:feed`), so a broken home page alerts the admins once while checks carry on
by interval.
"""

from __future__ import annotations

import logging
from datetime import UTC, timedelta
from typing import Any

import redis
from sqlalchemy import select, union_all

from webapp.checking.due import checkable_condition
from webapp.extensions import db, get_queue, get_redis
from webapp.infra import keys
from webapp.infra.site_access import get_http_client, get_registry
from webapp.infra.site_settings import site_feeds_off
from webapp.infra.site_watch import PROVIDER
from webapp.models import ItemSource, Source, User, UserSettings, WatchlistItem
from webapp.notifications.site_alerts import observe
from webapp.sites.http.errors import FetchError
from webapp.sites.types import Conditional, ProviderError, RecentList

log = logging.getLogger(__name__)

FEED_JOB = "workers.feeds.follow_site_feed_job"
FEED_EVERY_SECONDS = 55     # a little under the tick, so a minute's tick always finds it free
FEED_JOB_TIMEOUT = 120
# Sites give release times to the minute (or the second) and their clocks are not ours: an
# episode released just before a source's last fetch may still be new to it.
RELEASE_TIME_SLACK = timedelta(minutes=2)


def feed_watch_name(provider_id: str) -> str:
    """The site-watch name of a provider's recently-added page."""
    return f"{provider_id}:feed"


def enqueue_site_feeds(conn: redis.Redis | None = None) -> list[str]:
    """Send each site's feed job whose minute has come; the provider ids sent."""
    conn = conn or get_redis()
    off = site_feeds_off()
    feeds = [p for p in get_registry().providers if p.has_site_feed and p.id not in off]
    watched = _watched_providers([p.id for p in feeds]) if feeds else set()
    sent = []
    for provider in feeds:
        if provider.id not in watched:
            continue  # nobody watches this site: nothing to detect
        if not conn.set(keys.site_feed_turn(provider.id), "1", nx=True,
                        ex=FEED_EVERY_SECONDS):
            continue
        get_queue("checks", conn).enqueue_call(
            FEED_JOB, args=(provider.id,), job_id=f"site-feed-{provider.id}",
            timeout=FEED_JOB_TIMEOUT, result_ttl=300, failure_ttl=3600,
            description=f"recently added on {provider.name}")
        sent.append(provider.id)
    return sent


def _watched(*columns: Any) -> Any:
    """SELECT DISTINCT of source columns, over sources with a checkable item (as its own
    source or one of its backups) of an owner whose automatic checks and fast detection
    are on."""
    links = union_all(
        select(WatchlistItem.source_id.label("source_id"), WatchlistItem.id.label("item_id")),
        select(ItemSource.source_id, ItemSource.item_id)).subquery()
    return (select(*columns).distinct()
            .join(links, links.c.source_id == Source.id)
            .join(WatchlistItem, WatchlistItem.id == links.c.item_id)
            .join(User, User.id == WatchlistItem.user_id)
            .join(UserSettings, UserSettings.user_id == WatchlistItem.user_id)
            .where(User.scheduler_enabled, User.disabled.is_(False), checkable_condition(),
                   UserSettings.fast_detection.is_(True)))


def _watched_providers(provider_ids: list[str]) -> set[str]:
    """Which of these providers have a watched source."""
    return set(db.session.scalars(
        _watched(Source.provider_id).where(Source.provider_id.in_(provider_ids))))


def _validators(conn: redis.Redis, provider_id: str) -> Conditional | None:
    stored = conn.hgetall(keys.site_feed(provider_id))
    text = {(k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes)
            else v) for k, v in stored.items()}
    if not text.get("etag") and not text.get("last_modified"):
        return None
    return Conditional(etag=text.get("etag") or None,
                       last_modified=text.get("last_modified") or None)


def _keep_validators(conn: redis.Redis, provider_id: str, recent: RecentList) -> None:
    values = {"etag": recent.validators.etag or "",
              "last_modified": recent.validators.last_modified or ""}
    conn.hset(keys.site_feed(provider_id), mapping=values)


def sources_to_check(provider_id: str, recent: RecentList) -> list[int]:
    """The watched sources the page names with an episode newer than their last fetch."""
    wanted = {(e.key, e.lang): e for e in recent.entries}
    if not wanted:
        return []
    rows = db.session.execute(
        _watched(Source.id, Source.url, Source.lang, Source.last_fetched_at)
        .where(Source.provider_id == provider_id, Source.url.in_({k for k, _ in wanted})))
    found = []
    for source_id, url, lang, fetched in rows:
        entry = wanted.get((url, lang))
        if entry is None:
            continue
        if fetched is not None and fetched.tzinfo is not None:
            fetched = fetched.astimezone(UTC).replace(tzinfo=None)
        if fetched is None or entry.released_at is None or \
                entry.released_at > fetched - RELEASE_TIME_SLACK:
            found.append(source_id)
    return sorted(found)


def follow_site_feed(provider_id: str) -> dict[str, Any]:
    """Read one site's recently-added page and check the sources it names; a summary."""
    from webapp.checking.enqueue import enqueue_source_check

    provider = get_registry().get(provider_id)
    if provider is None or not provider.has_site_feed or provider_id in site_feeds_off():
        return {"provider_id": provider_id, "checked": [], "skipped": "no site feed"}
    conn = get_redis()
    label = f"{provider.name} (recently added page)"
    try:
        recent = provider.recently_added(get_http_client(), _validators(conn, provider_id))
    except (ProviderError, FetchError) as exc:
        observe(PROVIDER, feed_watch_name(provider_id), label, exc)
        db.session.commit()  # the admins' notice, if this newly broke the page
        log.info("recently added page of %s not read: %s", provider_id, exc)
        return {"provider_id": provider_id, "checked": [], "error": str(exc)}
    observe(PROVIDER, feed_watch_name(provider_id), label)
    if recent.not_modified:
        return {"provider_id": provider_id, "checked": [], "not_modified": True}
    _keep_validators(conn, provider_id, recent)
    source_ids = sources_to_check(provider_id, recent)
    db.session.commit()
    for source_id in source_ids:
        enqueue_source_check(source_id)
    return {"provider_id": provider_id, "checked": source_ids}
