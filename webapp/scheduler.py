"""AutoDownloadScheduler: per-user automatic checks, and the tick that `rq cron` runs.

The database is the schedule: every item has `next_check_at`; users have
`scheduler_enabled`. One `rq cron` process enqueues `workers.tick.run` every
CRON_TICK_SECONDS; the tick claims the due items of each source with one conditional
UPDATE (pushing their `next_check_at` a lease ahead), and enqueues one check per claimed
source. A second tick at the same moment, or a second `rq cron` by mistake, finds nothing
left to claim, so no source is enqueued twice. The check itself sets the real
`next_check_at`; if the check never runs, the lease expires and the items are due again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import redis
from rq.cron import CronScheduler
from sqlalchemy import and_, func, or_, select, update

from webapp.extensions import db, get_redis
from webapp.models import User, UserSettings, WatchlistItem
from webapp.timeutil import isoformat, utcnow

log = logging.getLogger(__name__)

CLAIM_LEASE = timedelta(minutes=15)
HEARTBEAT_FRESH = timedelta(minutes=2)
MAX_SOURCES_PER_TICK = 5000


def checkable_condition() -> Any:
    """SQL condition: the item is checked by the scheduler (SPEC §3)."""
    return or_(
        WatchlistItem.status == "active",
        and_(WatchlistItem.status == "completed", UserSettings.include_completed_anime),
    )


def cron_heartbeat(conn: redis.Redis) -> datetime | None:
    """The freshest `rq cron` heartbeat in RQ's own registry, or None."""
    beats = [s.last_heartbeat for s in CronScheduler.all(conn) if s.last_heartbeat]
    return max(beats) if beats else None


def cron_alive(conn: redis.Redis, now: datetime | None = None) -> tuple[bool, datetime | None]:
    """Whether an `rq cron` process beat in the last two minutes, and when it last did."""
    try:
        beat = cron_heartbeat(conn)
    except redis.RedisError:
        return False, None
    now = now or utcnow()
    return beat is not None and now - beat < HEARTBEAT_FRESH, beat


class AutoDownloadScheduler:
    """One user's automatic checks: start, stop and status (SPEC §4 scheduler endpoints)."""

    def __init__(self, user_id: int) -> None:
        self.user_id = user_id

    def _user(self) -> User:
        user = db.session.get(User, self.user_id)
        if user is None:
            raise LookupError(f"user {self.user_id} does not exist")
        return user

    def next_run(self) -> datetime | None:
        """When the user's next checkable item is due (None when disabled or none)."""
        if not self._user().scheduler_enabled:
            return None
        return db.session.scalar(
            select(func.min(WatchlistItem.next_check_at))
            .join(UserSettings, UserSettings.user_id == WatchlistItem.user_id)
            .where(WatchlistItem.user_id == self.user_id, checkable_condition()))

    def status(self, now: datetime | None = None) -> dict[str, Any]:
        """`{"running", "enabled", "scheduler_alive", "next_run", "settings"}`."""
        from webapp.schemas import settings_to_dict

        user = self._user()
        try:
            alive, _beat = cron_alive(get_redis(), now)
        except redis.RedisError:
            alive = False
        return {
            "running": bool(user.scheduler_enabled and alive),
            "enabled": bool(user.scheduler_enabled),
            "scheduler_alive": alive,
            "next_run": isoformat(self.next_run()),
            "settings": settings_to_dict(user.settings),
        }

    def start(self) -> dict[str, Any]:
        """Turn the user's automatic checks on; overdue items are checked on the next tick."""
        self._user().scheduler_enabled = True
        db.session.commit()
        return self.status()

    def stop(self) -> dict[str, Any]:
        """Turn the user's automatic checks off (manual checks still work)."""
        self._user().scheduler_enabled = False
        db.session.commit()
        return self.status()


@dataclass
class TickResult:
    """What one tick did (kept as the tick job's result for `rq info` and tests)."""

    sources_enqueued: list[int] = field(default_factory=list)
    downloads_dispatched: int = 0
    downloads_recovered: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"sources_enqueued": self.sources_enqueued,
                "downloads_dispatched": self.downloads_dispatched,
                "downloads_recovered": self.downloads_recovered}


def claim_due_sources(now: datetime) -> list[int]:
    """Claim every due checkable item of enabled users; return their distinct sources."""
    due_items = (
        select(WatchlistItem.id)
        .join(User, User.id == WatchlistItem.user_id)
        .join(UserSettings, UserSettings.user_id == WatchlistItem.user_id)
        .where(WatchlistItem.next_check_at <= now, User.scheduler_enabled,
               User.disabled.is_(False), checkable_condition())
    )
    stmt = (
        update(WatchlistItem)
        .where(WatchlistItem.id.in_(due_items), WatchlistItem.next_check_at <= now)
        .values(next_check_at=now + CLAIM_LEASE, updated_at=WatchlistItem.updated_at)
        .returning(WatchlistItem.source_id)
        .execution_options(synchronize_session=False)
    )
    source_ids = sorted(set(db.session.scalars(stmt)))
    db.session.commit()
    return source_ids[:MAX_SOURCES_PER_TICK]


def release_claim(source_id: int, now: datetime) -> None:
    """Make a source's claimed items due again (its check could not be enqueued)."""
    db.session.execute(
        update(WatchlistItem)
        .where(WatchlistItem.source_id == source_id,
               WatchlistItem.next_check_at == now + CLAIM_LEASE)
        .values(next_check_at=now, updated_at=WatchlistItem.updated_at)
        .execution_options(synchronize_session=False))
    db.session.commit()


def tick(now: datetime | None = None) -> TickResult:
    """Enqueue checks of due sources, dispatch pending downloads, recover stalled ones."""
    from webapp.checks import enqueue_check
    from webapp.download_manager import dispatch_pending, recover_stalled

    now = now or utcnow()
    result = TickResult()
    for source_id in claim_due_sources(now):
        try:
            enqueue_check(source_id)
        except redis.RedisError:
            log.warning("could not enqueue the check of source %s; it stays due", source_id)
            release_claim(source_id, now)
            raise
        result.sources_enqueued.append(source_id)
    result.downloads_recovered = recover_stalled()
    result.downloads_dispatched = dispatch_pending()
    return result
