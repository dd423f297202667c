"""Whose items a shared check counts for, and the notifications it sends."""

from __future__ import annotations

from sqlalchemy import select

from tests.check_helpers import (
    CHECK_CONFIG,
    add_user,
    downloads,
    item,
    new_show,
    run_worker,
    watch,
)
from webapp.checking.enqueue import enqueue_item_checks, enqueue_source_check
from webapp.checking.status import job_view
from webapp.extensions import db
from webapp.models import Notification

# The conftest's `ctx` applies this: a fast HTTP client (no pacing, short timeouts).
APP_CONFIG = CHECK_CONFIG


def check(redis_conn, source_id: int) -> None:
    enqueue_source_check(source_id)
    run_worker(redis_conn)


def notes(user_id: int, kind: str | None = None) -> list[Notification]:
    db.session.expire_all()
    stmt = select(Notification).where(Notification.user_id == user_id)
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    return list(db.session.scalars(stmt.order_by(Notification.id)))


def test_shared_source_counts_only_for_checkable_items_of_running_schedulers(
        ctx, fixture_site, redis_conn):
    url = new_show(fixture_site, "shared", episodes=2)
    active = watch(add_user("active"), url)
    paused = watch(add_user("paused"), url, status="paused")
    stopped = watch(add_user("stopped", scheduler=False), url)
    done = watch(add_user("done"), url, status="completed")
    done_included = watch(add_user("doneinc", include_completed_anime=True), url,
                          status="completed")
    no_auto = watch(add_user("noauto", auto_download_enabled=False), url)

    check(redis_conn, item(active).source_id)

    for item_id in (active, paused, stopped, done, done_included, no_auto):
        assert item(item_id).last_episode_available == 2
    for item_id in (active, done_included, no_auto):
        assert item(item_id).last_checked_at is not None
    for item_id in (paused, stopped, done):
        row = item(item_id)
        assert row.last_checked_at is None and downloads(item_id) == []
    assert [n for n, _ in downloads(active)] == [1, 2]
    assert [n for n, _ in downloads(done_included)] == [1, 2]
    assert downloads(no_auto) == []


def test_a_manual_check_counts_for_a_paused_item(ctx, fixture_site, redis_conn):
    url = new_show(fixture_site, "pausedshow", episodes=2)
    uid = add_user("ann", scheduler=False)
    paused = watch(uid, url, status="paused")
    other = watch(add_user("bob"), url, status="paused")

    job_id = enqueue_item_checks(uid, [(paused, item(paused).source_id)])[0]
    run_worker(redis_conn)

    result = job_view(job_id, uid)["result"]
    assert result["new_episodes"] == [1, 2] and result["downloads_queued"] == [1, 2]
    assert item(paused).last_checked_at is not None
    assert item(other).last_checked_at is None and downloads(other) == []
    assert item(other).last_episode_available == 2


def test_new_episodes_digest_once_per_user_and_only_when_asked(ctx, fixture_site,
                                                               redis_conn):
    url = new_show(fixture_site, "digest", episodes=3)
    wants = add_user("wants", notify_on_new_episodes=True)
    quiet = add_user("quiet")
    watch(wants, url, title="Digest Show")
    watch(quiet, url)
    source_id = item(watch(add_user("third", notify_on_new_episodes=True), url,
                           status="paused")).source_id

    check(redis_conn, source_id)
    check(redis_conn, source_id)                        # nothing new: no second message
    fixture_site.publish_episode("/dir/nginx/digest/", count=2)
    check(redis_conn, source_id)

    messages = [n.message for n in notes(wants, "new_episodes")]
    assert messages == ["Digest Show: 3 new episodes (1, 2, 3).",
                        "Digest Show: 2 new episodes (4, 5)."]
    assert notes(quiet) == []


def test_source_error_after_three_failures_once_until_it_recovers(ctx, fixture_site,
                                                                  redis_conn):
    url = new_show(fixture_site, "broken", episodes=1)
    ann, bob = add_user("ann"), add_user("bob")
    source_id = item(watch(ann, url, title="Broken")).source_id
    watch(bob, url)
    fixture_site.fail("/dir/nginx/broken/", status=500)

    for _ in range(2):
        check(redis_conn, source_id)
    assert notes(ann, "source_error") == []
    for _ in range(3):
        check(redis_conn, source_id)
    assert len(notes(ann, "source_error")) == 1 and len(notes(bob, "source_error")) == 1
    assert notes(ann, "source_error")[0].message.startswith("Broken: the last 3 checks failed.")

    fixture_site.clear_rules()
    check(redis_conn, source_id)
    fixture_site.fail("/dir/nginx/broken/", status=500)
    for _ in range(3):
        check(redis_conn, source_id)
    assert len(notes(ann, "source_error")) == 2
