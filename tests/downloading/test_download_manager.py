"""Dispatch under the limits, exactly-once under races, claims, and recovery (real Redis + RQ)."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import time_machine
from rq import Queue
from rq.job import Job

from tests.download_helpers import (
    MediaServer,
    add_download,
    file_player,
    media_bytes,
    row,
    run_worker,
    seed_item,
    set_user_limit,
)

SIZE = 200 * 1024
# For the `ctx` fixture.
APP_CONFIG = {"HTTP_RETRIES": 0, "MAX_PARALLEL_DOWNLOADS": 3, "DOWNLOAD_RETRY_INTERVALS": ()}


def _statuses(ids: dict[Any, int]) -> dict[Any, str]:
    return {key: row(download_id).status for key, download_id in ids.items()}


def _queued_job_ids(redis_conn: Any) -> list[str]:
    return Queue("downloads", connection=redis_conn).job_ids


def test_dispatch_takes_the_oldest_in_episode_order_under_both_limits(
        ctx: Any, make_user: Any, redis_conn: Any) -> None:
    from webapp.clock import utcnow
    from webapp.downloading.dispatch import dispatch_pending

    alice, bob = make_user("alice"), make_user("bob")
    set_user_limit(bob.id, 1)
    _, a_item = seed_item(alice.id, {}, key="a")
    _, b_item = seed_item(bob.id, {}, key="b")
    made = utcnow()   # as one check creates them; a second boundary must not order them
    a = {n: add_download(alice.id, a_item, n, created_at=made) for n in (3, 1, 2)}
    b = {n: add_download(bob.id, b_item, n, created_at=made) for n in (2, 1)}

    assert dispatch_pending() == 3
    assert _statuses(a) == {3: "pending", 1: "queued", 2: "queued"}  # alice's limit: 2
    assert _statuses(b) == {2: "pending", 1: "queued"}  # bob's limit: 1
    assert sorted(_queued_job_ids(redis_conn)) == sorted(
        f"download-{i}" for i in (a[1], a[2], b[1]))
    assert dispatch_pending() == 0  # global limit of 3 reached

    from webapp.extensions import db
    from webapp.models import Download

    db.session.get(Download, a[1]).status = "completed"
    db.session.commit()
    assert dispatch_pending() == 1 and row(a[3]).status == "queued"


def test_on_demand_downloads_count_against_the_limits(
        ctx: Any, make_user: Any, media: MediaServer, redis_conn: Any) -> None:
    from webapp.downloading.control import request_episode
    from webapp.downloading.dispatch import dispatch_pending

    alice = make_user("alice")
    set_user_limit(alice.id, 1)
    _, item_id = seed_item(alice.id, {1: [], 2: []})
    auto = add_download(alice.id, item_id, 1)
    assert dispatch_pending() == 1
    on_demand = request_episode(alice.id, item_id, 2)
    assert on_demand.status == "pending" and row(auto).status == "queued"


def test_nothing_is_lost_while_redis_is_down(ctx: Any, make_user: Any) -> None:
    from webapp.downloading.dispatch import dispatch_pending
    from webapp.downloading.recovery import recover_stalled

    alice = make_user("alice")
    _, item_id = seed_item(alice.id, {})
    download_id = add_download(alice.id, item_id, 1)
    ctx.config["REDIS_URL"] = "redis://127.0.0.1:9/0"
    assert dispatch_pending() == 0 and recover_stalled() == 0
    assert row(download_id).status == "pending"


def test_two_dispatchers_and_manual_retries_racing_start_one_transfer(
        ctx: Any, make_user: Any, media: MediaServer, redis_conn: Any) -> None:
    from webapp.downloading.control import retry
    from webapp.downloading.dispatch import dispatch_pending
    from webapp.errors import Conflict

    alice = make_user("alice")
    _, item_id = seed_item(alice.id, {1: [file_player(media.add("/1.mp4", media_bytes(SIZE)))]})
    download_id = add_download(alice.id, item_id, 1, status="failed", error="earlier")
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def contender(action: str) -> None:
        with ctx.app_context():
            barrier.wait()
            try:
                if action == "retry":
                    retry(alice.id, download_id)
                else:
                    dispatch_pending()
                outcomes.append(f"{action}: ok")
            except Conflict:
                outcomes.append(f"{action}: conflict")

    threads = [threading.Thread(target=contender, args=(a,))
               for a in ("retry", "retry", "dispatch", "dispatch")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(o for o in outcomes if o.startswith("retry")) == ["retry: conflict", "retry: ok"]
    dispatch_pending()
    assert _queued_job_ids(redis_conn) == [f"download-{download_id}"]
    run_worker(redis_conn)
    assert row(download_id).status == "completed"
    assert len(media.transfers()) == 1 and len(media.served) == 1


def test_a_job_that_loses_its_claim_fetches_nothing(
        ctx: Any, make_user: Any, media: MediaServer, redis_conn: Any) -> None:
    from webapp.downloading.dispatch import enqueue_download

    alice = make_user("alice")
    _, item_id = seed_item(alice.id, {1: [file_player(media.add("/1.mp4", media_bytes(SIZE)))]})
    download_id = add_download(alice.id, item_id, 1, status="running")
    enqueue_download(redis_conn, download_id)  # e.g. RQ re-running an abandoned job
    run_worker(redis_conn)
    job = Job.fetch(f"download-{download_id}", connection=redis_conn)
    assert job.return_value() == {"download_id": download_id, "outcome": "not claimed"}
    assert row(download_id).status == "running" and media.served == []


def test_recovery_requeues_dead_downloads_and_orphans_and_tidies_part_files(
        ctx: Any, make_user: Any, redis_conn: Any) -> None:
    from webapp.clock import utcnow
    from webapp.downloading.recovery import recover_stalled
    from webapp.downloading.settings import job_id
    from webapp.infra.keys import download_heartbeat

    alice = make_user("alice")
    _, item_id = seed_item(alice.id, {})
    long_ago = utcnow() - timedelta(minutes=10)
    dead = add_download(alice.id, item_id, 1, status="running", started_at=long_ago)
    alive = add_download(alice.id, item_id, 2, status="running", started_at=long_ago)
    just_started = add_download(alice.id, item_id, 3, status="running", started_at=utcnow())
    orphan = add_download(alice.id, item_id, 4, status="queued")
    gone = add_download(alice.id, item_id, 5, status="cancelled")
    redis_conn.set(download_heartbeat(alive), "1", ex=60)
    Queue("downloads", connection=redis_conn).enqueue(
        "workers.downloads.download_episode_job", dead, job_id=job_id(dead))
    partial = Path(ctx.config["DOWNLOAD_DIR"]) / ".partial"
    partial.mkdir(parents=True)
    for download_id in (dead, gone):
        (partial / f"{download_id}.part").write_bytes(b"x")
    (partial / f"{gone}.part.meta").write_text("{}")

    assert recover_stalled() == 1                      # the orphan; the silence is noted
    assert _statuses({"dead": dead, "orphan": orphan}) == {"dead": "running",
                                                           "orphan": "queued"}
    with time_machine.travel(utcnow() + timedelta(seconds=31), tick=False):
        assert recover_stalled() == 1                  # still silent half a period later
    assert _statuses({"dead": dead, "alive": alive, "new": just_started, "orphan": orphan}) == \
        {"dead": "queued", "alive": "running", "new": "running", "orphan": "queued"}
    assert sorted(_queued_job_ids(redis_conn)) == sorted([job_id(dead), job_id(orphan)])
    assert sorted(p.name for p in partial.iterdir()) == [f"{dead}.part"]
    assert recover_stalled() == 0  # idempotent


def test_a_live_download_whose_heartbeat_redis_lost_is_not_started_twice(
        ctx: Any, make_user: Any, redis_conn: Any) -> None:
    """Redis restarted (its keys gone) while a worker downloads: the tick right after
    finds no heartbeat, but the worker writes it again within a quarter period — the
    download is left alone, never given a second job."""
    from webapp.clock import utcnow
    from webapp.downloading.recovery import recover_stalled
    from webapp.infra.keys import download_heartbeat

    alice = make_user("alice")
    _, item_id = seed_item(alice.id, {})
    live = add_download(alice.id, item_id, 1, status="running",
                        started_at=utcnow() - timedelta(minutes=10))
    assert recover_stalled() == 0                      # silence noted only
    redis_conn.set(download_heartbeat(live), "1", ex=60)   # the live worker's next beat
    with time_machine.travel(utcnow() + timedelta(seconds=31), tick=False):
        assert recover_stalled() == 0
    assert _statuses({"live": live}) == {"live": "running"}
    assert _queued_job_ids(redis_conn) == []
