"""The download job through real RQ (SimpleWorker), real Redis and a real local media server:
transfer into the library, failover, retries then failure, the shared library."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from tests.download_helpers import (
    MediaServer,
    add_download,
    file_player,
    media_bytes,
    row,
    run_worker,
    seed_item,
)

SIZE = 300 * 1024
APP_CONFIG = {"HTTP_RETRIES": 0, "HTTP_BACKOFF_SECONDS": 0.01, "MAX_PARALLEL_DOWNLOADS": 3,
              "DOWNLOAD_RETRY_INTERVALS": (0, 0)}  # for the `ctx` fixture


def _notifications(user_id: int) -> list[tuple[str, str]]:
    from webapp.extensions import db
    from webapp.models import Notification

    return [(n.kind, n.message) for n in db.session.scalars(
        select(Notification).where(Notification.user_id == user_id).order_by(Notification.id))]


def _item(item_id: str) -> Any:
    from webapp.extensions import db
    from webapp.models import WatchlistItem

    db.session.expire_all()
    return db.session.get(WatchlistItem, item_id)


def test_episode_lands_in_the_library_and_the_owner_is_told(
        ctx: Any, make_user: Any, media: MediaServer, redis_conn: Any) -> None:
    from webapp.downloading.dispatch import dispatch_pending

    data = media_bytes(SIZE)
    user = make_user("alice")
    _, item_id = seed_item(user.id, {1: [file_player(media.add("/ep1.mp4", data))]},
                           source_title="Frieren: Beyond")
    download_id = add_download(user.id, item_id, 1)

    assert dispatch_pending() == 1
    assert row(download_id).status == "queued"
    run_worker(redis_conn)

    done = row(download_id)
    assert done.status == "completed", done.error
    expected = Path(ctx.config["DOWNLOAD_DIR"]).resolve() / "Frieren - Beyond" / "Season 01" / \
        "Frieren - Beyond - S01E01.mp4"
    assert Path(done.path) == expected and expected.read_bytes() == data
    assert done.attempts == 1 and done.bytes_done == SIZE and done.finished_at is not None
    assert _item(item_id).last_episode_downloaded == 1
    assert [k for k, _ in _notifications(user.id)] == ["download_completed"]
    assert not list((Path(ctx.config["DOWNLOAD_DIR"]) / ".partial").iterdir())


def test_a_dead_player_fails_over_to_the_next(
        ctx: Any, make_user: Any, media: MediaServer, redis_conn: Any) -> None:
    from webapp.downloading.dispatch import dispatch_pending

    data = media_bytes(SIZE)
    media.dead["/dead.mp4"] = 404
    user = make_user("alice")
    _, item_id = seed_item(user.id, {1: [file_player(media.url("/dead.mp4"), quality="1080p"),
                                         file_player(media.add("/good.mp4", data),
                                                     quality="720p")]})
    download_id = add_download(user.id, item_id, 1)
    dispatch_pending()
    run_worker(redis_conn)

    done = row(download_id)
    assert done.status == "completed", done.error
    assert Path(done.path).read_bytes() == data
    assert done.player == media.url("/good.mp4")
    assert len(media.requests_to("/dead.mp4")) == 1
    assert len(media.transfers("/good.mp4")) == 1


def test_every_player_failing_is_retried_then_failed_with_each_reason(
        ctx: Any, make_user: Any, media: MediaServer, redis_conn: Any) -> None:
    from webapp.downloading.dispatch import dispatch_pending

    media.dead["/a.mp4"] = 503
    media.dead["/b.mp4"] = 503
    user = make_user("alice")
    _, item_id = seed_item(user.id, {3: [file_player(media.url("/a.mp4"), label="Host A"),
                                         file_player(media.url("/b.mp4"), label="Host B")]})
    download_id = add_download(user.id, item_id, 3)
    dispatch_pending()
    run_worker(redis_conn)

    failed = row(download_id)
    assert failed.status == "failed"
    assert failed.attempts == 3  # the first try and the two intervals configured
    assert "Host A" in failed.error and "Host B" in failed.error and "503" in failed.error
    assert len(media.requests_to("/a.mp4")) == 3 and len(media.requests_to("/b.mp4")) == 3
    kinds = [k for k, _ in _notifications(user.id)]
    assert kinds == ["download_failed"]
    assert _item(item_id).last_episode_downloaded == 0


def test_a_failed_attempt_waits_for_its_backoff_without_holding_a_slot(
        ctx: Any, make_user: Any, media: MediaServer, redis_conn: Any) -> None:
    from webapp.downloading.dispatch import dispatch_pending

    ctx.config["DOWNLOAD_RETRY_INTERVALS"] = (3600,)
    media.dead["/a.mp4"] = 503
    user = make_user("alice")
    _, item_id = seed_item(user.id, {1: [file_player(media.url("/a.mp4"))]})
    download_id = add_download(user.id, item_id, 1)
    dispatch_pending()
    run_worker(redis_conn)

    waiting = row(download_id)
    assert waiting.status == "pending" and waiting.attempts == 1
    assert "Next try in 1 hour" in waiting.error
    assert dispatch_pending() == 0  # not due yet
    assert len(media.requests_to("/a.mp4")) == 1


def test_the_same_episode_of_one_source_is_transferred_once_for_two_users(
        ctx: Any, make_user: Any, media: MediaServer, redis_conn: Any) -> None:
    from webapp.downloading.dispatch import dispatch_pending

    data = media_bytes(SIZE)
    alice, bob = make_user("alice"), make_user("bob")
    source_id, alice_item = seed_item(alice.id, {1: [file_player(media.add("/ep1.mp4", data))]},
                                      item_title="Alice's title")
    _, bob_item = seed_item(bob.id, {}, source_id=source_id, item_title="Bob's title")
    first = add_download(alice.id, alice_item, 1)
    second = add_download(bob.id, bob_item, 1)

    assert dispatch_pending() == 1  # the second waits for the first's transfer
    run_worker(redis_conn)

    a, b = row(first), row(second)
    assert (a.status, b.status) == ("completed", "completed")
    assert a.path == b.path and Path(a.path).read_bytes() == data
    assert len(media.transfers()) == 1
    assert _item(bob_item).last_episode_downloaded == 1
    assert [k for k, _ in _notifications(bob.id)] == ["download_completed"]


def test_a_completed_file_is_adopted_by_a_later_download(
        ctx: Any, make_user: Any, media: MediaServer, redis_conn: Any) -> None:
    from webapp.downloading.dispatch import dispatch_pending

    data = media_bytes(SIZE)
    alice, bob = make_user("alice"), make_user("bob")
    source_id, alice_item = seed_item(alice.id, {1: [file_player(media.add("/ep1.mp4", data))]})
    first = add_download(alice.id, alice_item, 1)
    dispatch_pending()
    run_worker(redis_conn)
    _, bob_item = seed_item(bob.id, {}, source_id=source_id)
    later = add_download(bob.id, bob_item, 1)
    dispatch_pending()
    run_worker(redis_conn)

    assert row(later).status == "completed" and row(later).path == row(first).path
    assert len(media.transfers()) == 1


def test_a_file_nobody_recorded_is_never_adopted(
        ctx: Any, make_user: Any, media: MediaServer, redis_conn: Any) -> None:
    """A file planted at the computed path is left alone: the episode is fetched and
    placed beside it under a distinct name."""
    from webapp.downloading.dispatch import dispatch_pending

    data = media_bytes(SIZE)
    user = make_user("alice")
    _, item_id = seed_item(user.id, {2: [file_player(media.add("/ep2.mp4", data))]},
                           source_title="Show")
    planted = Path(ctx.config["DOWNLOAD_DIR"]) / "Show" / "Season 01" / "Show - S01E02.mp4"
    planted.parent.mkdir(parents=True)
    planted.write_bytes(b"mine" * 1000)
    download_id = add_download(user.id, item_id, 2)
    dispatch_pending()
    run_worker(redis_conn)

    done = row(download_id)
    assert done.status == "completed", done.error
    assert Path(done.path).name == "Show - S01E02 (2).mp4" and Path(done.path).read_bytes() == data
    assert planted.read_bytes() == b"mine" * 1000


def test_two_sources_with_one_title_keep_their_own_files(
        ctx: Any, make_user: Any, media: MediaServer, redis_conn: Any) -> None:
    from webapp.downloading.dispatch import dispatch_pending

    first_bytes, second_bytes = media_bytes(SIZE, seed=1), media_bytes(SIZE, seed=2)
    alice, bob = make_user("alice"), make_user("bob")
    _, alice_item = seed_item(alice.id, {1: [file_player(media.add("/a/1.mp4", first_bytes))]},
                              key="a", source_title="Frieren")
    _, bob_item = seed_item(bob.id, {1: [file_player(media.add("/b/1.mp4", second_bytes))]},
                            key="b", source_title="Frieren")
    first = add_download(alice.id, alice_item, 1)
    dispatch_pending()
    run_worker(redis_conn)
    second = add_download(bob.id, bob_item, 1)
    dispatch_pending()
    run_worker(redis_conn)

    assert row(first).status == row(second).status == "completed"
    assert row(first).path != row(second).path
    assert Path(row(first).path).read_bytes() == first_bytes
    assert Path(row(second).path).read_bytes() == second_bytes
    assert Path(row(second).path).name == "Frieren - S01E01 (2).mp4"


def test_a_download_waits_while_another_holds_the_transfer(
        ctx: Any, make_user: Any, media: MediaServer, redis_conn: Any) -> None:
    from webapp.infra.keys import episode_transfer

    alice, bob = make_user("alice"), make_user("bob")
    source_id, alice_item = seed_item(alice.id, {1: [file_player(media.add("/e.mp4", b"1"))]})
    _, bob_item = seed_item(bob.id, {}, source_id=source_id)
    holder = add_download(alice.id, alice_item, 1, status="running")
    waiter = add_download(bob.id, bob_item, 1, status="queued")
    redis_conn.set(episode_transfer(source_id, 1.0), str(holder), ex=60)
    from webapp.downloading.dispatch import enqueue_download

    enqueue_download(redis_conn, waiter)
    run_worker(redis_conn)

    assert row(waiter).status == "pending" and row(waiter).attempts == 0
    assert media.served == []


def test_last_episode_downloaded_moves_over_the_contiguous_run_only(
        ctx: Any, make_user: Any, media: MediaServer, redis_conn: Any) -> None:
    from webapp.downloading.dispatch import dispatch_pending

    user = make_user("alice")
    episodes = {n: [file_player(media.add(f"/e{n}.mp4", media_bytes(SIZE, n)))]
                for n in (1, 2, 3, 4, 5)}
    episodes[3] = [file_player(media.url("/missing.mp4"))]
    del episodes[5]  # the source skips 5: 6 follows 4 directly
    episodes[6] = [file_player(media.add("/e6.mp4", media_bytes(SIZE, 6)))]
    _, item_id = seed_item(user.id, episodes)
    ids = {n: add_download(user.id, item_id, n) for n in episodes}
    ctx.config["DOWNLOAD_RETRY_INTERVALS"] = ()
    for _ in range(3):
        dispatch_pending()
        run_worker(redis_conn)
    assert row(ids[3]).status == "failed"
    assert _item(item_id).last_episode_downloaded == 2  # 3 is missing: 4 and 6 wait

    media.add("/missing.mp4", media_bytes(SIZE, 3))
    from webapp.downloading.control import retry

    retry(user.id, ids[3])
    run_worker(redis_conn)
    assert row(ids[3]).status == "completed"
    assert _item(item_id).last_episode_downloaded == 6


def test_a_disk_too_small_for_the_file_fails_at_once_with_the_figures(
        ctx: Any, make_user: Any, media: MediaServer, redis_conn: Any) -> None:
    from webapp.downloading.dispatch import dispatch_pending

    media.add("/huge.mp4", media_bytes(SIZE))
    media.claimed_length["/huge.mp4"] = 2**50  # a petabyte: no test machine has that free
    user = make_user("alice")
    _, item_id = seed_item(user.id, {1: [file_player(media.url("/huge.mp4"))]})
    download_id = add_download(user.id, item_id, 1)
    ctx.config["MAX_FILE_SIZE_MB"] = 2**31
    dispatch_pending()
    run_worker(redis_conn)

    failed = row(download_id)
    assert failed.status == "failed" and failed.attempts == 1  # retrying cannot help
    assert "not enough space (needs 1024.0 TB, has" in failed.error
    assert not list((Path(ctx.config["DOWNLOAD_DIR"]) / ".partial").iterdir())


def test_library_names_come_from_the_source(ctx: Any, make_user: Any) -> None:
    from webapp.extensions import db
    from webapp.library.layout import library_title, season_of
    from webapp.models import Source

    def season(url: str, provider: str = "animesama") -> int:
        return season_of(Source(provider_id=provider, url=url, lang="vostfr"))

    assert season("/catalogue/frieren/saison2/vostfr/") == 2
    assert season("/catalogue/one-piece/saison11hs/vf/") == 0  # hors-série: a special
    assert season("/catalogue/fire-force/saison3-2/vf/") == 3  # part 2 of season 3
    assert season("/catalogue/one-piece/film/vostfr/") == 0
    assert season("/catalogue/naruto/oav/vostfr/") == 0
    assert season("/catalogue/naruto/kai/vostfr/") == 1
    assert season("https://files.example.org/saison3/", "directory") == 1

    user = make_user("alice")
    source_id, _ = seed_item(user.id, {}, source_title=None, item_title="First title")
    seed_item(make_user("bob").id, {}, source_id=source_id, item_title="Later title")
    source = db.session.get(Source, source_id)
    assert library_title(source) == "First title"
    source.title = "  Site Title "
    assert library_title(source) == "Site Title"
