"""Smart completion through the real check path: an anime quiet for the owner's N weeks is
completed by the tick, archived M weeks later, the activity says why, and the user can
undo it (the weeks start again)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from tests.check_helpers import CHECK_CONFIG, add_user, item, new_show, run_worker, watch
from webapp.checking.completion import sweep
from webapp.checking.enqueue import enqueue_source_check
from webapp.checking.tick import tick
from webapp.extensions import db
from webapp.infra import keys
from webapp.models import Activity
from webapp.watchlist.manager import WatchlistManager

APP_CONFIG = CHECK_CONFIG
T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _check(item_id: str, redis_conn) -> None:
    """A check that really reads the site (the previous run's result is seconds old on
    Redis's own clock, which the test does not move: forget it)."""
    source_id = item(item_id).source_id
    redis_conn.delete(keys.check_run(source_id))
    enqueue_source_check(source_id)
    run_worker(redis_conn)


def _events(user_id: int, kind: str) -> list[str]:
    db.session.expire_all()
    return [a.message for a in db.session.query(Activity)
            .filter_by(user_id=user_id, kind=kind).order_by(Activity.id)]


def test_quiet_anime_completes_then_archives_and_can_be_undone(ctx, fixture_site, redis_conn):
    quiet = add_user("alice", complete_after_weeks=2, archive_after_weeks=1)
    never = add_user("bob")   # complete_after_weeks 0: never
    url = new_show(fixture_site, "quiet", episodes=3)
    with time_machine.travel(T0, tick=False):
        mine, theirs = watch(quiet, url, title="Quiet Show"), watch(never, url)
        _check(mine, redis_conn)           # the episodes are first seen now
    with time_machine.travel(T0 + timedelta(days=13), tick=False):
        _check(mine, redis_conn)
        assert sweep(force=True) == (0, 0)  # 13 days of silence: not yet
    with time_machine.travel(T0 + timedelta(days=15), tick=False):
        _check(mine, redis_conn)           # nothing new, and the site is being read
        redis_conn.delete(keys.COMPLETION_TURN)
        tick()
        assert item(mine).status == "completed"
        assert item(theirs).status == "active"
        assert _events(quiet, "completed") == [
            "Quiet Show marked completed: no new episode for 2 weeks."]
        assert tick().completed == 0       # once an hour at most, and nothing left anyway

    # the user sets it back to active: a fresh two weeks start
    with time_machine.travel(T0 + timedelta(days=16), tick=False):
        WatchlistManager(quiet).resume(mine)
        _check(mine, redis_conn)
        assert sweep(force=True) == (0, 0)
        assert item(mine).status == "active"
    with time_machine.travel(T0 + timedelta(days=31), tick=False):
        _check(mine, redis_conn)
        assert sweep(force=True) == (1, 0)
    with time_machine.travel(T0 + timedelta(days=39), tick=False):
        assert sweep(force=True) == (0, 1)
        assert item(mine).status == "archived"
        assert _events(quiet, "archived") == [
            "Quiet Show archived: completed for 1 week."]


def test_a_failing_site_does_not_complete_anything(ctx, fixture_site, redis_conn):
    user = add_user("alice", complete_after_weeks=1)
    url = new_show(fixture_site, "gone", episodes=2)
    with time_machine.travel(T0, tick=False):
        mine = watch(user, url)
        _check(mine, redis_conn)
    with time_machine.travel(T0 + timedelta(days=20), tick=False):
        assert sweep(force=True) == (0, 0)   # last read 20 days ago: silence means nothing
        assert item(mine).status == "active"


def test_a_change_the_user_made_meanwhile_wins_and_gets_no_event(ctx, fixture_site,
                                                                 redis_conn):
    from webapp.checking.completion import _change
    from webapp.notifications.activity import Event

    alice = add_user("alice", complete_after_weeks=2)
    raced, quiet = (watch(alice, new_show(fixture_site, name, episodes=2), title=name)
                    for name in ("raced", "quiet"))
    # the sweep picked both; the user paused one before the sweep's UPDATE ran
    WatchlistManager(alice).pause(raced)
    events = [Event(alice, "completed", f"{name} marked completed.", item_id=item_id)
              for name, item_id in (("raced", raced), ("quiet", quiet))]
    assert _change([raced, quiet], "active", "completed", events, T0) == 1
    assert (item(raced).status, item(quiet).status) == ("paused", "completed")
    assert _events(alice, "completed") == ["quiet marked completed."]


def test_a_finished_anime_completes_once_every_episode_is_in_and_an_undo_sticks(
        ctx, fixture_site, redis_conn):
    from tests.season_helpers import (
        S1,
        add_item,
        download_all,
        hub,
        items_of,
        later,
        read_pages,
        setup_site,
        tick_and_work,
    )
    from webapp.schemas import WatchlistItemUpdate

    setup_site(ctx, fixture_site)                       # season 1: episodes 1 and 2
    alice = add_user("alice")                           # complete_after_weeks 0
    mine = add_item(alice, follow_new_seasons="off")    # its page is read all the same
    tick_and_work(redis_conn)                           # the check
    read_pages(redis_conn)                              # the page: État "En cours"
    download_all(redis_conn)
    assert hub().finished is False and item(mine).last_episode_downloaded == 2
    assert sweep(force=True) == (0, 0)                  # airing: stays active

    fixture_site.shows[S1].options["state"] = "Terminé"
    with later(1.1):
        read_pages(redis_conn)
        assert hub().finished is True and hub().finished_at is not None
        assert sweep(force=True) == (1, 0)
        assert items_of(alice)[S1].status == "completed"
        assert _events(alice, "completed") == [
            "Mushoku Tensei marked completed: the site lists the anime as finished and "
            "every episode is in the library."]

        # the user undoes it: nothing new has come in, so it stays active
        WatchlistManager(alice).update_item(mine, WatchlistItemUpdate(status="active"))
        assert sweep(force=True) == (0, 0)
        assert item(mine).status == "active"

    fixture_site.publish_episode(S1)                    # an episode the site added late
    with later(2.2):
        tick_and_work(redis_conn)
        assert sweep(force=True) == (0, 0)              # listed, not in the library yet
        download_all(redis_conn)
        assert item(mine).last_episode_downloaded == 3
        assert sweep(force=True) == (1, 0)
        assert len(_events(alice, "completed")) == 2
