"""Scheduler semantics with a controlled clock: which sources a tick claims, and when."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from threading import Barrier, Thread

import pytest

from tests.check_helpers import claim_due_sources
from webapp.checking import due as due_module
from webapp.checking.due import CLAIM_LEASE
from webapp.checking.tick import tick
from webapp.extensions import db
from webapp.models import Source, User, WatchlistItem
from webapp.watchlist.automation import AutomationSwitch

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def add_item(user: User, source: Source, *, status: str = "active",
             next_check_at: datetime | None = T0) -> WatchlistItem:
    item = WatchlistItem(user_id=user.id, source_id=source.id, anime_title="Show",
                         anime_url=source.url, provider_id=source.provider_id,
                         lang=source.lang, status=status, next_check_at=next_check_at)
    db.session.add(item)
    db.session.commit()
    return item


def add_source(n: int = 1) -> Source:
    source = Source(provider_id="directory", url=f"http://127.0.0.1:9/show{n}/", lang="any")
    db.session.add(source)
    db.session.commit()
    return source


def test_due_active_item_is_claimed_once(ctx, make_user):
    user = make_user("alice")
    source = add_source()
    item = add_item(user, source)
    assert claim_due_sources(T0) == [source.id]
    # A second tick at the same moment finds nothing left to claim.
    assert claim_due_sources(T0) == []
    db.session.refresh(source)
    db.session.refresh(item)
    assert source.check_claimed_until == T0 + CLAIM_LEASE
    assert item.next_check_at == T0          # the claim is on the source; the item waits
    # If the check never ran, the lease expires and the source is claimed again.
    assert claim_due_sources(T0 + CLAIM_LEASE - timedelta(seconds=1)) == []
    assert claim_due_sources(T0 + CLAIM_LEASE) == [source.id]


def test_not_due_yet_is_left_alone(ctx, make_user):
    user = make_user("alice")
    add_item(user, add_source(), next_check_at=T0 + timedelta(hours=1))
    assert claim_due_sources(T0) == []
    assert claim_due_sources(T0 + timedelta(hours=1)) != []


@pytest.mark.parametrize("status", ["paused", "archived"])
def test_paused_and_archived_are_never_checked(ctx, make_user, status):
    user = make_user("alice")
    add_item(user, add_source(), status=status, next_check_at=T0 - timedelta(days=30))
    assert claim_due_sources(T0) == []


def test_completed_only_with_include_completed(ctx, make_user):
    user = make_user("alice")
    source = add_source()
    add_item(user, source, status="completed")
    assert claim_due_sources(T0) == []
    user = db.session.get(User, user.id)
    user.settings.include_completed_anime = True
    db.session.commit()
    assert claim_due_sources(T0) == [source.id]


def test_stopped_user_is_not_checked(ctx, make_user):
    alice = make_user("alice")
    source = add_source()
    add_item(alice, source)
    AutomationSwitch(alice.id).stop()
    assert claim_due_sources(T0) == []
    AutomationSwitch(alice.id).start()
    assert claim_due_sources(T0) == [source.id]


def test_shared_source_claimed_once_for_all_due_users(ctx, make_user):
    source = add_source()
    users = [make_user(f"user{i}") for i in range(5)]
    for i, user in enumerate(users):
        # user0..2 due, user3 due later, user4 paused
        when = T0 if i < 3 else T0 + timedelta(hours=168)
        add_item(user, source, status="paused" if i == 4 else "active", next_check_at=when)
    other = add_source(2)
    add_item(users[3], other)
    assert claim_due_sources(T0) == sorted([source.id, other.id])
    assert claim_due_sources(T0) == []
    # The items keep their times: the check sets each by its owner's interval.
    items = db.session.query(WatchlistItem).filter_by(source_id=source.id).all()
    assert sorted(i.next_check_at == T0 for i in items) == [False, False, True, True, True]


def test_catch_up_after_days_down_claims_each_source_once(ctx, make_user):
    user = make_user("alice")
    sources = [add_source(n) for n in range(3)]
    for n, source in enumerate(sources):
        add_item(user, source, next_check_at=T0 - timedelta(days=7, hours=n))
    assert claim_due_sources(T0) == sorted(s.id for s in sources)
    assert claim_due_sources(T0 + timedelta(seconds=30)) == []


def test_concurrent_claims_never_share_a_source(ctx, make_user):
    user = make_user("alice")
    for n in range(20):
        add_item(user, add_source(n))
    barrier = Barrier(2)
    results: list[list[int]] = []

    def run() -> None:
        with ctx.app_context():
            barrier.wait()
            results.append(claim_due_sources(T0))
            db.session.remove()

    threads = [Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    first, second = results
    assert not set(first) & set(second)
    assert len(first) + len(second) == 20


def test_next_run_is_the_earliest_checkable_item(ctx, make_user):
    user = make_user("alice")
    add_item(user, add_source(1), next_check_at=T0 + timedelta(hours=5))
    add_item(user, add_source(2), next_check_at=T0 + timedelta(hours=2))
    add_item(user, add_source(3), status="paused", next_check_at=T0 + timedelta(hours=1))
    scheduler = AutomationSwitch(user.id)
    assert scheduler.next_run() == T0 + timedelta(hours=2)
    scheduler.stop()
    assert scheduler.next_run() is None


def test_each_owner_interval_after_a_shared_check(ctx, fixture_site, redis_conn):
    """Users with 1 h and 168 h intervals share a source: one check, then each their pace."""
    import time_machine

    from tests.check_helpers import add_user, configure, new_show, run_worker, watch
    from webapp.checking.enqueue import enqueue_source_check

    configure(ctx)
    url = new_show(fixture_site, "shared", episodes=2)
    hourly = add_user("hourly", check_interval_hours=1)
    weekly = add_user("weekly", check_interval_hours=168)
    items = [watch(hourly, url, next_check_at=T0), watch(weekly, url, next_check_at=T0)]
    with time_machine.travel(T0, tick=True):
        (source_id,) = claim_due_sources(T0)
        enqueue_source_check(source_id)
        run_worker(redis_conn)
    db.session.expire_all()
    assert db.session.get(Source, source_id).check_claimed_until is None  # the check ended it
    checked = [db.session.get(WatchlistItem, i) for i in items]
    for item, hours in zip(checked, (1, 168), strict=True):
        assert item.last_episode_available == 2
        delta = item.next_check_at - item.last_checked_at
        assert delta == timedelta(hours=hours)
    # An hour later only the hourly user's item is due: one claim, for that item only.
    later = checked[0].next_check_at
    assert claim_due_sources(later) == [source_id]
    db.session.expire_all()
    assert db.session.get(WatchlistItem, items[1]).next_check_at == checked[1].next_check_at
    assert claim_due_sources(checked[1].next_check_at) == [source_id]


def test_tick_claims_in_batches_and_enqueues_each_source_once(ctx, make_user, redis_conn,
                                                              monkeypatch):
    from rq import Queue

    monkeypatch.setattr(due_module, "CLAIM_BATCH", 3)
    user = make_user("alice")
    sources = [add_source(n) for n in range(7)]
    for source in sources:
        add_item(user, source)
    first = tick(T0)
    assert first.sources_enqueued == sorted(s.id for s in sources)
    queued = Queue("checks", connection=redis_conn).get_job_ids()
    assert sorted(queued) == sorted(f"check-source-{s.id}" for s in sources)
    # A second tick at the same moment (a second `rq cron`) enqueues nothing.
    assert tick(T0).sources_enqueued == []
    assert len(Queue("checks", connection=redis_conn)) == 7


def test_sources_over_the_per_tick_cap_stay_due_for_the_next_tick(ctx, make_user,
                                                                  monkeypatch):
    monkeypatch.setattr(due_module, "MAX_SOURCES_PER_TICK", 2)
    user = make_user("alice")
    sources = [add_source(n) for n in range(3)]
    items = [add_item(user, source) for source in sources]
    assert claim_due_sources(T0) == [sources[0].id, sources[1].id]
    db.session.expire_all()
    # The third source was not claimed: no lease, it is the first of the next tick.
    assert db.session.get(Source, sources[2].id).check_claimed_until is None
    assert db.session.get(WatchlistItem, items[2].id).next_check_at == T0
    assert claim_due_sources(T0 + timedelta(minutes=1)) == [sources[2].id]


def test_redis_down_mid_tick_leaves_unenqueued_sources_due(ctx, make_user, database_url,
                                                           tmp_path, monkeypatch):
    from redis.exceptions import ConnectionError as RedisConnectionError

    from tests.helpers import app_config, free_port
    from webapp import create_app

    user = make_user("alice")
    items = [add_item(user, add_source(n)) for n in range(3)]
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    dead_redis = f"redis://127.0.0.1:{free_port()}/0"
    broken = create_app(app_config(database_url, dead_redis, tmp_path))
    with broken.app_context(), pytest.raises(RedisConnectionError):
        tick(T0)
    db.session.expire_all()
    assert [db.session.get(WatchlistItem, i.id).next_check_at for i in items] == [T0] * 3
    # Their claims were dropped: the next tick claims all three again at once.
    assert claim_due_sources(T0 + timedelta(minutes=1)) == sorted(i.source_id for i in items)


def test_a_failed_check_ends_the_claim_and_the_source_waits_for_its_retry(ctx, make_user):
    import time_machine

    from webapp.checking.checker import EpisodeChecker

    source = add_source()
    source.provider_id = "retired"   # a provider this installation no longer has
    item = add_item(make_user("alice"), source)
    with time_machine.travel(T0, tick=False):
        assert claim_due_sources(T0) == [source.id]
        outcome = EpisodeChecker().check_source(source.id)
    assert outcome.error
    db.session.expire_all()
    assert db.session.get(Source, source.id).check_claimed_until is None
    retry_at = db.session.get(WatchlistItem, item.id).next_check_at
    assert retry_at > T0
    assert claim_due_sources(retry_at - timedelta(seconds=1)) == []
    assert claim_due_sources(retry_at) == [source.id]
