"""Tidying done by the tick: stale progress keys and RQ registries past their lifetime."""

from __future__ import annotations

import logging

import redis
from rq.registry import clean_registries
from sqlalchemy import select

from webapp.extensions import QUEUE_NAMES, get_queue, get_redis
from webapp.infra import keys
from webapp.models import ACTIVE_DOWNLOAD_STATUSES, Download

log = logging.getLogger(__name__)


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


def housekeeping() -> dict[str, int]:
    """Run every tidy-up step; a failing step is logged and does not stop the others."""
    conn = get_redis()
    pruned = 0
    try:
        pruned = prune_progress_keys(conn)
        for name in QUEUE_NAMES:
            clean_registries(get_queue(name, conn))
    except redis.RedisError as exc:
        log.warning("housekeeping skipped: Redis error: %s", exc)
    return {"progress_keys_pruned": pruned}
