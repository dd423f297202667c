"""Check jobs: one fetch per source per round, joined jobs, own ids for manual checks, TTLs."""

from __future__ import annotations

import threading
import time

import pytest
from rq import Queue
from rq.job import Job

from tests.check_helpers import CHECK_CONFIG, add_user, configure, item, new_show, run_worker, watch
from webapp.checking import runs
from webapp.checking.enqueue import JOB_TTL, enqueue_item_checks, enqueue_source_check
from webapp.checking.runs import (
    CheckError,
    mark_manual,
    redis_now,
    run_item_check,
    run_source_check,
)
from webapp.checking.status import job_view
from webapp.extensions import db
from webapp.infra import keys

# The conftest's `ctx` applies this: a fast HTTP client (no pacing, short timeouts).
APP_CONFIG = CHECK_CONFIG


def crowd(site, name: str, users: int = 50) -> list[tuple[int, str]]:
    """`users` users watching one new directory show: [(user id, item id)]."""
    url = new_show(site, name, episodes=2)
    return [(uid, watch(uid, url)) for uid in (add_user(f"{name}{n}") for n in range(users))]


def test_fifty_users_one_fetch_with_two_rounds_and_a_manual_check(ctx, fixture_site,
                                                                 redis_conn):
    people = crowd(fixture_site, "popular")
    source_id = item(people[0][1]).source_id
    uid, item_id = people[7]

    first = enqueue_source_check(source_id)
    second = enqueue_source_check(source_id)
    manual_id = enqueue_item_checks(uid, [(item_id, source_id)])[0]
    run_worker(redis_conn)

    assert fixture_site.hits("/dir/nginx/popular/") == 1
    assert first == second == f"check-source-{source_id}" and manual_id != first
    view = job_view(manual_id, uid)
    assert view["status"] == "finished"
    assert view["result"]["item_id"] == item_id
    assert view["result"]["downloads_queued"] == [1, 2]
    for _uid, other in people:
        assert item(other).last_checked_at is not None


def test_a_manual_check_first_then_rounds_is_still_one_fetch(ctx, fixture_site, redis_conn):
    people = crowd(fixture_site, "early", users=5)
    source_id = item(people[0][1]).source_id
    uid, item_id = people[0]

    manual_id = enqueue_item_checks(uid, [(item_id, source_id)])[0]
    enqueue_source_check(source_id)
    enqueue_source_check(source_id)
    run_worker(redis_conn)

    assert fixture_site.hits("/dir/nginx/early/") == 1
    assert job_view(manual_id, uid)["result"]["new_episodes"] == [1, 2]


def test_a_finished_round_is_replaced_by_the_next(ctx, fixture_site, redis_conn):
    people = crowd(fixture_site, "again", users=2)
    source_id = item(people[0][1]).source_id
    enqueue_source_check(source_id)
    run_worker(redis_conn)

    enqueue_source_check(source_id)
    assert len(Queue("checks", connection=redis_conn)) == 1
    run_worker(redis_conn)

    assert fixture_site.hits("/dir/nginx/again/") == 2


def test_a_manual_check_joins_the_fetch_running_when_it_was_asked(ctx, fixture_site,
                                                                  redis_conn):
    people = crowd(fixture_site, "running", users=3)
    source_id = item(people[0][1]).source_id
    uid, item_id = people[1]
    fixture_site.slow("/dir/nginx/running/", 0.3, times=1)
    app = ctx
    started = threading.Event()

    def scheduled() -> None:
        with app.app_context():
            started.set()
            run_source_check(source_id)

    thread = threading.Thread(target=scheduled)
    thread.start()
    started.wait(5)
    deadline = time.monotonic() + 5
    while not redis_conn.exists(keys.check_lock(source_id)) and time.monotonic() < deadline:
        time.sleep(0.005)
    mark_manual(redis_conn, [(item_id, source_id)])    # what enqueueing the job does
    requested_at = redis_now(redis_conn)
    result = run_item_check(item_id, requested_at)     # waits for the lock, then reuses
    thread.join(10)

    assert fixture_site.hits("/dir/nginx/running/") == 1
    assert result["item_id"] == item_id and result["new_episodes"] == [1, 2]


def test_a_check_that_crashes_lets_the_lock_of_its_source_go(ctx, redis_conn):
    with pytest.raises(LookupError):
        run_source_check(987654)          # no such source: the check stops under the lock

    assert not redis_conn.exists(keys.check_lock(987654))


def test_a_check_gives_up_on_a_lock_held_too_long_with_a_sentence(ctx, fixture_site,
                                                                    redis_conn, monkeypatch):
    (_uid, item_id), = crowd(fixture_site, "held", users=1)
    source_id = item(item_id).source_id
    redis_conn.set(keys.check_lock(source_id), "another worker")
    monkeypatch.setattr(runs, "LOCK_WAIT", 0.2)

    with pytest.raises(CheckError, match="Another check of this anime's source is taking "
                                         "too long; try again in a few minutes."):
        run_source_check(source_id)

    assert fixture_site.hits("/dir/nginx/held/") == 0
    assert redis_conn.get(keys.check_lock(source_id)) == b"another worker"


