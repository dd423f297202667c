"""Running a check: one at a time per source (Redis lock), reusing a fresh enough run.

A job asked for at time T (Redis server time, the one clock every machine shares)
does not fetch again when a run of its source answers it already: a scheduled job
reuses a run that *started* after T; a manual job reuses a run that *finished* after T
and counted for its item (so it joins a fetch that was running when it was asked for).
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterable
from typing import Any

import redis
from sqlalchemy import select

from webapp.checking.checker import CheckOutcome, EpisodeChecker
from webapp.extensions import db, get_redis
from webapp.infra import keys
from webapp.models import WatchlistItem

log = logging.getLogger(__name__)

LOCK_TTL = 660          # longer than a check job may run (its timeout is 600 s)
LOCK_WAIT = 540         # a job waits this long for a running check of its source
LOCK_POLL = 0.05        # seconds between two tries of a held lock
DISPATCH_SPACING_MS = 500  # checks dispatch downloads at most twice a second
RUN_TTL = 3600          # how long a finished run's results can answer later jobs


class CheckError(Exception):
    """A check job could not run; `str(exc)` is a sentence for a person."""


def redis_now(r: redis.Redis) -> float:
    """The Redis server's clock, in seconds (shared by every web and worker process)."""
    seconds, micros = r.time()
    return seconds + micros / 1_000_000


def mark_manual(r: redis.Redis, items: Iterable[tuple[str, int]]) -> None:
    """Record that these (item, source) pairs were asked for by their owners."""
    with r.pipeline(transaction=False) as pipe:
        for item_id, source_id in items:
            pipe.sadd(keys.check_manual(source_id), item_id)
            pipe.expire(keys.check_manual(source_id), RUN_TTL)
        pipe.execute()


# KEYS: lock, run key, manual key. ARGV: lock token, lock ttl (ms), requested_at ('' for
# none), item id ('' for a source job). Takes the source's lock ('busy' when another
# check holds it), then reuses a fresh enough run (and lets the lock go: nothing to do
# under it) or takes the manual set and starts: one round trip.
BEGIN_SCRIPT = """
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return {'busy'} end
local req = tonumber(ARGV[3])
if req then
  local run = redis.call('HMGET', KEYS[2], '_started', '_finished', '_summary')
  if run[1] then
    if ARGV[4] == '' then
      if tonumber(run[1]) >= req then
        redis.call('DEL', KEYS[1])
        return {'reuse', run[3], false}
      end
    else
      local result = redis.call('HGET', KEYS[2], ARGV[4])
      if result and tonumber(run[2]) >= req then
        redis.call('SREM', KEYS[3], ARGV[4])
        redis.call('DEL', KEYS[1])
        return {'reuse', run[3], result}
      end
    end
  end
end
local t = redis.call('TIME')
local asked = redis.call('SMEMBERS', KEYS[3])
redis.call('DEL', KEYS[3])
return {'run', string.format('%d.%06d', t[1], t[2]), asked}
"""

# KEYS: run key, manual key, lock. ARGV: started, summary JSON, ttl, lock token, then
# (item id, result JSON) for the items asked for before the run. Returns the lock's fate
# (1 released, 0 kept: items were asked for meanwhile, -1 no longer ours) and those items.
END_SCRIPT = """
local t = redis.call('TIME')
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], '_started', ARGV[1], '_summary', ARGV[2],
           '_finished', string.format('%d.%06d', t[1], t[2]))
for i = 5, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
local late = redis.call('SMEMBERS', KEYS[2])
if #late > 0 then return {0, late} end
if redis.call('GET', KEYS[3]) ~= ARGV[4] then return {-1, late} end
redis.call('DEL', KEYS[3])
return {1, late}
"""

