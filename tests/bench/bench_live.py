"""Benchmark: what keeping an open page live costs (issue 15, SPEC §6).

Serves the app as the stack does (workers/pool.py's web role), logs a user with 1,000
items and 2,000 downloads in, and measures the page's live poll (`GET /live?v=...`,
webapp.pages.live_poll): the p50/p95 of an unchanged poll (an empty 204), of a poll that
finds a change (the poll element and its HX-Trigger), and of the refresh a change then
costs (the watchlist results fragment). The baseline, measured in the same run, is
`GET /healthz` (a request that does one database and one Redis round trip).

Requests per minute per open page follow from the poll interval (LIVE_POLL_SECONDS = 3):
20 polls a minute while nothing changes, plus one refresh per part that shows a change
(at most one per poll). Run with `make bench` or `python -m tests.bench live`.
"""

from __future__ import annotations

import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from sqlalchemy import insert, update

from tests.bench.bench_pages import ITEMS, logged_in_session
from tests.bench.bench_pages import seed as seed_items
from tests.bench.support import BenchEnv, gunicorn, percentiles

ROUNDS = int(os.environ.get("BENCH_LIVE_ROUNDS", "300"))
DOWNLOADS = 2_000
HX = {"HX-Request": "true"}


def seed_downloads() -> None:
    """DOWNLOADS completed downloads of user 1's items."""
    from webapp.extensions import db
    from webapp.models import Download

    now = datetime.now(UTC).replace(microsecond=0)
    with db.engine.begin() as conn:
        conn.execute(insert(Download), [
            {"item_id": f"{1 + k % ITEMS:032x}", "user_id": 1, "source_id": 1 + k % ITEMS,
             "episode": float(k // ITEMS + 1), "status": "completed", "attempts": 1,
             "bytes_done": 200_000_000, "bytes_total": 200_000_000,
             "created_at": now - timedelta(hours=k), "started_at": now - timedelta(hours=k),
             "finished_at": now - timedelta(hours=k)} for k in range(DOWNLOADS)])


def _timed(session: requests.Session, url: str, expect: int, **kw) -> float:
    started = time.perf_counter()
    resp = session.get(url, timeout=10, **kw)
    elapsed = (time.perf_counter() - started) * 1000
    assert resp.status_code == expect, (url, resp.status_code)
    return elapsed


def _version(session: requests.Session, base: str) -> str:
    page = session.get(base + "/watchlist", timeout=10).text
    element = page.split('id="live"')[1].split(">")[0]
    return element.split("/live?v=")[1].split('"')[0]


def _touch(app, n: int) -> None:
    """A worker's change: one of the user's items checked again."""
    from webapp.extensions import db
    from webapp.models import WatchlistItem

    with app.app_context():
        db.session.execute(update(WatchlistItem).where(WatchlistItem.id == f"{1:032x}")
                           .values(last_attempt_at=datetime.now(UTC) + timedelta(seconds=n)))
        db.session.commit()


def measure(app, base: str) -> dict[str, tuple[float, float]]:
    """p50/p95 (ms) of each case."""
    session = logged_in_session(base)
    unchanged, changed, refresh, baseline = [], [], [], []
    version = _version(session, base)
    for _ in range(20):
        _timed(session, f"{base}/live?v={version}", 204, headers=HX)
    for _ in range(ROUNDS):
        baseline.append(_timed(session, f"{base}/healthz", 200))
        unchanged.append(_timed(session, f"{base}/live?v={version}", 204, headers=HX))
    for n in range(ROUNDS // 5):
        _touch(app, n + 1)
        started = time.perf_counter()
        resp = session.get(f"{base}/live?v={version}", headers=HX, timeout=10)
        changed.append((time.perf_counter() - started) * 1000)
        assert resp.status_code == 200 and "live-items" in resp.headers["HX-Trigger"]
        version = resp.text.split("/live?v=")[1].split('"')[0]
        refresh.append(_timed(session, f"{base}/watchlist", 200, headers=HX))
    return {"baseline: GET /healthz": percentiles(baseline),
            "unchanged poll (204)": percentiles(unchanged),
            "poll that finds a change": percentiles(changed),
            "the refresh it triggers (results)": percentiles(refresh)}


def run(backend: str) -> None:
    """Seed, serve, measure and print one backend's figures."""
    with tempfile.TemporaryDirectory() as tmp, BenchEnv(backend, Path(tmp)) as env:
        app = env.app()
        with app.app_context():
            seed_items()
            seed_downloads()
        with gunicorn(env, Path(tmp)) as base:
            results = measure(app, base)
        poll = app.config.get("LIVE_POLL_SECONDS", 3)
        print(f"\n[{backend}] live poll, user with {ITEMS} items and {DOWNLOADS} downloads")
        print(f"  {'case':36} {'p50 ms':>7} {'p95 ms':>7} {'× baseline p95':>15}")
        base_p95 = results["baseline: GET /healthz"][1]
        for name, (p50, p95) in results.items():
            print(f"  {name:36} {p50:7.1f} {p95:7.1f} {p95 / base_p95:15.1f}")
        print(f"  requests per minute per open page: {60 // poll} polls while nothing "
              f"changes; at most {2 * 60 // poll} while a part changes at every poll")


def main() -> None:
    """Run the benchmark on SQLite, and on PostgreSQL when TEST_POSTGRES_URL is set."""
    for backend in BenchEnv.backends():
        run(backend)


if __name__ == "__main__":
    main()
