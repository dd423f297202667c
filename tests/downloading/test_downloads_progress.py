"""Live progress in our own Redis: throttled writes, a TTL, and readable figures."""

from __future__ import annotations

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from webapp.downloading.engines.progress import ProgressReporter, read_progress
from webapp.infra import keys


class FakeClock:
    """A clock the test advances (the reporter's throttle reads it)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_at_most_three_writes_a_second_with_a_ttl(redis_conn) -> None:
    clock = FakeClock()
    reporter = ProgressReporter(redis_conn, 42, "Sibnet", clock=clock)
    total = 100 * 1024 * 1024
    for i in range(1000):  # 10 seconds of 100 chunks a second
        reporter(i * 100_000, total, 1_000_000.0)
        clock.now += 0.01
    assert 29 <= reporter.writes <= 31
    reporter.finish()
    key = keys.download_progress(42)
    assert 0 < redis_conn.ttl(key) <= 30
    live = read_progress(redis_conn, 42)
    assert live["bytes"] == 999 * 100_000
    assert live["total"] == total
    assert live["speed"] == 1_000_000.0
    assert live["eta"] == (total - 999 * 100_000) // 1_000_000
    assert live["player"] == "Sibnet"
    assert live["percent"] == round(100 * 999 * 100_000 / total, 1)
    assert live["updated_at"] > 0
    reporter.clear()
    assert read_progress(redis_conn, 42) is None


def test_unknown_total_and_player_change(redis_conn) -> None:
    clock = FakeClock()
    reporter = ProgressReporter(redis_conn, "a1", clock=clock)
    reporter(5000, None, 0.0)
    reporter.set_player("Vidmoly")
    live = read_progress(redis_conn, "a1")
    assert (live["total"], live["eta"], live["percent"], live["player"]) == \
        (None, None, None, "Vidmoly")


def test_touch_keeps_a_resolving_download_alive(redis_conn) -> None:
    clock = FakeClock()
    reporter = ProgressReporter(redis_conn, 7, ttl=5, clock=clock)
    reporter.touch()
    assert 0 < redis_conn.ttl(keys.download_progress(7)) <= 5
    assert read_progress(redis_conn, 7)["bytes"] == 0


def test_redis_down_never_fails_nor_slows_the_download() -> None:
    dead = redis.Redis(port=1, socket_connect_timeout=0.2, socket_timeout=0.2,
                       retry=Retry(NoBackoff(), 0))
    clock = FakeClock()
    reporter = ProgressReporter(dead, 1, clock=clock)
    for i in range(100):  # 10 seconds
        reporter(i, 100, 3.0)
        clock.now += 0.1
    reporter.finish()
    reporter.clear()
    assert (reporter.writes, reporter.failures) == (0, 1)  # then quiet for 30 s
    clock.now += 30
    reporter(100, 100, 0.0)
    assert reporter.failures == 2
