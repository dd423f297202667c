"""Telling an owner about finished downloads the way people asked: one message for a burst.

When several episodes of one item arrive together (a check that found three, the first
check of a finished anime) and the owner's `notify_season_complete` is on, each
completion that still has siblings pending, queued or running is held back (a Redis set
per item), and the last one of the burst sends one message: "Frieren S01 complete: 28
episodes in the library." when every episode the site lists for the item is now there,
else "Frieren: episodes 13, 14 and 15 are in the library.". A lone episode, an owner with
the setting off, or a Redis that does not answer gives the usual one message per episode.
A burst that ends with a failure still tells what arrived.
"""

from __future__ import annotations

import logging

import redis
from sqlalchemy import func, select

from webapp.downloading.finish_notes import tell_owner
from webapp.extensions import db, get_redis
from webapp.infra import keys
from webapp.library.layout import season_of
from webapp.models import (
    ACTIVE_DOWNLOAD_STATUSES,
    Download,
    Source,
    SourceEpisode,
    UserSettings,
    WatchlistItem,
)
from webapp.schemas import episode_number

log = logging.getLogger(__name__)

HOLD_SECONDS = 2 * 24 * 3600


def _wants_digest(user_id: int) -> bool:
    value = db.session.scalar(select(UserSettings.notify_season_complete)
                              .where(UserSettings.user_id == user_id))
    return value is not False


def _others_active(download: Download) -> bool:
    return db.session.scalar(select(func.count()).select_from(Download).where(
        Download.item_id == download.item_id, Download.id != download.id,
        Download.status.in_(ACTIVE_DOWNLOAD_STATUSES))) > 0


def _numbers_text(numbers: list[float]) -> str:
    shown = [str(episode_number(n)) for n in sorted(numbers)]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"


def _season_complete(item: WatchlistItem) -> int | None:
    """How many episodes the item's source lists, when every one is completed; else None."""
    listed = set(db.session.scalars(select(SourceEpisode.number)
                                    .where(SourceEpisode.source_id == item.source_id)))
    done = set(db.session.scalars(select(Download.episode).where(
        Download.item_id == item.id, Download.status == "completed")))
    return len(listed) if listed and listed <= done else None


def _digest_text(item: WatchlistItem, numbers: list[float]) -> str:
    count = _season_complete(item)
    if count is not None:
        source = db.session.get(Source, item.source_id)
        season = season_of(source) if source is not None else 1
        return (f"{item.anime_title} S{season:02d} complete: {count} episode"
                f"{'s' if count != 1 else ''} in the library.")
    return f"{item.anime_title}: episodes {_numbers_text(numbers)} are in the library."


def _take_held(conn: redis.Redis, item_id: str) -> list[float]:
    """Every episode held for the item, removed in the same step (two completions that
    both find the burst over never tell the same episode twice)."""
    key = keys.digest_held(item_id)
    pipe = conn.pipeline(transaction=True)
    pipe.smembers(key)
    pipe.delete(key)
    values, _deleted = pipe.execute()
    return sorted(float(v) for v in values)


def _tell(download: Download, item: WatchlistItem, numbers: list[float]) -> None:
    if len(numbers) == 1 and numbers[0] == float(download.episode):
        tell_owner(download, "download_completed", "is in the library.")
    elif numbers:
        tell_owner(download, "download_completed", message=_digest_text(item, numbers))


def completed(download: Download) -> None:
    """Tell the owner that the download's episode is in the library — or hold it back
    while others of the item are still on their way, the last of the burst telling them
    all. Every completion first adds its episode to the item's held set, then looks
    whether the burst is over: of two finishing at once, at least one sees it over, and
    taking the set is atomic. Committed."""
    item = db.session.get(WatchlistItem, download.item_id)
    if item is None or not _wants_digest(download.user_id):
        tell_owner(download, "download_completed", "is in the library.")
        return
    try:
        conn = get_redis()
        conn.sadd(keys.digest_held(item.id), str(float(download.episode)))
        conn.expire(keys.digest_held(item.id), HOLD_SECONDS)
        if _others_active(download):
            return
        numbers = _take_held(conn, item.id)
    except redis.RedisError as exc:
        log.warning("download %s: burst not gathered (Redis: %s)", download.id, exc)
        numbers = [float(download.episode)]
    _tell(download, item, numbers)


def burst_ended_by_failure(download: Download) -> None:
    """A failure that ends a burst: tell what of it arrived (held back until now)."""
    item = db.session.get(WatchlistItem, download.item_id)
    if item is None or _others_active(download):
        return
    try:
        numbers = _take_held(get_redis(), item.id)
    except redis.RedisError:
        return
    if numbers:
        tell_owner(download, "download_completed", message=_digest_text(item, numbers)
                   if len(numbers) > 1 else
                   f"{item.anime_title} episode {episode_number(numbers[0])} is in the "
                   f"library.")
