"""What downloads add to their items' activity: queued, started, done, failed, retried,
cancelled — each written in the transaction of the status change it describes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from webapp.clock import utcnow
from webapp.extensions import db
from webapp.models import Download, WatchlistItem
from webapp.notifications.activity import Event, episode_text, record_many


def _title(item_id: str) -> str:
    return db.session.scalar(select(WatchlistItem.anime_title)
                             .where(WatchlistItem.id == item_id)) or ""


def record_download(download: Download, kind: str, what: str, **data: Any) -> bool:
    """Add "<title> episode <n> <what>" to the owner's activity (the caller commits)."""
    title = _title(download.item_id)
    event = Event(download.user_id, kind, f"{episode_text(title, download.episode)} {what}",
                  download.item_id, title, download.episode,
                  {"download_id": download.id, **data})
    return record_many([event]) == 1


def record_queued(download_ids: list[int]) -> int:
    """Add a `download_queued` event for each of these downloads (one read, one insert)."""
    if not download_ids:
        return 0
    rows = db.session.execute(
        select(Download.id, Download.user_id, Download.item_id, Download.episode,
               Download.attempts, WatchlistItem.anime_title)
        .join(WatchlistItem, WatchlistItem.id == Download.item_id)
        .where(Download.id.in_(download_ids))).all()
    return record_many(
        Event(row.user_id, "download_queued",
              f"{episode_text(row.anime_title, row.episode)} is queued for download.",
              row.item_id, row.anime_title, row.episode,
              {"download_id": row.id, "attempts": row.attempts or 0})
        for row in rows)


def seconds_since(started: datetime | None) -> int | None:
    """Whole seconds from `started` to now (None when it never started)."""
    if started is None:
        return None
    return max(0, int((utcnow() - started).total_seconds()))


def human_size(n: float | None) -> str:
    """1536 -> '1.5 KB' (the downloads page's units)."""
    from webapp.downloading.engines.space import human_size as size_text

    return size_text(n)


def human_time(seconds: int | None) -> str:
    """125 -> '2 min 5 s'."""
    if seconds is None:
        return "at once"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"
