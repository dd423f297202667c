"""Three episodes arriving in one check give one message, through the real check, dispatch
and download jobs on the fixture site: "season complete" when the site's list is then all
in the library; the per-episode messages when the owner turned that off; nothing for an
anime whose notifications are silenced."""

from __future__ import annotations

from rq import Queue

from tests.check_helpers import CHECK_CONFIG, BurstWorker, add_user, new_show, watch
from webapp.checking.enqueue import enqueue_source_check
from webapp.extensions import db
from webapp.models import Download, Notification, WatchlistItem

APP_CONFIG = CHECK_CONFIG


def _check_and_download(item_id: str, redis_conn) -> None:
    from webapp.downloading.dispatch import dispatch_pending

    enqueue_source_check(db.session.get(WatchlistItem, item_id).source_id)
    queues = [Queue(q, connection=redis_conn) for q in ("checks", "downloads")]
    for _ in range(4):   # two downloads at once per user: dispatch again as they finish
        BurstWorker(queues, connection=redis_conn).work(burst=True)
        db.session.remove()
        dispatch_pending()
    db.session.remove()


def _messages(user_id: int) -> list[str]:
    return [n.message for n in db.session.query(Notification)
            .filter_by(user_id=user_id, kind="download_completed").order_by(Notification.id)]


def _completed(item_id: str) -> int:
    return db.session.query(Download).filter_by(item_id=item_id, status="completed").count()


def test_a_burst_that_completes_the_season_is_one_message(ctx, fixture_site, redis_conn):
    user = add_user("alice")
    item_id = watch(user, new_show(fixture_site, "burst", episodes=3), title="Burst Show")
    _check_and_download(item_id, redis_conn)
    assert _completed(item_id) == 3
    assert _messages(user) == ["Burst Show S01 complete: 3 episodes in the library."]


def test_per_episode_messages_when_the_owner_wants_them(ctx, fixture_site, redis_conn):
    user = add_user("bob", notify_season_complete=False)
    item_id = watch(user, new_show(fixture_site, "each", episodes=3), title="Each Show")
    _check_and_download(item_id, redis_conn)
    assert _completed(item_id) == 3
    assert sorted(_messages(user)) == [f"Each Show episode {n} is in the library."
                                       for n in (1, 2, 3)]


def test_a_silenced_anime_tells_nothing(ctx, fixture_site, redis_conn):
    user = add_user("carol")
    item_id = watch(user, new_show(fixture_site, "quiet", episodes=3), title="Quiet Show",
                    notify=False)
    _check_and_download(item_id, redis_conn)
    assert _completed(item_id) == 3
    assert _messages(user) == []
