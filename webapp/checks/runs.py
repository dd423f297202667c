"""Running a check: one at a time per source (Redis lock), reusing a fresh enough run.

A job asked for at time T (Redis server time, the one clock every machine shares)
does not fetch again when a run of its source answers it already: a scheduled job
reuses a run that *started* after T; a manual job reuses a run that *finished* after T
and counted for its item (so it joins a fetch that was running when it was asked for).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

import redis
from redis.exceptions import LockError
from sqlalchemy import select

from webapp.episode_checker import CheckOutcome, EpisodeChecker
from webapp.extensions import db, get_redis
from webapp.models import WatchlistItem

log = logging.getLogger(__name__)

LOCK_TTL = 660          # longer than a check job may run (its timeout is 600 s)
LOCK_WAIT = 540         # a job waits this long for a running check of its source
RUN_TTL = 3600          # how long a finished run's results can answer later jobs
META = "_meta"


class CheckError(Exception):
    """A check job could not run; `str(exc)` is a sentence for a person."""


def lock_key(source_id: int) -> str:
    """The lock held while a check of the source runs."""
    return f"check:source:{int(source_id)}"


def manual_key(source_id: int) -> str:
    """Items a manual check asked for, counted by the next run of the source."""
    return f"check:manual:{int(source_id)}"


def run_key(source_id: int) -> str:
    """The last run of the source: its times, and results for the manual checks of it."""
    return f"check:run:{int(source_id)}"


def redis_now(r: redis.Redis) -> float:
    """The Redis server's clock, in seconds (shared by every web and worker process)."""
    seconds, micros = r.time()
    return seconds + micros / 1_000_000


def mark_manual(r: redis.Redis, items: Iterable[tuple[str, int]]) -> None:
    """Record that these (item, source) pairs were asked for by their owners."""
    with r.pipeline(transaction=False) as pipe:
        for item_id, source_id in items:
            pipe.sadd(manual_key(source_id), item_id)
            pipe.expire(manual_key(source_id), RUN_TTL)
        pipe.execute()


def _take_manual(r: redis.Redis, source_id: int) -> set[str]:
    with r.pipeline() as pipe:
        pipe.smembers(manual_key(source_id))
        pipe.delete(manual_key(source_id))
        members, _ = pipe.execute()
    return {m.decode() for m in members}


def _last_run(r: redis.Redis, source_id: int, item_id: str | None) -> tuple[dict, Any]:
    meta, result = r.hmget(run_key(source_id), [META, item_id or META])
    return (json.loads(meta) if meta else {}), (json.loads(result) if result else None)


def _store_run(r: redis.Redis, outcome: CheckOutcome, started: float,
               asked: set[str]) -> None:
    """Keep the run's times, and the results of the items manual checks asked for.

    `asked` are the items taken from the manual set at the start; items added to it while
    the run went on are kept too: their jobs were asked for before it finished.
    """
    asked = asked | {m.decode() for m in r.smembers(manual_key(outcome.source_id))}
    meta = {"started": started, "finished": redis_now(r), "summary": outcome.summary()}
    mapping = {META: json.dumps(meta)}
    mapping.update({item_id: json.dumps(outcome.results[item_id])
                    for item_id in asked & outcome.checked if item_id in outcome.results})
    key = run_key(outcome.source_id)
    with r.pipeline() as pipe:
        pipe.delete(key)
        pipe.hset(key, mapping=mapping)
        pipe.expire(key, RUN_TTL)
        pipe.execute()


def _dispatch() -> None:
    from webapp.download_manager import dispatch_pending

    try:
        dispatch_pending()
    except Exception:  # noqa: BLE001 - the tick dispatches again; the check is done
        log.exception("dispatching pending downloads after a check failed")


def _run(source_id: int, item_id: str | None, requested_at: float | None) -> tuple[dict, Any]:
    """Check the source under its lock unless a fresh run answers; (meta, item result)."""
    r = get_redis()
    lock = r.lock(lock_key(source_id), timeout=LOCK_TTL, blocking_timeout=LOCK_WAIT,
                  sleep=0.05)
    if not lock.acquire():
        raise CheckError("Another check of this anime's source is taking too long; "
                         "try again in a few minutes.")
    try:
        if requested_at is not None:
            meta, result = _last_run(r, source_id, item_id)
            if item_id is None and meta.get("started", 0) >= requested_at:
                return meta, None
            if item_id is not None and result is not None \
                    and meta.get("finished", 0) >= requested_at:
                r.srem(manual_key(source_id), item_id)
                return meta, result
        started = redis_now(r)
        manual = _take_manual(r, source_id) | ({item_id} if item_id else set())
        outcome = EpisodeChecker().check_source(source_id, manual_item_ids=manual)
        _store_run(r, outcome, started, manual)
    finally:
        try:
            lock.release()
        except LockError:
            log.warning("the lock of source %s expired during its check", source_id)
    if outcome.downloads_created:
        _dispatch()
    return {"summary": outcome.summary()}, outcome.results.get(item_id) if item_id else None


def run_source_check(source_id: int, requested_at: float | None = None) -> dict:
    """The scheduled check of a source; a summary of the run that served it."""
    meta, _ = _run(source_id, None, requested_at)
    return {**meta.get("summary", {}), "reused": "started" in meta}


def run_item_check(item_id: str, requested_at: float | None = None) -> dict:
    """A manual check of one item; its AutoDownloadResult."""
    source_id = db.session.scalar(select(WatchlistItem.source_id)
                                  .where(WatchlistItem.id == item_id))
    db.session.commit()
    if source_id is None:
        raise CheckError("This watchlist item was deleted before it could be checked.")
    _meta, result = _run(source_id, item_id, requested_at)
    if result is None:
        raise CheckError("This watchlist item was deleted before it could be checked.")
    return result
