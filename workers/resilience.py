"""Riding out a Redis outage: wait with backoff, one clear log line, then carry on.

RQ 2.12's `Worker.work()` leaves its loop on `redis.exceptions.TimeoutError` ("Redis
connection timeout, quitting...") and on any other exception raised outside a job — a
`ConnectionError` from the heartbeat, the maintenance tasks or the failure handling of
a job (rq/worker/base.py, `BaseWorker.work`); only the blocking dequeue itself retries.
`keep_working` wraps it: when the loop ends without a stop request, it waits until Redis
answers again and starts a fresh worker (a new name: the old key may still be there).
The database stays the truth: a download or check that was cut off is found again by the
tick (stalled downloads recovered, pending ones dispatched, due sources re-enqueued).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import redis
from rq import Worker

log = logging.getLogger("workers.resilience")

REDIS_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
FIRST_WAIT = 0.5     # seconds before the first retry
MAX_WAIT = 15.0      # the longest wait between two tries


def backoff(previous: float) -> float:
    """The next wait: doubled, at most MAX_WAIT."""
    return min(max(previous * 2, FIRST_WAIT), MAX_WAIT)


def wait_for_redis(conn: redis.Redis, what: str, error: BaseException | None = None,
                   sleep: Callable[[float], None] = time.sleep) -> float:
    """Block until `conn` answers PING; log one line when it goes and one when it is back.

    Returns how many seconds it waited."""
    started = time.monotonic()
    wait = 0.0
    logged = False
    while True:
        try:
            conn.ping()
        except REDIS_DOWN as exc:
            if not logged:
                log.warning("%s: Redis is unreachable (%s); waiting for it, retrying with "
                            "backoff up to %.0fs", what, error or exc, MAX_WAIT)
                logged = True
            wait = backoff(wait)
            sleep(wait)
            continue
        waited = time.monotonic() - started
        if logged:
            log.warning("%s: Redis answers again after %.1fs; carrying on", what, waited)
        return waited


def keep_working(make_worker: Callable[[], Worker], what: str, conn: redis.Redis,
                 **work_kwargs: object) -> None:
    """Run `make_worker().work(**work_kwargs)` until it stops on request or reaches its
    `max_jobs`; after a Redis outage (or an error that broke RQ's loop) start again."""
    while True:
        worker = make_worker()
        error: BaseException | None = None
        try:
            worker.work(**work_kwargs)  # type: ignore[arg-type]
        except REDIS_DOWN as exc:      # from teardown / register_birth
            error = exc
        if worker._stop_requested:
            return
        if error is None and _healthy(conn):
            return                     # max_jobs reached, or burst: the caller decides
        wait_for_redis(conn, what, error)


def _healthy(conn: redis.Redis) -> bool:
    try:
        conn.ping()
        return True
    except REDIS_DOWN:
        return False


class Outage:
    """The Redis state of a loop that must not block: one log line when Redis goes, one
    when it is back, and the growing wait before the next try."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.since: float | None = None
        self.wait = 0.0

    def failed(self, exc: BaseException) -> float:
        """Note a failed try; return how long to wait before the next."""
        if self.since is None:
            self.since = time.monotonic()
            log.warning("%s: Redis is unreachable (%s); waiting for it, retrying with "
                        "backoff up to %.0fs", self.what, exc, MAX_WAIT)
        self.wait = backoff(self.wait)
        return self.wait

    def recovered(self) -> None:
        """Note a successful try (logs the end of an outage)."""
        if self.since is not None:
            log.warning("%s: Redis answers again after %.1fs; carrying on", self.what,
                        time.monotonic() - self.since)
        self.since, self.wait = None, 0.0
