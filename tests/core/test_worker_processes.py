"""The scheduler of the pool (workers/clock.py) and the Redis-outage helpers
(workers/resilience.py), on the suite's real Redis and on a port where nothing listens."""

from __future__ import annotations

import logging

import pytest
import redis
from rq import Queue, SimpleWorker

from tests.helpers import free_port
from webapp.infra.health import cron_alive
from workers.clock import Clock
from workers.resilience import MAX_WAIT, Outage, keep_working


def dead_redis() -> redis.Redis:
    """A client of a port where no Redis listens."""
    return redis.Redis(port=free_port(), socket_connect_timeout=0.2, socket_timeout=0.2)


def test_the_clock_enqueues_the_tick_and_beats_for_healthz(redis_conn):
    clock = Clock(redis_conn)
    pause = clock.step()
    assert 0 <= pause <= 60
    jobs = Queue("checks", connection=redis_conn).jobs
    assert [job.func_name for job in jobs] == ["workers.tick.run"]
    assert cron_alive(redis_conn)[0]
    clock.step()                     # not due again yet: still one tick queued
    assert len(Queue("checks", connection=redis_conn).jobs) == 1
    clock.shutdown()


def test_the_clock_waits_out_an_outage_without_raising(caplog):
    clock = Clock(dead_redis())
    with caplog.at_level(logging.WARNING, logger="workers.resilience"):
        waits = [clock.step() for _ in range(7)]
    assert waits == sorted(waits) and waits[0] > 0 and waits[-1] == MAX_WAIT
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1 and "scheduler: Redis is unreachable" in lines[0]


def test_an_outage_logs_when_it_ends(caplog):
    outage = Outage("check worker 1")
    with caplog.at_level(logging.WARNING, logger="workers.resilience"):
        outage.recovered()                        # nothing to say: there was no outage
        outage.failed(redis.ConnectionError("refused"))
        outage.failed(redis.ConnectionError("refused"))
        outage.recovered()
    assert [r.getMessage().split(" (")[0].split(" after")[0] for r in caplog.records] == [
        "check worker 1: Redis is unreachable", "check worker 1: Redis answers again"]
    assert outage.wait == 0


def test_keep_working_returns_when_the_worker_is_done(redis_conn):
    queue = Queue("checks", connection=redis_conn)
    queue.enqueue("builtins.len", "abc")
    made = []

    def make() -> SimpleWorker:
        made.append(SimpleWorker([queue], connection=redis_conn))
        return made[-1]

    keep_working(make, "test worker", redis_conn, burst=True)
    assert len(made) == 1
    assert queue.count == 0


@pytest.mark.parametrize("setting", ["CHECK_CONCURRENCY", "DOWNLOAD_CONCURRENCY",
                                     "WEB_WORKERS", "WEB_THREADS"])
def test_concurrency_settings_must_be_whole_numbers(setting):
    from webapp.config import load_config

    with pytest.raises(SystemExit, match="not a whole number"):
        load_config("/tmp", {setting: "many", "SECRET_KEY": "x"})
