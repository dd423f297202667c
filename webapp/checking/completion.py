"""Smart completion: items that finish by themselves, and completed ones that get archived.

With an owner's `complete_after_weeks` (N > 0), an active item whose source showed no new
episode for N weeks becomes `completed` — counted from its newest episode's first sight,
or from when the item was added or its status last changed (so an item the user set back
to active gets a fresh N weeks), and only while its source is being read (a site that
fails is not a finished anime). With `archive_after_weeks` (M > 0), a `completed` item is
`archived` M weeks after it became completed. Each change adds a `completed`/`archived`
event to the owner's activity saying why; setting the status back undoes it.

Whatever N, an active item whose anime's page says the anime is finished (`hubs.finished`,
read for new seasons) becomes `completed` once every episode its sources list is in the
library (`last_episode_downloaded` ≥ `last_episode_available`) — unless the user set its
status after the page said so and no episode has come into the library since (an undo
sticks until something new happens).

The tick runs `sweep` at most once an hour (a Redis turn key).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import redis
from sqlalchemy import and_, func, not_, or_, select, update

from webapp.clock import utcnow
from webapp.extensions import db, get_redis
from webapp.infra import keys
from webapp.models import Download, Hub, Source, SourceEpisode, UserSettings, WatchlistItem
from webapp.notifications.activity import Event, record_many

log = logging.getLogger(__name__)

SWEEP_EVERY_SECONDS = 3600
# A source must have been read this recently for its silence to mean something.
READ_RECENTLY = timedelta(days=7)


def _weeks(count: int) -> str:
    return f"{count} week{'s' if count != 1 else ''}"


def _quiet_candidates(now: datetime) -> list[Any]:
    newest = (select(SourceEpisode.source_id, func.max(SourceEpisode.first_seen_at)
                     .label("newest")).group_by(SourceEpisode.source_id).subquery())
    return list(db.session.execute(
        select(WatchlistItem.id, WatchlistItem.user_id, WatchlistItem.anime_title,
               WatchlistItem.created_at, WatchlistItem.status_changed_at,
               newest.c.newest, UserSettings.complete_after_weeks)
        .join(UserSettings, UserSettings.user_id == WatchlistItem.user_id)
        .outerjoin(newest, newest.c.source_id == WatchlistItem.source_id)
        .where(WatchlistItem.status == "active", UserSettings.complete_after_weeks > 0,
               WatchlistItem.last_success_at >= now - READ_RECENTLY)))


def _as_naive(value: datetime | None) -> datetime | None:
    return None if value is None else value.replace(tzinfo=None)


def _due(since: datetime, weeks: int, now: datetime) -> bool:
    """Whether `weeks` have passed since `since`."""
    return _as_naive(now) - _as_naive(since) >= timedelta(weeks=weeks)


def _event(row: Any, kind: str, text: str, reason: str, weeks: int) -> Event:
    return Event(row.user_id, kind, f"{row.anime_title} {text} {_weeks(weeks)}.",
                 item_id=row.id, anime_title=row.anime_title,
                 data={"reason": reason, "weeks": weeks})


def complete_quiet_items(now: datetime) -> int:
    """Mark completed the active items quiet for their owner's N weeks; how many."""
    due = []
    for row in _quiet_candidates(now):
        starts = [_as_naive(t) for t in (row.created_at, row.status_changed_at, row.newest)]
        if _due(max(t for t in starts if t is not None), row.complete_after_weeks, now):
            due.append(row)
    events = [_event(row, "completed", "marked completed: no new episode for", "quiet",
                     row.complete_after_weeks) for row in due]
    return _change([row.id for row in due], "active", "completed", events, now)


def _finished_candidates() -> list[Any]:
    newest_file = (select(Download.item_id, func.max(Download.finished_at).label("at"))
                   .where(Download.status == "completed").group_by(Download.item_id)
                   .subquery())
    undone = and_(WatchlistItem.status_changed_at.is_not(None),
                  WatchlistItem.status_changed_at >= Hub.finished_at,
                  or_(newest_file.c.at.is_(None),
                      newest_file.c.at <= WatchlistItem.status_changed_at))
    return list(db.session.execute(
        select(WatchlistItem.id, WatchlistItem.user_id, WatchlistItem.anime_title)
        .join(Source, Source.id == WatchlistItem.source_id)
        .join(Hub, Hub.id == Source.hub_id)
        .outerjoin(newest_file, newest_file.c.item_id == WatchlistItem.id)
        .where(WatchlistItem.status == "active", Hub.finished.is_(True),
               WatchlistItem.last_episode_available.is_not(None),
               WatchlistItem.last_episode_downloaded >= WatchlistItem.last_episode_available,
               not_(undone))))


def complete_finished_items(now: datetime) -> int:
    """Mark completed the active items of finished anime with every episode in the
    library; how many."""
    rows = _finished_candidates()
    events = [Event(row.user_id, "completed",
                    f"{row.anime_title} marked completed: the site lists the anime as "
                    "finished and every episode is in the library.",
                    item_id=row.id, anime_title=row.anime_title,
                    data={"reason": "finished"}) for row in rows]
    return _change([row.id for row in rows], "active", "completed", events, now)


def archive_completed_items(now: datetime) -> int:
    """Archive the items completed for their owner's M weeks; how many."""
    since = func.coalesce(WatchlistItem.status_changed_at, WatchlistItem.updated_at)
    rows = db.session.execute(
        select(WatchlistItem.id, WatchlistItem.user_id, WatchlistItem.anime_title,
               since.label("since"), UserSettings.archive_after_weeks)
        .join(UserSettings, UserSettings.user_id == WatchlistItem.user_id)
        .where(WatchlistItem.status == "completed", UserSettings.archive_after_weeks > 0))
    due = [row for row in rows if _due(row.since, row.archive_after_weeks, now)]
    events = [_event(row, "archived", "archived: completed for", "completed",
                     row.archive_after_weeks) for row in due]
    return _change([row.id for row in due], "completed", "archived", events, now)


def _change(ids: list[str], old: str, new: str, events: list[Event], now: datetime) -> int:
    """Move the items still in status `old` to `new`; the events of the ones that moved
    (an item whose status a user changed meanwhile keeps it, and gets no event)."""
    if not ids:
        return 0
    moved = set(db.session.scalars(
        update(WatchlistItem).where(WatchlistItem.id.in_(ids), WatchlistItem.status == old)
        .values(status=new, status_changed_at=now, updated_at=now)
        .returning(WatchlistItem.id).execution_options(synchronize_session=False)))
    record_many([event for event in events if event.item_id in moved])
    db.session.commit()
    return len(moved)


def sweep(now: datetime | None = None, conn: redis.Redis | None = None,
          force: bool = False) -> tuple[int, int] | None:
    """Complete and archive what is due, once an hour at most; (completed, archived), or
    None when another tick had this hour's turn."""
    now = now or utcnow()
    conn = conn or get_redis()
    if not force and not conn.set(keys.COMPLETION_TURN, "1", nx=True, ex=SWEEP_EVERY_SECONDS):
        return None
    completed = complete_finished_items(now) + complete_quiet_items(now)
    archived = archive_completed_items(now)
    if completed or archived:
        log.info("smart completion: %d item(s) completed, %d archived", completed, archived)
    return completed, archived
