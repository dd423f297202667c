"""The stack's one scheduler: the cron tick and RQ's scheduler of delayed jobs (retries
with an interval), in one small loop — in the pool's parent process (workers/pool.py), or
alone with `python -m workers.clock`.

It replaces both `rq cron workers/cron.py` and the `--with-scheduler` fork each RQ worker
used to start (one per worker, each a copy of the app). It never uses the app: it only
enqueues jobs by reference. The cron part is RQ's own `CronScheduler`
(its heartbeat is what `/healthz` reads); the delayed-job part is RQ's `RQScheduler`
driven in this process instead of a fork, holding RQ's per-queue scheduler locks as
usual, so running a second clock is harmless. A Redis outage is waited out with backoff
(`workers.resilience.Outage`), then both carry on; a tick missed meanwhile is enqueued at
once.
"""

from __future__ import annotations

import logging
import signal
import sys
import time
from collections.abc import Callable

import redis
from rq.cron import CronScheduler
from rq.scheduler import RQScheduler

from webapp.config import redis_url
from workers.resilience import REDIS_DOWN, Outage

log = logging.getLogger("workers.clock")

SCHEDULER_INTERVAL = 5   # seconds between two looks at RQ's scheduled-job registries
QUEUE_NAMES = ("checks", "default", "downloads")   # = webapp.extensions.QUEUE_NAMES, which
# is not imported here: it would load the database layer into this small process


class Clock:
    """The cron tick and RQ's delayed-job scheduler, driven by `step()` from a loop."""

    def __init__(self, conn: redis.Redis) -> None:
        from workers.cron import TICK, run

        self.conn = conn
        self.cron = CronScheduler(connection=conn)
        self.cron.register(run, **TICK)
        self.scheduler = RQScheduler(list(QUEUE_NAMES), connection=conn,
                                     interval=SCHEDULER_INTERVAL)
        self.scheduler._connection = conn
        self.registered = False
        self.outage = Outage("scheduler")
        self._next_schedule = 0.0

    def register(self) -> None:
        """Announce both schedulers in Redis (again after an outage emptied it)."""
        self.cron.register_birth()
        self.scheduler.register_birth()
        self.scheduler.acquire_locks()
        self.registered = True

    def step(self) -> float:
        """Enqueue what is due; return the seconds until the next step. Never raises on a
        Redis outage: it logs once, and the next steps retry with backoff."""
        try:
            if not self.registered:
                self.register()
            pause = self._round()
        except REDIS_DOWN as exc:
            self.registered = False
            return self.outage.failed(exc)
        self.outage.recovered()
        return pause

    def _round(self) -> float:
        if self.cron.enqueue_jobs():
            self.cron.save()
        self.cron.heartbeat()
        now = time.monotonic()
        if now >= self._next_schedule:
            if self.scheduler.should_reacquire_locks:
                self.scheduler.acquire_locks()
            self.scheduler.heartbeat()
            self.scheduler.enqueue_scheduled_jobs()
            self._next_schedule = now + SCHEDULER_INTERVAL
        return max(0.0, min(self.cron.calculate_sleep_interval(),
                            self._next_schedule - time.monotonic()))

    def shutdown(self) -> None:
        """Release the scheduler locks and deregister both, if Redis lets us."""
        try:
            self.scheduler.release_locks()
            self.scheduler.register_death()
            self.cron.register_death()
        except REDIS_DOWN:
            pass
        log.info("scheduler stopped")


def _sleep(seconds: float, stop: Callable[[], bool]) -> None:
    """Sleep in steps of at most a second, so a stop request is seen soon."""
    end = time.monotonic() + seconds
    while not stop() and (left := end - time.monotonic()) > 0:
        time.sleep(min(1.0, left))


def main() -> None:
    """Run only the clock against REDIS_URL (the pool runs it too: workers/pool.py)."""
    logging.basicConfig(level=logging.INFO, stream=sys.stdout,
                        format="%(asctime)s %(process)d %(name)s %(levelname)s %(message)s")
    clock = Clock(redis.Redis.from_url(redis_url(), socket_timeout=10,
                                       socket_connect_timeout=3))
    stopping: list[int] = []
    signal.signal(signal.SIGTERM, lambda signum, _frame: stopping.append(signum))
    signal.signal(signal.SIGINT, lambda signum, _frame: stopping.append(signum))
    while not stopping:
        _sleep(clock.step(), lambda: bool(stopping))
    clock.shutdown()


if __name__ == "__main__":
    main()
