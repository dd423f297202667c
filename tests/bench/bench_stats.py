"""Benchmark: GET /stats and GET /api/stats/history?days=365 for a user with 1,000 items
and 20,000 downloads.

Bulk-inserts (for the benchmark only) one user with 1,000 shows of 20 episodes each, first
seen over the last 365 days, every episode downloaded (5 % failed) 10 minutes to 30 hours
later through one of four video hosts, and the check events of 1,000 items checked every
6 hours for the 90 days the activity is kept (360,000 events; BENCH_STATS_CHECKS_PER_DAY
to change); and a second user with nothing, the baseline: the same requests with no rows,
i.e. the cost of the login or token check, the template and the web server alone. Serves
the app with the stack's web server and prints p50/p95 of sequential requests with their
ratio to the baseline, and the SQL statements of one request.
Run with `make bench` or `python -m tests.bench stats`.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import insert

from tests.api_helpers import count_statements
from tests.bench.bench_api import private_postgres
from tests.bench.support import BenchEnv, analyze, gunicorn, insert_users, percentiles

ITEMS = 1_000
EPISODES = 20                       # per item: 20,000 downloads
CHECKS_PER_DAY = int(os.environ.get("BENCH_STATS_CHECKS_PER_DAY", "4"))
ACTIVITY_DAYS = 90                  # what housekeeping keeps
ROUNDS = int(os.environ.get("BENCH_STATS_ROUNDS", "60"))
WARMUP = 5
HOSTS = ("https://video.sibnet.ru/shell.php?videoid={n}", "https://vidmoly.to/embed-{n}.html",
         "https://sendvid.com/embed/{n}", "https://files.example.org/s/{n}.mkv")
PROVIDERS = ("animesama", "nekosama", "directory")
CASES = (("GET /stats (30 days)", "page", "/stats"),
         ("GET /stats?days=365", "page", "/stats?days=365"),
         ("GET /api/stats/history?days=365", "api", "/api/stats/history?days=365"))


def _downloads(now: datetime) -> tuple[list[dict], list[dict]]:
    """The episodes and downloads of user 1, first seen over the last 365 days."""
    episodes, downloads = [], []
    for k in range(ITEMS):
        sid = k + 1
        for n in range(1, EPISODES + 1):
            serial = k * EPISODES + n
            seen = now - timedelta(minutes=(serial * 7919) % (364 * 24 * 60), hours=30)
            done = seen + timedelta(minutes=10 + (serial * 37) % (30 * 60))
            failed = serial % 20 == 0
            episodes.append({"source_id": sid, "number": float(n), "players": [],
                             "first_seen_at": seen})
            downloads.append({"item_id": f"{sid:032x}", "user_id": 1, "source_id": sid,
                              "episode": float(n), "status": "failed" if failed else "completed",
                              "attempts": 1, "bytes_done": 0 if failed else 350_000_000,
                              "bytes_total": None if failed else 350_000_000,
                              "player": HOSTS[serial % len(HOSTS)].format(n=serial),
                              "error": "host gone" if failed else None,
                              "created_at": seen, "started_at": done, "finished_at": done,
                              "path": None if failed else f"/library/{sid}/{n}.mkv"})
    return episodes, downloads


def _checks(now: datetime) -> list[dict]:
    """Check events of every item, CHECKS_PER_DAY a day for ACTIVITY_DAYS (1 % failed)."""
    kinds = ("check_nothing",) * 90 + ("check_found",) * 9 + ("check_failed",)
    step = timedelta(hours=24 / max(1, CHECKS_PER_DAY))
    rows = []
    for slot in range(ACTIVITY_DAYS * CHECKS_PER_DAY):
        at = now - timedelta(days=ACTIVITY_DAYS) + slot * step
        for k in range(ITEMS):
            rows.append({"user_id": 1, "kind": kinds[(slot + k) % len(kinds)],
                         "item_id": f"{k + 1:032x}", "anime_title": f"Show {k}",
                         "message": "Checked: nothing new.", "data": "{}",
                         "created_at": at + timedelta(seconds=k)})
    return rows


def seed(now: datetime) -> None:
    """User 1: ITEMS shows, their downloads and checks; user 2: nothing."""
    from werkzeug.security import generate_password_hash

    from webapp.extensions import db
    from webapp.models import Activity, Download, Source, SourceEpisode, WatchlistItem

    with db.engine.begin() as conn:
        insert_users(conn, 2, now, password_hash=generate_password_hash("password123"))
        conn.execute(insert(Source), [
            {"id": k + 1, "provider_id": PROVIDERS[k % 3], "lang": "any", "genres": [],
             "url": f"https://files.example.org/s{k + 1}/", "created_at": now}
            for k in range(ITEMS)])
        conn.execute(insert(WatchlistItem), [
            {"id": f"{k + 1:032x}", "user_id": 1, "source_id": k + 1,
             "anime_title": f"Show {k} — a title of a realistic length",
             "anime_url": f"https://files.example.org/s{k + 1}/", "provider_id": PROVIDERS[k % 3],
             "lang": "any", "status": "active", "genres": [], "created_at": now,
             "updated_at": now} for k in range(ITEMS)])
        episodes, downloads = _downloads(now)
        for i in range(0, len(episodes), 5000):
            conn.execute(insert(SourceEpisode), episodes[i:i + 5000])
            conn.execute(insert(Download), downloads[i:i + 5000])
        checks = _checks(now)
        for i in range(0, len(checks), 20000):
            conn.execute(insert(Activity), checks[i:i + 20000])
    analyze()


def tokens() -> dict[int, str]:
    """A read token for user 1 (the 1,000 items) and user 2 (nothing)."""
    from webapp.auth.tokens import create_token
    from webapp.extensions import db
    from webapp.models import User

    return {uid: create_token(db.session.get(User, uid), "bench", "read")[1] for uid in (1, 2)}


def login(base: str, user: int) -> requests.Session:
    """A session logged in as user<n> through the login form."""
    session = requests.Session()
    page = session.get(base + "/login", timeout=10).text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    resp = session.post(base + "/login", data={"username": f"user{user}",
                                               "password": "password123",
                                               "csrf_token": token}, timeout=10)
    if resp.status_code != 200 or "/login" in resp.url:
        raise SystemExit(f"login failed: {resp.status_code} {resp.url}")
    return session


def statements(app: Any, token: str) -> int:
    """SQL statements of one API request, in-process."""
    from webapp.extensions import db

    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    client.get(CASES[2][2], headers=headers)   # warm: the token's last_used_at write
    with app.app_context(), count_statements(db.engine) as seen:
        assert client.get(CASES[2][2], headers=headers).status_code == 200
    return len(seen)


def timed(session: requests.Session, url: str, headers: dict[str, str],
          rounds: int) -> tuple[float, float, int]:
    """(p50 ms, p95 ms, bytes) of `rounds` sequential GETs."""
    times, size = [], 0
    for _ in range(rounds):
        started = time.perf_counter()
        resp = session.get(url, headers=headers, timeout=60)
        times.append((time.perf_counter() - started) * 1000)
        assert resp.status_code == 200, (resp.status_code, url)
        size = len(resp.content)
    return (*percentiles(times), size)


def run(backend: str) -> None:
    """Seed, serve, measure and print one backend's figures."""
    now = datetime.now(UTC).replace(microsecond=0)
    with private_postgres(backend), tempfile.TemporaryDirectory() as tmp, \
            BenchEnv(backend, Path(tmp)) as env:
        app = env.app()
        started = time.monotonic()
        with app.app_context():
            seed(now)
            raw = tokens()
        seeded = time.monotonic() - started
        sql = statements(app, raw[1])
        results = []
        with gunicorn(env, Path(tmp)) as base:
            sessions = {uid: login(base, uid) for uid in (1, 2)}
            for name, kind, path in CASES:
                row = []
                for uid in (2, 1):   # the baseline first
                    headers = {"Authorization": f"Bearer {raw[uid]}"} if kind == "api" else {}
                    session = requests.Session() if kind == "api" else sessions[uid]
                    timed(session, base + path, headers, WARMUP)
                    row.append(timed(session, base + path, headers, ROUNDS))
                results.append((name, *row))
    print(f"\n[{backend}] statistics, user with {ITEMS} items, {ITEMS * EPISODES} downloads "
          f"over 365 days, {ITEMS * CHECKS_PER_DAY * ACTIVITY_DAYS} check events "
          f"(seeded in {seeded:.0f} s); {sql} SQL statements per API request")
    print(f"  {'case':34} {'base p95':>9} {'p50 ms':>8} {'p95 ms':>8} {'bytes':>8} "
          f"{'p95 / baseline':>15}")
    for name, (_b50, b95, _bsize), (p50, p95, size) in results:
        print(f"  {name:34} {b95:9.1f} {p50:8.1f} {p95:8.1f} {size:8d} {p95 / b95:15.1f}")


def main() -> None:
    """Run the benchmark on SQLite, and on PostgreSQL when TEST_POSTGRES_URL is set."""
    for backend in BenchEnv.backends():
        run(backend)


if __name__ == "__main__":
    main()
