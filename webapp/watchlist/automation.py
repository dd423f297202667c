"""The per-user automation switch: whether the scheduler checks a user's items.

This is only the user's on/off flag (`users.scheduler_enabled`) and the status the API
shows; the tick itself is webapp.checking.tick.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import redis
from sqlalchemy import func, select

from webapp.checking.due import checkable_condition
from webapp.clock import isoformat
from webapp.extensions import db, get_redis
from webapp.infra.health import cron_alive
from webapp.models import User, UserSettings, WatchlistItem
from webapp.schemas import settings_to_dict


class AutomationSwitch:
    """One user's automatic checks on or off, and their status (SPEC §4 scheduler endpoints)."""

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
