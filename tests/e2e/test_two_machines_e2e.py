"""End to end on PostgreSQL: two machines, simulated as the README's "More than one machine"
runs them — the first as `make run` starts it (web, scheduler, checks, downloads), the
second with only check and download workers — sharing one Redis, one (throw-away)
database and one library folder.

The episodes of a show are downloaded by both machines at once; the second is killed
(SIGKILL to its whole process tree, as a machine that loses power) in the middle of its
downloads, and the first resumes them from their part files: every episode ends
completed once, byte-exact, with one file and one download row each.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from typing import Any

import pytest
import redis
import requests
from rq import Worker
from werkzeug.wrappers import Response

from tests.download_helpers import MediaServer, media_bytes
from tests.e2e.http import user_with_token
from tests.e2e.postgres import throwaway_database, url_string
from tests.e2e.processes import Processes, site_env, wait_until
from tests.e2e.trees import tree_of as tree
from tests.helpers import app_config, free_port

pytestmark = pytest.mark.e2e

EPISODES = 4
SIZE = 6 * 1024 * 1024          # bytes per episode
RATE = 1.5 * 1024 * 1024        # bytes per second per transfer: ~4 s per episode
FOLDER = "/twin/"


class ListedMedia(MediaServer):
    """The media server, with its folder also served as a directory listing (a source of
    the `directory` provider whose downloads can be throttled)."""

    def _app(self, environ: dict, start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if path.endswith("/"):
            names = sorted(p[len(path):] for p in self.files if p.startswith(path))
            links = "".join(f'<a href="{n}">{n}</a>\n' for n in names)
            body = f"<html><body><h1>Index of {path}</h1><pre>{links}</pre></body></html>"
            return Response(body, mimetype="text/html")(environ, start_response)
        return super()._app(environ, start_response)


def episode_path(n: int) -> str:
    return f"{FOLDER}Twin - {n:02d} (1080p).mp4"


@pytest.fixture
def machines(fixture_site, redis_url, tmp_path, monkeypatch) -> Iterator[dict[str, Any]]:
    """Machine "a" (the whole stack) and machine "b" (workers only) on one database, one
    Redis and one library."""
    from webapp import create_app
    from webapp.extensions import db

    with throwaway_database() as url:
        media = ListedMedia(rate=RATE).start()
        procs: dict[str, Processes] = {}
        try:
            for n in range(1, EPISODES + 1):
                media.add(episode_path(n), media_bytes(SIZE, seed=n + 2))
            monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "test-instance"))
            app = create_app(app_config(url_string(url), redis_url, tmp_path))
            headers = user_with_token(app, "alice")
            library = tmp_path / "library"
            log_dir = tmp_path / "logs"
            log_dir.mkdir()
            for name in ("a", "b"):
                procs[name] = Processes(site_env(
                    fixture_site.url, url_string(url), redis_url, tmp_path / name,
                    DOWNLOAD_DIR=str(library), CRON_TICK_SECONDS="1",
                    DOWNLOAD_HEARTBEAT_SECONDS="3", MAX_PARALLEL_DOWNLOADS=str(EPISODES),
                    DOWNLOAD_CONCURRENCY="2", CHECK_CONCURRENCY="1"), log_dir)
            port = free_port()
            procs["a"].stack(port, name="a")
            procs["b"].worker("b")
            yield {"procs": procs, "base": f"http://127.0.0.1:{port}", "headers": headers,
                   "library": library, "media": media,
                   "redis": redis.Redis.from_url(redis_url)}
        finally:
            for machine in procs.values():
                machine.stop_all()
            media.stop()
            db.session.remove()
            if db.engine is not None:
                db.engine.dispose()
            if os.environ.get("E2E_SHOW_LOGS") and procs:
                print(procs["a"].logs())


def machine_of(pid: int, trees: dict[str, set[int]]) -> str | None:
    return next((name for name, pids in trees.items() if pid in pids), None)


def test_two_machines_share_the_downloads_and_one_finishes_the_others(machines):
    procs, base, headers = machines["procs"], machines["base"], machines["headers"]
    media, conn, library = machines["media"], machines["redis"], machines["library"]
    a, b = procs["a"].procs["a"], procs["b"].procs["b"]
    wait_until(lambda: sum("downloads" in w.queue_names()
                           for w in Worker.all(connection=conn)) == 4, 30,
               "the 4 download workers of both machines")
    settings = requests.put(f"{base}/api/watchlist/settings", headers=headers, timeout=10,
                            json={"max_concurrent_auto_downloads": EPISODES})
    assert settings.status_code == 200, settings.text
    created = requests.post(f"{base}/api/watchlist", headers=headers, timeout=10, json={
        "anime_title": "Twin", "anime_url": media.url(FOLDER), "provider_id": "directory",
        "auto_download": True})
    assert created.status_code == 201, created.text
    item_id = created.json()["id"]

    def downloads() -> list[dict]:
        return requests.get(f"{base}/api/downloads", headers=headers, timeout=10).json()

    def running_on() -> dict[str, str]:
        """Which machine runs each download job now."""
        trees = {"a": tree(a.pid), "b": tree(b.pid)}
        return {w.get_current_job_id(): machine_of(w.pid, trees)
                for w in Worker.all(connection=conn) if w.get_current_job_id()}

    try:
        wait_until(lambda: len(running_on()) == EPISODES, 60, "every episode downloading")
    except AssertionError:
        raise AssertionError(f"{downloads()}\n{procs['a'].logs()}") from None
    jobs = running_on()
    assert sorted(jobs.values()) == ["a", "a", "b", "b"], jobs    # shared between both
    on_b = {int(job.rsplit("-", 1)[1]) for job, machine in jobs.items() if machine == "b"}
    episode_of = {d["id"]: int(d["episode"]) for d in downloads()}
    b_paths = [episode_path(episode_of[i]) for i in on_b]
    wait_until(lambda: all(media.bytes_sent(p) > SIZE // 4 for p in b_paths), 30,
               "machine b a quarter into its downloads")

    procs["b"].stop("b", signal.SIGKILL)               # the machine loses power
    assert b.poll() is not None

    def item() -> dict:
        return requests.get(f"{base}/api/watchlist/{item_id}", headers=headers,
                            timeout=10).json()

    try:
        wait_until(lambda: item()["last_episode_downloaded"] == EPISODES, 90,
                   "machine a finished every episode")
    except AssertionError:
        raise AssertionError(f"{downloads()}\n{procs['a'].logs()}") from None
    assert a.poll() is None
    rows = downloads()
    assert sorted(int(d["episode"]) for d in rows) == list(range(1, EPISODES + 1)), rows
    assert {d["status"] for d in rows} == {"completed"}, rows
    files = sorted(p for p in library.rglob("*") if p.is_file() and ".partial" not in p.parts)
    assert [p.name for p in files] == [
        f"Twin - S01E{n:02d}.mp4" for n in range(1, EPISODES + 1)], files
    for n, path in enumerate(files, start=1):
        assert path.read_bytes() == media.files[episode_path(n)], path
    assert not [p for p in library.rglob("*") if p.is_file() and ".partial" in p.parts]
    # Machine a's own downloads were fetched once; b's were resumed from their part file.
    for n in range(1, EPISODES + 1):
        transfers = [t for t in media.transfers(episode_path(n)) if t.sent]
        if episode_path(n) in b_paths:
            assert len(transfers) == 2 and transfers[1].offset > 0, transfers
        else:
            assert len(transfers) == 1 and transfers[0].offset == 0, transfers
