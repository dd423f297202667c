"""A downloaded episode's file through the API (issue 15): served with Range to its owner
only, from inside DOWNLOAD_DIR only; and "clear" hiding finished downloads from the list."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tests.api_helpers import assert_error
from tests.download_helpers import (
    MediaServer,
    add_download,
    file_player,
    media_bytes,
    run_worker,
    seed_item,
)
from webapp.extensions import db
from webapp.models import Download

SIZE = 200 * 1024
APP_CONFIG = {"HTTP_RETRIES": 0, "DOWNLOAD_RETRY_INTERVALS": ()}  # for the `ctx` fixture


def _downloaded(api: Any, media: MediaServer, redis_conn: Any, name: str = "1.mp4",
                key: str = "show") -> tuple[dict, bytes]:
    data = media_bytes(SIZE)
    _, item_id = seed_item(api.user.id, {1: [file_player(media.add(f"/{key}/{name}", data))]},
                           key=key, item_title="Frieren", source_title="Frieren")
    first = api.post(f"/api/watchlist/{item_id}/episodes/1/download").get_json()
    run_worker(redis_conn)
    done = api.get(f"/api/downloads/{first['id']}").get_json()
    assert done["status"] == "completed", done
    return done, data


def _set_path(download_id: int, path: str) -> None:
    db.session.get(Download, download_id).path = path
    db.session.commit()


def test_the_owner_gets_the_file_whole_or_by_range(
        ctx: Any, api: Any, media: MediaServer, redis_conn: Any) -> None:
    done, data = _downloaded(api, media, redis_conn)
    url = f"/api/downloads/{done['id']}/file"
    whole = api.get(url)
    assert whole.status_code == 200 and whole.mimetype == "video/mp4"
    assert whole.data == data and whole.headers["Accept-Ranges"] == "bytes"
    part = api.get(url, headers={"Range": "bytes=1000-1999"})
    assert part.status_code == 206 and part.data == data[1000:2000]
    assert part.headers["Content-Range"] == f"bytes 1000-1999/{SIZE}"
    tail = api.get(url, headers={"Range": f"bytes={SIZE - 10}-"})
    assert tail.status_code == 206 and tail.data == data[-10:]
    assert api.get(url, headers={"Range": f"bytes={SIZE + 5}-"}).status_code == 416
    head = api.client.head(url, headers={"Authorization": f"Bearer {api.token}"})
    assert head.status_code == 200 and int(head.headers["Content-Length"]) == SIZE


def test_nobody_else_and_nothing_else_is_served(
        ctx: Any, api: Any, make_api: Any, media: MediaServer, redis_conn: Any,
        tmp_path: Path) -> None:
    done, _ = _downloaded(api, media, redis_conn)
    url = f"/api/downloads/{done['id']}/file"
    bob = make_api("bob")
    assert_error(bob.get(url), 404, "not_found")
    assert_error(api.client.get(url), 401, "unauthorized")

    # Not completed.
    _, item_id = seed_item(api.user.id, {2: []}, key="other")
    pending = add_download(api.user.id, item_id, 2)
    assert_error(api.get(f"/api/downloads/{pending}/file"), 404, "not_found")
    assert_error(api.get("/api/downloads/99999/file"), 404, "not_found")

    # A recorded path outside DOWNLOAD_DIR, directly or through a symlink in the library.
    secret = tmp_path / "secret.mp4"
    secret.write_bytes(b"not yours")
    _set_path(done["id"], str(secret))
    assert_error(api.get(url), 404, "not_found")
    _set_path(done["id"], str(Path(ctx.config["DOWNLOAD_DIR"]) / ".." / "secret.mp4"))
    assert_error(api.get(url), 404, "not_found")
    link = Path(ctx.config["DOWNLOAD_DIR"]) / "link.mp4"
    os.symlink(secret, link)
    _set_path(done["id"], str(link))
    assert_error(api.get(url), 404, "not_found")
    _set_path(done["id"], ctx.config["DOWNLOAD_DIR"])   # the library folder itself
    assert_error(api.get(url), 404, "not_found")

    # The file is gone from the library.
    _set_path(done["id"], done["path"])
    assert api.get(url).status_code == 200
    Path(done["path"]).unlink()
    assert_error(api.get(url), 404, "not_found")


def test_a_matroska_file_has_its_own_type(ctx: Any, api: Any, media: MediaServer,
                                          redis_conn: Any) -> None:
    done, _ = _downloaded(api, media, redis_conn)
    mkv = Path(done["path"]).with_suffix(".mkv")
    Path(done["path"]).rename(mkv)
    _set_path(done["id"], str(mkv))
    resp = api.get(f"/api/downloads/{done['id']}/file")
    assert resp.status_code == 200 and resp.mimetype == "video/x-matroska"


def test_clear_hides_finished_downloads_but_keeps_files_and_history(
        ctx: Any, api: Any, make_api: Any, media: MediaServer, redis_conn: Any) -> None:
    done, _ = _downloaded(api, media, redis_conn)
    _, item_id = seed_item(api.user.id, {2: [], 3: []}, key="more")
    failed = add_download(api.user.id, item_id, 2, status="failed", error="gone")
    waiting = add_download(api.user.id, item_id, 3)
    bob = make_api("bob")
    _, bob_item = seed_item(bob.user.id, {1: []}, key="bob")
    bob_done = add_download(bob.user.id, bob_item, 1, status="completed")

    resp = api.post("/api/downloads/clear", json={"status": ["completed"]})
    assert resp.status_code == 200 and resp.get_json() == {"cleared": 1}
    assert [d["id"] for d in api.get("/api/downloads").get_json()] == [waiting, failed]
    assert api.get(f"/api/downloads/{done['id']}").status_code == 200
    assert api.get(f"/api/downloads/{done['id']}/file").status_code == 200
    assert "download_completed" in [e["kind"] for e in api.get("/api/activity").get_json()]
    assert [d["id"] for d in bob.get("/api/downloads").get_json()] == [bob_done]

    again = api.post("/api/downloads/clear", json={"status": ["completed", "failed",
                                                              "cancelled"]})
    assert again.get_json() == {"cleared": 1}
    assert [d["id"] for d in api.get("/api/downloads").get_json()] == [waiting]

    # Downloading a cleared episode again brings it back to the list.
    assert api.post(f"/api/downloads/{failed}/retry").status_code == 202
    assert failed in [d["id"] for d in api.get("/api/downloads").get_json()]

    for body in ({"status": []}, {"status": ["running"]}, {"status": "completed"},
                 {"status": ["completed"], "extra": 1}, {}):
        assert_error(api.post("/api/downloads/clear", json=body), 422, "validation_error")
    read_only = make_api("carol", scopes="read")
    assert_error(read_only.post("/api/downloads/clear", json={"status": ["failed"]}), 403,
                 "forbidden")
