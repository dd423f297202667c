"""End to end on PostgreSQL: the database unreachable for ~12 s while the stack (as `make
run` starts it) checks and downloads. The stack reaches its own throw-away database through
a TCP proxy the test cuts (every connection reset, new ones refused, as while PostgreSQL
restarts) and restores, the machine's server untouched.

During the outage /healthz answers 503 naming the database at once, the API its 503
`service_unavailable` error, pages a 503 page; no process of the tree is lost; afterwards
the interrupted downloads and a new check and download complete with no restart, each
episode once.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.check_helpers import new_show
from tests.e2e.http import login_session, user_with_token
from tests.e2e.postgres import TcpProxy, throwaway_database, url_string
from tests.e2e.processes import Processes, site_env, wait_until
from tests.e2e.trees import tree_of as tree
from tests.fixture_site.generic import media_bytes
from tests.helpers import app_config, free_port

pytestmark = pytest.mark.e2e

OUTAGE = 12.0          # seconds without the database
PROMPT = 5.0           # the most an answer may take during the outage


@pytest.fixture
def pg_stack(fixture_site, redis_url, tmp_path, monkeypatch) -> Iterator[dict[str, Any]]:
    """The stack on a throw-away PostgreSQL database reached through a TcpProxy."""
    from webapp import create_app
    from webapp.extensions import db

    with throwaway_database() as url:
        proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432)).start()
        procs = None
        try:
            monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "test-instance"))
            app = create_app(app_config(url_string(url), redis_url, tmp_path))
            headers = user_with_token(app, "alice")
            proxied = url_string(url.set(host="127.0.0.1", port=proxy.port))
            env = site_env(fixture_site.url, proxied, redis_url, tmp_path,
                           CRON_TICK_SECONDS="1", DOWNLOAD_HEARTBEAT_SECONDS="3")
            log_dir = tmp_path / "logs"
            log_dir.mkdir()
            procs = Processes(env, log_dir)
            port = free_port()
            procs.stack(port)
            yield {"procs": procs, "base": f"http://127.0.0.1:{port}", "headers": headers,
                   "library": tmp_path / "library", "proxy": proxy}
        finally:
            if procs is not None:
                procs.stop_all()
            proxy.stop()
            db.session.remove()
            if db.engine is not None:
                db.engine.dispose()
            if os.environ.get("E2E_SHOW_LOGS") and procs is not None:
                print(procs.logs())


def timed_get(session: Any, url: str, **kwargs: Any) -> requests.Response:
    """GET `url`; fail if it takes longer than PROMPT seconds (a hang is not an answer)."""
    started = time.monotonic()
    resp = session.get(url, timeout=PROMPT + 5, **kwargs)
    took = time.monotonic() - started
    assert took < PROMPT, f"{url} took {took:.1f}s"
    return resp


def show_files(site: Any, name: str, episodes: int) -> list[bytes]:
    """The bytes of episodes 1..`episodes` of a `new_show` directory, as the site serves
    them."""
    return [media_bytes(f"{name.title()} - {n:02d} (1080p).mkv", site.media_size)
            for n in range(1, episodes + 1)]


def test_a_database_outage_while_checks_and_downloads_run(pg_stack, fixture_site):
    procs, base, headers = pg_stack["procs"], pg_stack["base"], pg_stack["headers"]
    library, proxy = pg_stack["library"], pg_stack["proxy"]
    pages = login_session(base, "alice")

    def api(path: str) -> Any:
        return requests.get(f"{base}{path}", headers=headers, timeout=10).json()

    def watch(name: str, episodes: int, auto: bool) -> str:
        resp = requests.post(f"{base}/api/watchlist", headers=headers, timeout=10, json={
            "anime_title": name.title(), "provider_id": "directory", "auto_download": auto,
            "anime_url": new_show(fixture_site, name, episodes=episodes)})
        assert resp.status_code == 201, resp.text
        return resp.json()["id"]

    fixture_site.slow("/dir/nginx/before/Before", 3)     # each download runs for seconds
    before_id = watch("before", 3, True)
    wait_until(lambda: any(d["status"] == "running" for d in api("/api/downloads")), 60,
               "a download running")
    fixture_site.slow("/dir/nginx/checked/", 3, times=1)  # a check running at the cut
    checked_id = watch("checked", 2, False)
    wait_until(lambda: fixture_site.hits("/dir/nginx/checked/") >= 1, 20, "its check running")
    pool = procs.procs["stack"]
    tree_before = tree(pool.pid)

    proxy.cut()
    cut_at = time.monotonic()
    health = timed_get(requests, f"{base}/healthz")
    assert health.status_code == 503, health.text
    assert health.json()["checks"]["database"]["ok"] is False
    assert health.json()["checks"]["redis"]["ok"] is True
    for method, path in (("GET", "/api/watchlist"), ("GET", f"/api/watchlist/{before_id}"),
                         ("POST", "/api/watchlist")):
        started = time.monotonic()
        resp = requests.request(method, f"{base}{path}", headers=headers, timeout=PROMPT + 5,
                                json={"anime_title": "X", "anime_url": "https://x.test/"})
        assert time.monotonic() - started < PROMPT, path
        assert resp.status_code == 503, (path, resp.status_code, resp.text[:300])
        assert resp.json()["error"] == "service_unavailable", resp.text
    for path in ("/", "/downloads", "/settings"):
        page = timed_get(pages, f"{base}{path}", allow_redirects=False)
        assert page.status_code == 503, (path, page.status_code, page.text[:300])
        assert "text/html" in page.headers["Content-Type"]
        assert "database is not answering" in page.text and "Traceback" not in page.text
    while time.monotonic() - cut_at < OUTAGE:
        assert pool.poll() is None, procs.logs()
        time.sleep(1)
    proxy.restore()

    try:
        wait_until(lambda: timed_get(requests, f"{base}/healthz").status_code == 200, 30,
                   "/healthz 200 again")
        after_id = watch("after", 2, True)    # a new check and download, with no restart
        wait_until(lambda: api(f"/api/watchlist/{after_id}")["last_episode_downloaded"] == 2,
                   60, "the new item checked and downloaded")
        wait_until(lambda: api(f"/api/watchlist/{before_id}")["last_episode_downloaded"] == 3,
                   60, "the interrupted downloads completed")
        # The check that failed on the outage is retried by RQ a minute later.
        wait_until(lambda: api(f"/api/watchlist/{checked_id}")["last_episode_available"] == 2,
                   90, "the interrupted check done again")
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{api('/api/downloads')}\n{procs.logs()}") from None

    assert pages.get(f"{base}/", timeout=10).status_code == 200   # still logged in
    assert pool.poll() is None
    assert len(tree_before) >= 1 + 2 + 2 + 2, tree_before   # pool, web x2, checks, downloads
    wait_until(lambda: len(tree(pool.pid)) >= len(tree_before), 10,
               f"as many processes as before the outage ({len(tree_before)})")
    # Each episode once, byte-exact, in one completed download row each.
    files = sorted(p for p in library.rglob("*.mkv") if ".partial" not in p.parts)
    assert sorted(p.read_bytes() for p in files) == sorted(
        show_files(fixture_site, "before", 3) + show_files(fixture_site, "after", 2)), files
    rows = api("/api/downloads")
    assert sorted((d["item_id"], d["episode"]) for d in rows) == sorted(
        [(before_id, n) for n in (1, 2, 3)] + [(after_id, n) for n in (1, 2)]), rows
    assert {d["status"] for d in rows} == {"completed"}, rows
    assert not [p for p in library.rglob("*") if p.is_file() and ".partial" in p.parts]
