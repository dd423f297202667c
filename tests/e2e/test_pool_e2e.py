"""End to end: the pool parent (workers/pool.py) sleeps between its scheduler's steps, and
still replaces a child the moment it dies — a check worker killed, the web's gunicorn
worker killed — with the default minute tick (no second-by-second polling to lean on)."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis
import requests
from rq import Worker

from tests.e2e.processes import Processes, site_env, wait_until
from tests.e2e.trees import tree_of
from tests.helpers import free_port

pytestmark = pytest.mark.e2e

# The parent's scheduler looks every 5 s; a replacement this fast came from SIGCHLD.
PROMPTLY = 2.5


@pytest.fixture
def pool(app, fixture_site, database_url, redis_url, tmp_path) -> Iterator[dict[str, Any]]:
    env = site_env(fixture_site.url, database_url, redis_url, tmp_path, CHECK_CONCURRENCY="1")
    log_dir = tmp_path / "logs"
    log_dir.mkdir()
    procs = Processes(env, log_dir)
    port = free_port()
    conn = redis.Redis.from_url(redis_url)
    try:
        procs.stack(port)
        wait_until(lambda: len(check_workers(conn)) == 1, 30, "the check worker")
        yield {"procs": procs, "base": f"http://127.0.0.1:{port}", "redis": conn}
    finally:
        procs.stop_all()
        if os.environ.get("E2E_SHOW_LOGS"):
            print(procs.logs())


def check_workers(conn: redis.Redis) -> list[Worker]:
    return [w for w in Worker.all(connection=conn) if "checks" in w.queue_names()
            and w.state != "suspended"]


def test_a_killed_check_worker_is_replaced_at_once(pool):
    conn = pool["redis"]
    parent = pool["procs"].procs["stack"].pid
    (old,) = check_workers(conn)
    time.sleep(6)  # past the start-up steps: the parent is in its idle rhythm
    before = _children(parent)
    os.kill(old.pid, signal.SIGKILL)
    killed_at = time.monotonic()
    wait_until(lambda: _children(parent) - before, 10, "the parent to fork a new worker",
               interval=0.02)
    assert time.monotonic() - killed_at < PROMPTLY
    wait_until(lambda: any(w.pid != old.pid for w in check_workers(conn)), 20,
               "the new check worker to register")


def test_the_web_answers_again_at_once_after_its_worker_is_killed(pool):
    stack_pid = pool["procs"].procs["stack"].pid
    url = f"{pool['base']}/healthz"
    assert requests.get(url, timeout=5).status_code == 200
    # The pool's workers run their jobs in-process: the only grandchildren are gunicorn's.
    gunicorn_workers = [pid for pid in tree_of(stack_pid)
                        if _parent(_parent(pid)) == stack_pid]
    assert gunicorn_workers, "no gunicorn worker found in the stack's tree"
    time.sleep(6)
    for pid in gunicorn_workers:
        os.kill(pid, signal.SIGKILL)
    killed_at = time.monotonic()
    wait_until(lambda: _ok(url), 10, "the web to answer again", interval=0.05)
    assert time.monotonic() - killed_at < PROMPTLY


def test_a_stop_ends_the_whole_idle_tree_quickly(pool):
    proc = pool["procs"].procs["stack"]
    tree = tree_of(proc.pid)
    time.sleep(6)
    started = time.monotonic()
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=15)
    assert time.monotonic() - started < 12  # an idle gunicorn worker waits up to 5 s
    assert not [pid for pid in tree if os.path.exists(f"/proc/{pid}")
                and b"workers.pool" in _cmdline(pid)]


def _children(pid: int) -> set[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            return {int(child) for child in handle.read().split()}
    except OSError:
        return set()


def _cmdline(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read()
    except OSError:
        return b""


def _parent(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return int(handle.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError):
        return 0


def _ok(url: str) -> bool:
    try:
        return requests.get(url, timeout=1).status_code == 200
    except requests.RequestException:
        return False