def test_a_check_whose_lock_expired_leaves_the_next_holder_alone(ctx, fixture_site,
                                                                 redis_conn, caplog):
    (_uid, item_id), = crowd(fixture_site, "expired", users=1)
    source_id = item(item_id).source_id
    fixture_site.slow("/dir/nginx/expired/", 0.3, times=1)
    app = ctx
    started = threading.Event()

    def take_over() -> None:              # the lock expired and another check took it
        started.wait(5)
        deadline = time.monotonic() + 5
        while not redis_conn.exists(keys.check_lock(source_id)) and time.monotonic() < deadline:
            time.sleep(0.005)
        redis_conn.set(keys.check_lock(source_id), "the next check")

    thread = threading.Thread(target=take_over)
    thread.start()
    with app.app_context():
        started.set()
        summary = run_source_check(source_id)
    thread.join(5)

    assert summary["error"] is None and item(item_id).last_episode_available == 2
    assert redis_conn.get(keys.check_lock(source_id)) == b"the next check"
    assert f"the lock of source {source_id} expired during its check" in caplog.text


def test_each_manual_check_has_its_own_job_readable_for_a_day(ctx, fixture_site,
                                                              redis_conn):
    (uid, item_id), = crowd(fixture_site, "mine", users=1)
    source_id = item(item_id).source_id

    ids = [enqueue_item_checks(uid, [(item_id, source_id)])[0] for _ in range(2)]
    run_worker(redis_conn)

    assert ids[0] != ids[1]
    assert fixture_site.hits("/dir/nginx/mine/") == 1
    for job_id in ids:
        assert job_view(job_id, uid)["status"] == "finished"
        ttl = redis_conn.ttl(Job.key_for(job_id))
        assert JOB_TTL - 60 < ttl <= JOB_TTL
        assert job_view(job_id, uid + 1) is None
    redis_conn.delete(Job.key_for(ids[0]))             # what the TTL does after 24 h
    assert job_view(ids[0], uid) is None


def test_a_job_for_a_deleted_item_fails_with_a_sentence(ctx, fixture_site, redis_conn):
    (uid, item_id), = crowd(fixture_site, "gone", users=1)
    job_id = enqueue_item_checks(uid, [(item_id, item(item_id).source_id)])[0]
    db.session.delete(item(item_id))
    db.session.commit()

    run_worker(redis_conn)

    view = job_view(job_id, uid)
    assert view["status"] == "failed"
    assert view["error"] == "This watchlist item was deleted before it could be checked."
    assert redis_conn.ttl(Job.key_for(job_id)) > JOB_TTL - 60


def test_check_worker_runs_jobs_with_one_app_of_its_own(app, database_url, redis_url,
                                                         fixture_site, redis_conn,
                                                         monkeypatch, tmp_path):
    from tests.check_helpers import BurstWorker
    from workers import context

    class QuietCheckWorker(context.CheckWorker, BurstWorker):
        """The production check worker, without the pub/sub listener of burst tests."""

    configure(app)
    with app.app_context():
        people = crowd(fixture_site, "own", users=2) + crowd(fixture_site, "other", users=1)
        for _uid, item_id in people:
            enqueue_source_check(item(item_id).source_id)
    for name, value in {"DATABASE_URL": database_url, "REDIS_URL": redis_url,
                        "INSTANCE_PATH": str(tmp_path / "worker"), "SECRET_KEY": "test",
                        "ALLOW_PRIVATE_HOSTS": "127.0.0.0/8",
                        "HOST_RATE_LIMIT_PER_SECOND": "0"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(context, "_app", None)   # a fresh worker process has no app yet

    QuietCheckWorker(["checks"], connection=redis_conn).work(burst=True)

    worker_app = context.get_app()
    assert worker_app is not app and context.get_app() is worker_app
    assert fixture_site.hits("/dir/nginx/own/") == 1
    assert fixture_site.hits("/dir/nginx/other/") == 1
    with app.app_context():
        assert all(item(item_id).last_checked_at is not None for _uid, item_id in people)


def test_check_worker_skips_only_renewals_that_would_not_extend_its_life(redis_conn):
    """Between short jobs the check worker skips RQ's back-to-back renewals of its key, but
    never leaves the key shorter-lived than RQ asked for, nor its state stale."""
    from rq.worker import WorkerStatus

    from workers.context import CheckWorker

    worker = CheckWorker(["checks"], connection=redis_conn)
    worker.register_birth()
    try:
        worker.heartbeat()
        assert redis_conn.ttl(worker.key) > worker.worker_ttl
        redis_conn.expire(worker.key, 300)      # as if time had passed since
        worker.heartbeat()                      # renewed moments ago for as long: skipped
        assert redis_conn.ttl(worker.key) <= 300
        with redis_conn.pipeline() as pipe:     # a job with a 30 s timeout starts
            worker.heartbeat(90, pipeline=pipe)
            pipe.execute()
        assert redis_conn.ttl(worker.key) <= 90
        worker.heartbeat()                      # idle again: RQ wants 480 s, so it goes out
        assert redis_conn.ttl(worker.key) > worker.worker_ttl
        for state in (WorkerStatus.BUSY, WorkerStatus.IDLE, WorkerStatus.IDLE):
            worker.set_state(state)
            assert redis_conn.hget(worker.key, "state").decode() == state
    finally:
        worker.register_death()