# KEYS: lock. ARGV: token. Lets the lock go if it is still this check's; 1 if it was.
RELEASE_SCRIPT = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
"""


def _begin(r: redis.Redis, source_id: int, item_id: str | None,
           requested_at: float | None, token: str) -> tuple[str, Any, Any]:
    """Take the source's lock, waiting up to LOCK_WAIT for a running check, then
    ('reuse', summary, item result) with the lock let go, or ('run', started, items
    asked for) with the lock held.

    The third guard (the run lock, with result reuse). What it saves: manual checks
    have job ids of their own, so only this lock keeps a manual check and the round's
    check of the same source from fetching it at the same time, and the reuse lets a
    job asked for while a run was going answer from that run without a second fetch.
    Taken and let go inside the begin/end scripts: no round trip of its own."""
    run_keys = [keys.check_lock(source_id), keys.check_run(source_id), keys.check_manual(source_id)]
    args = [token, str(LOCK_TTL * 1000),
            "" if requested_at is None else repr(requested_at), item_id or ""]
    begin = r.register_script(BEGIN_SCRIPT)
    deadline = time.monotonic() + LOCK_WAIT
    while (reply := begin(keys=run_keys, args=args))[0] == b"busy":
        if time.monotonic() >= deadline:
            raise CheckError("Another check of this anime's source is taking too long; "
                             "try again in a few minutes.")
        time.sleep(LOCK_POLL)
    kind, first, second = reply
    if kind == b"reuse":
        return "reuse", json.loads(first), json.loads(second) if second else None
    return "run", first.decode(), {m.decode() for m in second}


def _end(r: redis.Redis, outcome: CheckOutcome, started: str, asked: set[str],
         token: str) -> bool:
    """Keep the run's times and summary and the results manual checks asked for, and let
    the source's lock go, in one round trip; False when the lock was no longer ours.

    Items asked for while the run went on (rare) get their results in a second call
    before the lock goes; their jobs wait for the lock, so they cannot look before that.
    """
    key = keys.check_run(outcome.source_id)

    def results(ids: set[str]) -> list[str]:
        return [v for i in ids & outcome.checked if (found := outcome.result(i)) is not None
                for v in (i, json.dumps(found))]

    lock = keys.check_lock(outcome.source_id)
    fate, waiting = r.register_script(END_SCRIPT)(
        keys=[key, keys.check_manual(outcome.source_id), lock],
        args=[started, json.dumps(outcome.summary()), str(RUN_TTL), token, *results(asked)])
    if fate != 0:
        return fate == 1
    late = results({m.decode() for m in waiting} - asked)
    if late:
        r.hset(key, mapping=dict(zip(late[::2], late[1::2], strict=True)))
    return _release(r, lock, token)


def _release(r: redis.Redis, lock: str, token: str) -> bool:
    """Let the lock go if it is still this check's; whether it was."""
    return r.register_script(RELEASE_SCRIPT)(keys=[lock], args=[token]) == 1


def _dispatch(r: redis.Redis) -> None:
    """Queue the new downloads now, unless a dispatch is running or a check dispatched
    less than DISPATCH_SPACING_MS ago.

    During a round every check creates downloads: one dispatch per half second serves
    them all (the limits are the same), and waiting for a running dispatch's lock would
    hold this worker. The tick, and every download that ends, dispatch too, so a skipped
    dispatch delays a free slot by a tick at most.
    """
    from webapp.downloading.dispatch import dispatch_pending
    try:
        with r.pipeline(transaction=False) as pipe:
            pipe.set(keys.CHECK_DISPATCHED, 1, nx=True, px=DISPATCH_SPACING_MS)
            pipe.exists(keys.DISPATCH_LOCK)
            ours, busy = pipe.execute()
        if ours and not busy:
            dispatch_pending()
    except Exception:  # noqa: BLE001 - the tick dispatches again; the check is done
        log.exception("dispatching pending downloads after a check failed")


def _run(source_id: int, item_id: str | None, requested_at: float | None) -> tuple[dict, Any]:
    """Check the source under its lock unless a fresh run answers; (meta, item result)."""
    r = get_redis()
    token = uuid.uuid4().hex
    kind, first, second = _begin(r, source_id, item_id, requested_at, token)
    if kind == "reuse":
        return {"summary": first, "reused": True}, second
    manual = second | ({item_id} if item_id else set())
    released = None
    try:
        outcome = EpisodeChecker().check_source(source_id, manual_item_ids=manual)
        released = _end(r, outcome, first, manual, token)   # lets the lock go
    finally:
        if released is None:        # the check stopped: let the lock go here
            released = _release(r, keys.check_lock(source_id), token)
        if not released:
            log.warning("the lock of source %s expired during its check", source_id)
    if outcome.downloads_created:
        _dispatch(r)
    return {"summary": outcome.summary(), "reused": False}, \
        outcome.result(item_id) if item_id else None


def run_source_check(source_id: int, requested_at: float | None = None) -> dict:
    """The scheduled check of a source; a summary of the run that served it."""
    meta, _ = _run(source_id, None, requested_at)
    return {**meta["summary"], "reused": meta["reused"]}


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
