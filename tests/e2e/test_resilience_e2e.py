"""End to end, the stack as `make run` starts it against a redis-server of this test's own:
a Redis outage while a check and a download run leaves every process alive and every
episode arriving once; a host that accepts and never answers holds up no other check."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import requests

from tests.check_helpers import new_show
from tests.e2e.processes import Processes, site_env, told_episodes, wait_until
from tests.helpers import free_port

pytestmark = pytest.mark.e2e

KEY = "/catalogue/frieren/saison1/vostfr/"


class OwnRedis:
    """A redis-server on a fixed free port that the test may kill and start again; it keeps
    nothing on disk, so a restart empties it (RQ's queues included)."""

    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.tmp = tmp
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port),
             "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(self.tmp)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self.answers, 10, "redis-server", interval=0.05)

    def answers(self) -> bool:
        try:
            return bool(redis.Redis.from_url(self.url, socket_timeout=1).ping())
        except redis.RedisError:
            return False

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    server = OwnRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def stack(app, fixture_site, database_url, own_redis, tmp_path, make_api) -> Iterator[Any]:
    """The stack (Procfile `app`) on the fixture site and our own Redis."""
    api = make_api("alice")
    library = tmp_path / "library"
    env = site_env(fixture_site.url, database_url, own_redis.url, tmp_path,
                   CRON_TICK_SECONDS="1", DOWNLOAD_HEARTBEAT_SECONDS="3")
    log_dir = tmp_path / "logs"
    log_dir.mkdir()
    procs = Processes(env, log_dir)
    port = free_port()
    try:
        procs.stack(port)
        yield procs, f"http://127.0.0.1:{port}", {"Authorization": f"Bearer {api.token}"}, \
            library
    finally:
        procs.stop_all()
        if os.environ.get("E2E_SHOW_LOGS"):
            print(procs.logs())


def tree(pid: int) -> set[int]:
    """`pid` and every descendant of it."""
    found, todo = {pid}, [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").iterdir():
            children = (task / "children").read_text().split()
            for child in map(int, children):
                if child not in found:
                    found.add(child)
                    todo.append(child)
    return found


def library_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*.mp4")
                  if ".partial" not in p.parts) if root.exists() else []


def test_a_redis_outage_while_a_check_and_a_download_run(stack, own_redis, fixture_site):
    procs, base, headers, library = stack
    fixture_site.slow("/media/sibnet-", 4)            # each download runs for seconds
    body = {"anime_title": "Frieren", "anime_url": f"https://anime-sama.si{KEY}",
            "provider_id": "animesama", "lang": "vostfr", "auto_download": True}
    created = requests.post(f"{base}/api/watchlist", json=body, headers=headers, timeout=10)
    assert created.status_code == 201, created.text
    item_id = created.json()["id"]

    def downloads() -> list[dict]:
        return requests.get(f"{base}/api/downloads", headers=headers, timeout=10).json()

    wait_until(lambda: any(d["status"] == "running" for d in downloads()), 60,
               "a download running")
    # A second source whose check is running (its page hangs 4 s) when Redis goes.
    other = new_show(fixture_site, "outage", episodes=2)
    fixture_site.slow("/dir/nginx/outage/", 4, times=1)
    added = requests.post(f"{base}/api/watchlist", headers=headers, timeout=10, json={
        "anime_title": "Outage", "anime_url": other, "provider_id": "directory",
        "auto_download": False})
    assert added.status_code == 201, added.text
    other_id = added.json()["id"]
    wait_until(lambda: fixture_site.hits("/dir/nginx/outage/") >= 1, 20, "its check running")

    pool = procs.procs["stack"].pid
    before = tree(pool)
    own_redis.kill()
    time.sleep(5)
    assert procs.procs["stack"].poll() is None, procs.logs()
    own_redis.start()                                # empty: RQ's queues are gone

    def item(which: str) -> dict:
        return requests.get(f"{base}/api/watchlist/{which}", headers=headers,
                            timeout=10).json()

    try:
        wait_until(lambda: item(item_id)["last_episode_downloaded"] == 3, 120,
                   "episodes 1-3 downloaded after the outage")
        wait_until(lambda: item(other_id)["last_episode_available"] == 2, 60,
                   "the other source checked after the outage")
    except AssertionError:
        raise AssertionError(f"{downloads()}\n{procs.logs()}") from None
    # Every process is alive: the pool, its web server, its check workers (download
    # workers are replaced after each download by design, so their pids change).
    assert procs.procs["stack"].poll() is None
    after = tree(pool)
    assert len(after) >= 1 + 2 + 2 + 2, (before, after)   # pool, web x2, checks x2, dl x2
    logs = (procs.log_dir / "stack.log").read_text(errors="replace")
    assert "exited with status" not in logs, procs.logs()
    assert "Redis is unreachable" in logs and "Redis answers again" in logs, procs.logs()
    # Each episode once: three files, three completed downloads, three notifications.
    assert library_files(library) == [
        f"Frieren/Season 01/Frieren - S01E0{n}.mp4" for n in (1, 2, 3)]
    rows = downloads()
    assert sorted(d["episode"] for d in rows) == [1, 2, 3]
    assert all(d["status"] == "completed" for d in rows)
    # Each episode told once: one message per episode, or one for a burst (issue 19).
    def told() -> list[int]:
        notes = requests.get(f"{base}/api/notifications", headers=headers, timeout=10).json()
        return told_episodes(notes, "Frieren")

    wait_until(lambda: told() == [1, 2, 3], 30, "episodes 1-3 told once each")


def test_a_hanging_host_does_not_hold_up_another_hosts_check(stack, fixture_site):
    procs, base, headers, _library = stack
    port = fixture_site.url.rsplit(":", 1)[1]
    hanging = new_show(fixture_site, "hanging", episodes=2)
    fixture_site.slow("/dir/nginx/hanging/", 120)     # accepts, never answers in time
    healthy = new_show(fixture_site, "healthy", episodes=2)
    # The hanging source on another host name of the same server ("localhost").
    hanging = hanging.replace(f"127.0.0.1:{port}", f"localhost:{port}")

    def add(title: str, url: str) -> str:
        resp = requests.post(f"{base}/api/watchlist", headers=headers, timeout=10, json={
            "anime_title": title, "anime_url": url, "provider_id": "directory",
            "auto_download": False})
        assert resp.status_code == 201, resp.text
        return resp.json()["id"]

    add("Hanging", hanging)
    wait_until(lambda: fixture_site.hits("/dir/nginx/hanging/") >= 1, 20,
               "the hanging check started")
    added = time.monotonic()
    healthy_id = add("Healthy", healthy)

    def checked() -> bool:
        item = requests.get(f"{base}/api/watchlist/{healthy_id}", headers=headers,
                            timeout=10).json()
        return item["last_checked_at"] is not None and item["last_episode_available"] == 2

    try:
        wait_until(checked, 8, "the healthy item checked beside the hanging one")
    except AssertionError:
        raise AssertionError(procs.logs()) from None
    assert time.monotonic() - added < 8
