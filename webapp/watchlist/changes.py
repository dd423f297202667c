"""What changed for a user, as short fingerprints the open pages poll (SPEC §6: what a
worker changes shows on every open page within 5 seconds).

Three channels, each read with one small aggregate query on the user's own rows:

- `items`: per status, the items' count, newest `updated_at`/`last_attempt_at` (a check
  done or failed, an edit), episodes available and downloaded, and errors;
- `downloads`: per status, the count and newest id and times, plus the live bytes of the
  running ones from Redis (progress moves several times a second while nothing in the
  database does);
- `notes`: the unread notifications' count and newest id.

Workers on any machine write the same database and Redis, so nothing has to tell the web
process that something changed: the page's poll compares fingerprints. A fingerprint is
a hash, never the data itself.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

import redis
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import Download, Notification, WatchlistItem

log = logging.getLogger(__name__)

CHANNELS = ("items", "downloads", "notes")


def _digest(*parts: Any) -> str:
    return hashlib.blake2s(repr(parts).encode(), digest_size=5).hexdigest()


def _items(user_id: int) -> str:
    rows = db.session.execute(
        select(WatchlistItem.status, func.count(), func.max(WatchlistItem.updated_at),
               func.max(WatchlistItem.last_attempt_at),
               func.sum(WatchlistItem.last_episode_downloaded),
               func.sum(WatchlistItem.last_episode_available),
               func.count(WatchlistItem.last_error))
        .where(WatchlistItem.user_id == user_id).group_by(WatchlistItem.status)
        .order_by(WatchlistItem.status)).all()
    return _digest([tuple(r) for r in rows])


def _downloads(user_id: int, conn: redis.Redis | None) -> str:
    rows = db.session.execute(
        select(Download.status, func.count(), func.max(Download.id),
               func.max(Download.started_at), func.max(Download.finished_at),
               func.sum(Download.attempts))
        .where(Download.user_id == user_id).group_by(Download.status)
        .order_by(Download.status)).all()
    running = db.session.scalars(select(Download.id).where(
        Download.user_id == user_id, Download.status == "running")).all() \
        if any(r[0] == "running" for r in rows) else []
    return _digest([tuple(r) for r in rows], _live_bytes(conn, running))


def _live_bytes(conn: redis.Redis | None, running: list[int]) -> list[Any]:
    """The running downloads' bytes done and player from Redis ([] when it is down)."""
    if conn is None or not running:
        return []
    from webapp.infra import keys

    try:
        pipe = conn.pipeline(transaction=False)
        for download_id in running:
            pipe.hmget(keys.download_progress(download_id), "bytes_done", "player")
        return pipe.execute()
    except redis.RedisError as exc:
        log.warning("live progress unavailable for the page poll: %s", exc)
        return []


def _notes(user_id: int) -> str:
    row = db.session.execute(
        select(func.count(), func.max(Notification.id))
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))).one()
    return _digest(*row)


def fingerprints(user_id: int, conn: redis.Redis | None) -> dict[str, str]:
    """The user's fingerprint per channel."""
    return {"items": _items(user_id), "downloads": _downloads(user_id, conn),
            "notes": _notes(user_id)}


def version(prints: dict[str, str]) -> str:
    """The fingerprints as one query-string value (`<items>.<downloads>.<notes>`)."""
    return ".".join(prints[channel] for channel in CHANNELS)


def changed_channels(previous: str, prints: dict[str, str]) -> list[str]:
    """The channels whose fingerprint differs from those in `previous` (all, when
    `previous` is not a version)."""
    parts = previous.split(".")
    if len(parts) != len(CHANNELS):
        return list(CHANNELS)
    return [c for c, old in zip(CHANNELS, parts, strict=True) if prints[c] != old]
