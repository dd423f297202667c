"""Polling by rhythm: checks gather around the expected release, within the owner's
interval and never closer than ten minutes apart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from webapp.checking.rhythm import EARLY_WINDOW, LATE_WINDOW, MIN_GAP, next_check_at

NOW = datetime(2026, 3, 7, 12, 0, tzinfo=UTC)
SIX_HOURS = timedelta(hours=6)


def test_no_prediction_keeps_the_interval() -> None:
    assert next_check_at(NOW, SIX_HOURS, None) == NOW + SIX_HOURS


def test_checks_close_in_on_an_upcoming_release() -> None:
    expected = NOW + timedelta(hours=5)
    assert next_check_at(NOW, SIX_HOURS, expected) == expected - EARLY_WINDOW
    # inside the window each check halves the distance: 1 h 30, 45 min, 22 min 30 ...
    at, gaps = expected - EARLY_WINDOW, []
    while at < expected:
        following = next_check_at(at, SIX_HOURS, expected)
        gaps.append(following - at)
        at = following
    assert gaps[0] == timedelta(minutes=90) and gaps == sorted(gaps, reverse=True)
    assert min(gaps) >= MIN_GAP and len(gaps) <= 6
    # a release beyond the interval changes nothing: the interval is the upper bound
    assert next_check_at(NOW, SIX_HOURS, NOW + timedelta(hours=30)) == NOW + SIX_HOURS
    # a release in two minutes still waits the minimum gap
    assert next_check_at(NOW, SIX_HOURS, NOW + timedelta(minutes=2)) == NOW + MIN_GAP


def test_a_late_episode_is_looked_for_often_then_less_often() -> None:
    gaps = []
    for late in (timedelta(minutes=5), timedelta(minutes=40), timedelta(hours=3),
                 timedelta(hours=11)):
        gaps.append(next_check_at(NOW, SIX_HOURS, NOW - late) - NOW)
    assert gaps == sorted(gaps) and gaps[0] == MIN_GAP
    assert all(MIN_GAP <= gap <= SIX_HOURS for gap in gaps)
    assert next_check_at(NOW, SIX_HOURS, NOW - LATE_WINDOW - timedelta(minutes=1)) == \
        NOW + SIX_HOURS


def test_a_short_interval_is_never_lengthened() -> None:
    one_hour = timedelta(hours=1)
    for expected in (NOW + timedelta(hours=5), NOW - timedelta(hours=4), None):
        assert next_check_at(NOW, one_hour, expected) <= NOW + one_hour


def test_a_real_check_before_the_expected_release_comes_back_sooner(ctx, make_api,
                                                                    fixture_site, redis_conn):
    """Through the real check job: a weekly show checked two hours before its expected
    Saturday release is checked again an hour later (half the distance), not in 6 h, and
    the API says why; at the owner's interval again once the prediction is far."""
    from tests.calendar_helpers import (
        WEEK,
        last_saturday_slot,
        release_on,
        user_id,
        watch_new_show,
        weekly_slots,
    )
    from tests.check_helpers import CHECK_CONFIG, configure, item

    ctx.config.update(CHECK_CONFIG)
    configure(ctx)
    api = make_api("alice")
    item_id, source_id, key = watch_new_show(fixture_site, user_id("alice"), "rhythm-show",
                                             auto_download=False)
    release_on(ctx, fixture_site, redis_conn, source_id, key, weekly_slots(6))
    expected = last_saturday_slot() + WEEK
    _check_at(ctx, redis_conn, source_id, expected - timedelta(hours=2))
    checked = item(item_id)
    gap = checked.next_check_at - checked.last_checked_at
    assert timedelta(minutes=50) <= gap <= timedelta(minutes=70)
    body = api.get(f"/api/watchlist/{item_id}").get_json()
    assert body["watched_by"] == {"site_feed": False, "interval_hours": 6,
                                  "next_check_reason": "expected_release"}

    _check_at(ctx, redis_conn, source_id, expected - timedelta(days=3))
    checked = item(item_id)
    assert checked.next_check_at - checked.last_checked_at == SIX_HOURS
    assert api.get(f"/api/watchlist/{item_id}").get_json()["watched_by"][
        "next_check_reason"] == "interval"


def _check_at(app, redis_conn, source_id: int, at: datetime) -> None:
    import time_machine
    from rq import Queue

    from tests.check_helpers import BurstWorker
    from webapp.checking.enqueue import enqueue_source_check
    from webapp.extensions import db
    from webapp.infra import keys

    redis_conn.delete(keys.check_run(source_id), keys.CHECK_DISPATCHED)
    with time_machine.travel(at, tick=False):
        enqueue_source_check(source_id)
        BurstWorker([Queue("checks", connection=redis_conn)],
                    connection=redis_conn).work(burst=True)
        db.session.remove()
