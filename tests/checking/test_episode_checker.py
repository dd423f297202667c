"""EpisodeChecker through real jobs: episodes, new ones, pending downloads, errors, 304s."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.check_helpers import (
    CHECK_CONFIG,
    add_user,
    downloads,
    item,
    new_show,
    run_worker,
    source,
    watch,
)
from webapp.checking.enqueue import enqueue_item_checks, enqueue_source_check
from webapp.checking.status import job_view
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.models import SourceEpisode

WAITING = {"pending", "queued"}


# The conftest's `ctx` applies this: a fast HTTP client (no pacing, short timeouts).
APP_CONFIG = CHECK_CONFIG


def check(redis_conn, *source_ids: int) -> None:
    """One scheduled round over these sources, run to the end."""
    for source_id in source_ids:
        enqueue_source_check(source_id)
    run_worker(redis_conn)


def manual(redis_conn, user_id: int, item_id: str) -> dict:
    """A manual check of one item, run to the end; its job view."""
    row = item(item_id)
    job_id = enqueue_item_checks(user_id, [(item_id, row.source_id)])[0]
    run_worker(redis_conn)
    return job_view(job_id, user_id)


def test_first_check_lists_episodes_and_queues_every_one(ctx, fixture_site, redis_conn):
    url = new_show(fixture_site, "alpha", episodes=3)
    uid = add_user("ann")
    item_id = watch(uid, url)
    before = utcnow()

    view = manual(redis_conn, uid, item_id)

    result = view["result"]
    assert view["status"] == "finished" and result["error"] is None
    assert result["episodes_available"] == 3
    assert result["new_episodes"] == [1, 2, 3]
    assert result["downloads_queued"] == [1, 2, 3]
    assert [(n, s in WAITING) for n, s in downloads(item_id)] == [(1, True), (2, True),
                                                                  (3, True)]
    row = item(item_id)
    assert row.last_episode_available == 3 and row.last_error is None
    assert row.last_checked_at >= before
    assert row.next_check_at == row.last_checked_at + timedelta(hours=6)
    episodes = db.session.scalars(select(SourceEpisode).where(
        SourceEpisode.source_id == row.source_id).order_by(SourceEpisode.number)).all()
    assert [e.number for e in episodes] == [1, 2, 3]
    assert all(e.first_seen_at >= before and e.players for e in episodes)


def test_nothing_new_creates_nothing_and_is_a_304(ctx, fixture_site, redis_conn):
    url = new_show(fixture_site, "beta", episodes=2)
    uid = add_user("ann")
    item_id = watch(uid, url)
    source_id = item(item_id).source_id
    check(redis_conn, source_id)
    first_seen = {e.number: e.first_seen_at for e in db.session.scalars(
        select(SourceEpisode).where(SourceEpisode.source_id == source_id))}
    etag = source(source_id).etag
    assert etag

    view = manual(redis_conn, uid, item_id)

    assert view["result"]["new_episodes"] == [] and view["result"]["downloads_queued"] == []
    assert view["result"]["episodes_available"] == 2
    assert len(downloads(item_id)) == 2
    second = fixture_site.requests_for("/dir/nginx/beta/")[-1]
    assert second.headers.get("If-None-Match", "").strip('"') == etag.strip('"')
    assert {e.number: e.first_seen_at for e in db.session.scalars(
        select(SourceEpisode).where(SourceEpisode.source_id == source_id))} == first_seen
    assert source(source_id).last_success_at is not None


def test_a_published_episode_makes_exactly_one_download(ctx, fixture_site, redis_conn):
    url = new_show(fixture_site, "gamma", episodes=2)
    uid = add_user("ann")
    item_id = watch(uid, url)
    check(redis_conn, item(item_id).source_id)
    fixture_site.publish_episode("/dir/nginx/gamma/")

    view = manual(redis_conn, uid, item_id)

    assert view["result"]["new_episodes"] == [3]
    assert view["result"]["downloads_queued"] == [3]
    assert [n for n, _ in downloads(item_id)] == [1, 2, 3]
    assert item(item_id).last_episode_available == 3


def test_only_episodes_above_last_downloaded_are_wanted(ctx, fixture_site, redis_conn):
    url = new_show(fixture_site, "delta", episodes=4)
    uid = add_user("ann")
    item_id = watch(uid, url, last_episode_downloaded=2)

    view = manual(redis_conn, uid, item_id)

    assert view["result"]["new_episodes"] == [1, 2, 3, 4]
    assert view["result"]["downloads_queued"] == [3, 4]


@pytest.mark.parametrize("misbehave, kind, retry_in", [
    (lambda site, path: site.break_layout(path), "layout changed", timedelta(hours=6)),
    (lambda site, path: site.challenge(path), "anti-bot", timedelta(minutes=15)),
    (lambda site, path: site.slow(path, 1.0), "unreachable", timedelta(minutes=15)),
])
def test_a_failure_keeps_last_good_state_and_says_why(ctx, fixture_site, redis_conn,
                                                      misbehave, kind, retry_in):
    bad_url = new_show(fixture_site, "bad", episodes=2)
    good_url = new_show(fixture_site, "good", episodes=2)
    uid = add_user("ann")
    bad, good = watch(uid, bad_url), watch(uid, good_url)
    check(redis_conn, item(bad).source_id, item(good).source_id)
    fixture_site.publish_episode("/dir/nginx/bad/")
    fixture_site.publish_episode("/dir/nginx/good/")
    misbehave(fixture_site, "/dir/nginx/bad/")
    before = utcnow()

    check(redis_conn, item(bad).source_id, item(good).source_id)

    failed = item(bad)
    assert failed.last_episode_available == 2 and len(downloads(bad)) == 2
    assert kind in failed.last_error.lower()
    assert abs(failed.next_check_at - before - retry_in) < timedelta(seconds=30)
    assert source(failed.source_id).consecutive_failures == 1
    assert source(failed.source_id).last_error == failed.last_error
    fine = item(good)
    assert fine.last_episode_available == 3 and fine.last_error is None
    assert [n for n, _ in downloads(good)] == [1, 2, 3]


def test_a_page_that_lists_nothing_any_more_is_a_layout_change(ctx, fixture_site,
                                                               redis_conn):
    url = new_show(fixture_site, "empty", episodes=3)
    uid = add_user("ann")
    item_id = watch(uid, url)
    check(redis_conn, item(item_id).source_id)
    fixture_site.set_episodes("/dir/nginx/empty/", 0)

    view = manual(redis_conn, uid, item_id)

    assert "layout" in view["result"]["error"].lower()
    assert view["result"]["episodes_available"] == 3
    assert item(item_id).last_episode_available == 3


def test_recovery_clears_the_error(ctx, fixture_site, redis_conn):
    url = new_show(fixture_site, "flaky", episodes=2)
    uid = add_user("ann")
    item_id = watch(uid, url)
    fixture_site.fail("/dir/nginx/flaky/", status=503, times=2)
    check(redis_conn, item(item_id).source_id)
    assert "unreachable" in item(item_id).last_error.lower()

    check(redis_conn, item(item_id).source_id)

    row = item(item_id)
    assert row.last_error is None and row.last_episode_available == 2
    assert source(row.source_id).consecutive_failures == 0
    assert source(row.source_id).last_error is None
