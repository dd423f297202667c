"""The downloads API: list/get with live progress, retry, cancel, and one episode on demand."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from tests.api_helpers import assert_error
from tests.download_helpers import (
    MediaServer,
    add_download,
    file_player,
    media_bytes,
    row,
    run_worker,
    seed_item,
    wait_for,
)

DOWNLOAD_KEYS = {"id", "item_id", "anime_title", "episode", "status", "attempts", "error",
                 "player", "bytes_done", "bytes_total", "speed_bps", "eta_seconds", "path",
                 "created_at", "started_at", "finished_at", "resolution"}
SIZE = 256 * 1024
APP_CONFIG = {"HTTP_RETRIES": 0, "DOWNLOAD_RETRY_INTERVALS": ()}  # for the `ctx` fixture


def test_an_episode_on_demand_is_accepted_then_conflicts_while_active(
        ctx: Any, api: Any, make_api: Any, media: MediaServer, redis_conn: Any) -> None:
    _, item_id = seed_item(api.user.id, {1: [file_player(media.add("/1.mp4", media_bytes(SIZE)))],
                                         12.5: []}, item_title="Frieren")
    resp = api.post(f"/api/watchlist/{item_id}/episodes/1/download")
    assert resp.status_code == 202
    body = resp.get_json()
    assert set(body) == DOWNLOAD_KEYS
    assert (body["episode"], body["status"], body["anime_title"]) == (1, "queued", "Frieren")
    assert body["item_id"] == item_id and body["created_at"].endswith("Z")

    again = assert_error(api.post(f"/api/watchlist/{item_id}/episodes/1/download"), 409,
                         "conflict")
    assert again["details"] == [{"download_id": body["id"]}]
    special = api.post(f"/api/watchlist/{item_id}/episodes/12.5/download")
    assert special.status_code == 202 and special.get_json()["episode"] == 12.5
    assert_error(api.post(f"/api/watchlist/{item_id}/episodes/2/download"), 404, "not_found")
    bob = make_api("bob")
    assert_error(bob.post(f"/api/watchlist/{item_id}/episodes/1/download"), 404, "not_found")
    assert_error(api.post(f"/api/watchlist/{item_id}/episodes/-1/download"), 422,
                 "validation_error")


def test_downloading_a_completed_episode_again_reuses_its_row(
        ctx: Any, api: Any, media: MediaServer, redis_conn: Any) -> None:
    data = media_bytes(SIZE)
    _, item_id = seed_item(api.user.id, {1: [file_player(media.add("/1.mp4", data))]})
    first = api.post(f"/api/watchlist/{item_id}/episodes/1/download").get_json()
    run_worker(redis_conn)
    done = api.get(f"/api/downloads/{first['id']}").get_json()
    assert done["status"] == "completed" and done["bytes_done"] == SIZE
    Path(done["path"]).unlink()  # the user deleted it from the library

    again = api.post(f"/api/watchlist/{item_id}/episodes/1/download")
    assert again.status_code == 202
    assert again.get_json()["id"] == first["id"] and again.get_json()["status"] == "queued"
    run_worker(redis_conn)
    assert Path(row(first["id"]).path).read_bytes() == data
    assert len(media.transfers()) == 2


def test_the_list_is_newest_first_filtered_and_scoped_to_the_user(
        ctx: Any, api: Any, make_api: Any, redis_conn: Any) -> None:
    _, item_a = seed_item(api.user.id, {}, key="a")
    _, item_b = seed_item(api.user.id, {}, key="b")
    first = add_download(api.user.id, item_a, 1, status="completed")
    second = add_download(api.user.id, item_b, 1, status="failed", error="Host A: gone")
    third = add_download(api.user.id, item_a, 2)
    bob = make_api("bob")
    _, bob_item = seed_item(bob.user.id, {}, key="c")
    add_download(bob.user.id, bob_item, 1)

    listed = api.get("/api/downloads").get_json()
    assert [d["id"] for d in listed] == [third, second, first]
    assert [d["id"] for d in api.get("/api/downloads?status=failed").get_json()] == [second]
    assert [d["id"] for d in api.get(f"/api/downloads?item_id={item_a}").get_json()] == \
        [third, first]
    assert_error(api.get("/api/downloads?status=done"), 422, "validation_error")
    assert_error(bob.get(f"/api/downloads/{first}"), 404, "not_found")
    assert_error(api.get("/api/downloads/99999999999"), 422, "validation_error")
    assert_error(api.get("/api/downloads/abc"), 404, "not_found")


def test_a_running_download_shows_live_figures_from_redis(
        ctx: Any, api: Any, redis_conn: Any) -> None:
    from webapp.downloading.engines.progress import ProgressReporter

    _, item_id = seed_item(api.user.id, {})
    download_id = add_download(api.user.id, item_id, 4, status="running", player="https://p/1")
    reporter = ProgressReporter(redis_conn, download_id, "Sibnet")
    reporter(1000, 4000, 500.0)
    reporter.finish()

    body = api.get(f"/api/downloads/{download_id}").get_json()
    assert (body["bytes_done"], body["bytes_total"], body["speed_bps"], body["eta_seconds"]) == \
        (1000, 4000, 500.0, 6)
    assert body["player"] == "Sibnet"
    listed = api.get("/api/downloads").get_json()[0]
    assert listed["bytes_done"] == 1000
    redis_conn.flushdb()
    assert api.get(f"/api/downloads/{download_id}").get_json()["bytes_done"] == 0


def test_retry_puts_a_failed_download_back_and_refuses_an_active_one(
        ctx: Any, api: Any, media: MediaServer, redis_conn: Any) -> None:
    _, item_id = seed_item(api.user.id, {1: [file_player(media.add("/1.mp4", media_bytes(SIZE)))]})
    download_id = add_download(api.user.id, item_id, 1, status="failed", attempts=4,
                               error="every player failed")
    resp = api.post(f"/api/downloads/{download_id}/retry")
    assert resp.status_code == 202
    body = resp.get_json()
    assert (body["status"], body["attempts"], body["error"]) == ("queued", 0, None)
    body = assert_error(api.post(f"/api/downloads/{download_id}/retry"), 409, "conflict")
    assert body["details"] == [{"download_id": download_id}]
    run_worker(redis_conn)
    assert row(download_id).status == "completed"


def test_cancel_a_queued_download_drops_its_job(ctx: Any, api: Any, redis_conn: Any) -> None:
    from rq import Queue

    _, item_id = seed_item(api.user.id, {1: [file_player("http://127.0.0.1:9/x.mp4")]})
    download_id = add_download(api.user.id, item_id, 1)
    api.post(f"/api/watchlist/{item_id}/episodes/1/download")  # already pending: 409
    from webapp.downloading.dispatch import dispatch_pending

    dispatch_pending()
    assert row(download_id).status == "queued"
    resp = api.post(f"/api/downloads/{download_id}/cancel")
    assert resp.status_code == 200 and resp.get_json()["status"] == "cancelled"
    assert resp.get_json()["finished_at"] is not None
    assert Queue("downloads", connection=redis_conn).count == 0
    assert api.post(f"/api/downloads/{download_id}/cancel").status_code == 200
    done = add_download(api.user.id, item_id, 2, status="completed")
    assert_error(api.post(f"/api/downloads/{done}/cancel"), 409, "conflict")


def test_cancel_stops_a_running_transfer_and_removes_its_part_file(
        ctx: Any, api: Any, media: MediaServer, redis_conn: Any) -> None:
    ctx.config["DOWNLOAD_HEARTBEAT_SECONDS"] = 1
    size = 16 * 1024 * 1024
    media.rate = 4 * 1024 * 1024  # four seconds for the whole file
    _, item_id = seed_item(api.user.id, {1: [file_player(media.add("/big.mp4",
                                                                   media_bytes(size)))]})
    download_id = api.post(f"/api/watchlist/{item_id}/episodes/1/download").get_json()["id"]
    part = Path(ctx.config["DOWNLOAD_DIR"]) / ".partial" / f"{download_id}.part"

    answers: list[Any] = []

    def cancel_when_transferring() -> None:
        wait_for(lambda: part.exists() and part.stat().st_size > 0, what="the part file")
        answers.append(api.post(f"/api/downloads/{download_id}/cancel"))

    canceller = threading.Thread(target=cancel_when_transferring)
    canceller.start()
    run_worker(redis_conn)  # returns once the job has stopped
    canceller.join(timeout=20)

    resp = answers[0]
    assert resp.status_code == 200 and resp.get_json()["status"] == "cancelled"
    assert row(download_id).status == "cancelled"
    assert not part.exists() and not list(part.parent.iterdir())
    assert media.bytes_sent("/big.mp4") < size
    assert not list(Path(ctx.config["DOWNLOAD_DIR"]).glob("*/Season*/*"))


def test_the_endpoints_are_in_the_openapi_document(client: Any) -> None:
    paths = client.get("/api/openapi.json").get_json()["paths"]
    for path in ("/api/downloads", "/api/downloads/{download_id}",
                 "/api/downloads/{download_id}/retry", "/api/downloads/{download_id}/cancel",
                 "/api/watchlist/{item_id}/episodes/{n}/download"):
        assert path in paths, path
