"""Tidying done by the tick: stale progress keys, RQ registries past their lifetime, and
activity older than 90 days — once per EVERY_SECONDS at most (a Redis turn key), since
none of it is urgent and an idle stack's minute tick should cost next to nothing."""

from __future__ import annotations

import logging
from datetime import timedelta

import redis
from rq.registry import clean_registries
from sqlalchemy import delete, select
from sqlalchemy.exc import SQLAlchemyError

from webapp.clock import utcnow
from webapp.extensions import QUEUE_NAMES, db, get_queue, get_redis
from webapp.infra import keys
from webapp.models import ACTIVE_DOWNLOAD_STATUSES, Activity, Download

log = logging.getLogger(__name__)
ACTIVITY_KEEP_DAYS = 90
EVERY_SECONDS = 600


def prune_activity(days: int = ACTIVITY_KEEP_DAYS) -> int:
    """Delete activity events older than `days`; returns how many."""
    cutoff = utcnow() - timedelta(days=days)
    result = db.session.execute(delete(Activity).where(Activity.created_at < cutoff))
    db.session.commit()
    return result.rowcount or 0


def prune_progress_keys(conn: redis.Redis) -> int:
    """Delete live-progress hashes of downloads that are no longer running."""
    found = list(conn.scan_iter(match=keys.PROGRESS_PREFIX + "*", count=500))
    if not found:
        return 0
    ids = {}
    for key in found:
        suffix = key.decode()[len(keys.PROGRESS_PREFIX):]
        if suffix.isdigit():
            ids[int(suffix)] = key
    from webapp.extensions import db

    active = set(db.session.scalars(
        select(Download.id).where(Download.id.in_(list(ids)),
                                  Download.status.in_(ACTIVE_DOWNLOAD_STATUSES))))
    stale = [key for download_id, key in ids.items() if download_id not in active]
    if stale:
        conn.delete(*stale)
    return len(stale)


def housekeeping(force: bool = False) -> dict[str, int]:
    """Run every tidy-up step when its turn came (or `force`); a failing step is logged
    and does not stop the others. Empty when another tick had this turn."""
    conn = get_redis()
    pruned = 0
    try:
        if not force and not conn.set(keys.HOUSEKEEPING_TURN, "1", nx=True, ex=EVERY_SECONDS):
            return {}
        pruned = prune_progress_keys(conn)
        for name in QUEUE_NAMES:
            clean_registries(get_queue(name, conn))
    except redis.RedisError as exc:
        log.warning("housekeeping skipped: Redis error: %s", exc)
    try:
        old_events = prune_activity()
    except SQLAlchemyError as exc:
        db.session.rollback()
        log.warning("old activity not pruned: %s", exc)
        old_events = 0
    return {"progress_keys_pruned": pruned, "activity_pruned": old_events}
