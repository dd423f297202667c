"""The tick that `rq cron` runs every CRON_TICK_SECONDS (`workers.tick.run`).

It claims the due sources (webapp.checking.due) and enqueues one check per claimed source
after each batch, sends each site's recently-added job whose minute has come
(webapp.checking.site_feed), once an hour completes and archives quiet items
(webapp.checking.completion), sends a due anime page's read for new seasons per site
(webapp.checking.hubs), once per BACKUP_EVERY_HOURS sends the scheduled backup job
(`send_backup`), then recovers stalled downloads and dispatches pending ones.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import redis
from flask import current_app

from webapp.checking.completion import sweep
from webapp.checking.due import claim_batches, release_claims
from webapp.checking.enqueue import enqueue_check
from webapp.checking.hubs import enqueue_hub_reads
from webapp.checking.site_feed import enqueue_site_feeds
from webapp.clock import utcnow
from webapp.downloading.dispatch import dispatch_pending
from webapp.downloading.recovery import recover_stalled
from webapp.extensions import db, get_queue, get_redis
from webapp.infra import keys

log = logging.getLogger(__name__)

BACKUP_JOB = "workers.backups.write_backup_job"   # webapp.watchlist.scheduled_backups
BACKUP_JOB_TIMEOUT = 3600


@dataclass
class TickResult:
    """What one tick did (kept as the tick job's result for `rq info` and tests)."""

    sources_enqueued: list[int] = field(default_factory=list)
    site_feeds: list[str] = field(default_factory=list)
    downloads_dispatched: int = 0
    downloads_recovered: int = 0
    completed: int = 0
    archived: int = 0
    hub_reads: list[int] = field(default_factory=list)
    backup_sent: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"sources_enqueued": self.sources_enqueued, "site_feeds": self.site_feeds,
                "downloads_dispatched": self.downloads_dispatched,
                "downloads_recovered": self.downloads_recovered,
                "completed": self.completed, "archived": self.archived,
                "hub_reads": self.hub_reads, "backup_sent": self.backup_sent}


def tick(now: datetime | None = None) -> TickResult:
    """Enqueue checks of due sources, dispatch pending downloads, recover stalled ones."""
    now = now or utcnow()
    result = TickResult()
    for batch in claim_batches(now):
        for position, source_id in enumerate(batch):
            try:
                enqueue_check(source_id)
            except redis.RedisError:
                log.warning("could not enqueue the check of source %s; it and the rest of "
                            "its batch stay due", source_id)
                release_claims(batch[position:], now)
                raise
            result.sources_enqueued.append(source_id)
    try:
        result.site_feeds = enqueue_site_feeds()
    except Exception:  # noqa: BLE001 - fast detection must never stop the tick
        log.exception("could not send the sites' recently-added jobs this tick")
    try:
        swept = sweep(now)
        if swept:
            result.completed, result.archived = swept
    except Exception:  # noqa: BLE001 - completion must never stop the tick
        log.exception("smart completion failed this tick")
        db.session.rollback()
    try:
        result.hub_reads = enqueue_hub_reads(now)
    except Exception:  # noqa: BLE001 - new seasons must never stop the tick
        log.exception("could not send the anime pages' reads this tick")
        db.session.rollback()
    try:
        result.backup_sent = send_backup()
    except Exception:  # noqa: BLE001 - backups must never stop the tick
        log.exception("could not send the scheduled backup job this tick")
    result.downloads_recovered = recover_stalled()
    result.downloads_dispatched = dispatch_pending()
    return result


def send_backup(conn: redis.Redis | None = None) -> bool:
    """Enqueue the scheduled backup when its turn came (a Redis key held BACKUP_EVERY_HOURS;
    0 turns backups off); whether it was sent."""
    hours = float(current_app.config.get("BACKUP_EVERY_HOURS") or 0)
    if hours <= 0:
        return False
    conn = conn or get_redis()
    if not conn.set(keys.BACKUP_TURN, "1", nx=True, ex=max(1, round(hours * 3600))):
        return False
    options = {"job_timeout": BACKUP_JOB_TIMEOUT, "result_ttl": 86400,
               "failure_ttl": 7 * 86400, "description": "scheduled backup of every watchlist"}
    # Not in the first minutes after its turn comes (the stack's first tick, on a start):
    # a backup can wait, and an idle stack just started keeps its second worker cold.
    delay = float(current_app.config.get("BACKUP_DELAY_SECONDS") or 0)
    try:
        queue = get_queue("default", conn)
        if delay > 0:
            queue.enqueue_in(timedelta(seconds=delay), BACKUP_JOB, **options)
        else:
            queue.enqueue(BACKUP_JOB, **options)
    except redis.RedisError:
        conn.delete(keys.BACKUP_TURN)  # not sent: the next tick tries again
        raise
    return True
