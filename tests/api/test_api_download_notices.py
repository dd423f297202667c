"""What a person reads about a download (issue 15, point 6): a "could not be downloaded"
notice is settled once a retry of the same episode succeeds, and a file refused as "not a
video" says the 64 KB limit."""

from __future__ import annotations

from typing import Any

from tests.download_helpers import (
    MediaServer,
    add_download,
    file_player,
    media_bytes,
    row,
    run_worker,
    seed_item,
)

SIZE = 256 * 1024
APP_CONFIG = {"HTTP_RETRIES": 0, "DOWNLOAD_RETRY_INTERVALS": ()}  # for the `ctx` fixture


def _unread(api: Any) -> list[tuple[str, str]]:
    return [(n["kind"], n["message"]) for n in api.get("/api/notifications?unread=true")
            .get_json()]


def test_a_retry_that_succeeds_settles_the_failure_notice(
        ctx: Any, api: Any, media: MediaServer, redis_conn: Any) -> None:
    from webapp.downloading.finish import fail

    good = file_player(media.add("/1.mp4", media_bytes(SIZE)))
    _, item_id = seed_item(api.user.id, {1: [good], 2: [good]})
    first = add_download(api.user.id, item_id, 1, status="running")
    other = add_download(api.user.id, item_id, 2, status="running")
    assert fail(row(first), "the host is gone") and fail(row(other), "the host is gone")
    assert [k for k, _m in _unread(api)] == ["download_failed", "download_failed"]

    assert api.post(f"/api/downloads/{first}/retry").status_code == 202
    run_worker(redis_conn)
    assert row(first).status == "completed"
    unread = _unread(api)
    # Episode 1's notice is read; episode 2's (still failed) is not.
    assert ("download_failed", "My Show episode 2 could not be downloaded: the host is gone") \
        in unread
    assert not any(k == "download_failed" and "episode 1 " in m for k, m in unread)
    assert any(k == "download_completed" and "episode 1 " in m for k, m in unread)


def test_a_tiny_file_is_refused_with_the_limit_in_the_message(
        ctx: Any, api: Any, media: MediaServer, redis_conn: Any) -> None:
    from webapp.downloading.dispatch import dispatch_pending

    tiny = file_player(media.add("/tiny.mp4", media_bytes(10 * 1024)))
    _, item_id = seed_item(api.user.id, {1: [tiny]})
    download_id = add_download(api.user.id, item_id, 1)
    dispatch_pending()
    run_worker(redis_conn)
    error = row(download_id).error or ""
    assert "not a video" in error and "64.0 KB" in error, error
