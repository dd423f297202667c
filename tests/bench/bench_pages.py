"""Benchmark: the watchlist page and its htmx fragments for a user with 1,000 items.

Serves the app with gunicorn (`-w 2 --threads 4`, as in the Procfile), logs in through
the login form, and prints p50/p95 response times (measured on loopback, keep-alive) and
the bytes of each response; targets: p95 < 100 ms, a fragment < 50 KB. Also counts the
SQL statements one request runs (in-process), which must not grow with the item count.
Run with `make bench` or `python -m tests.bench.bench_pages`.
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
from sqlalchemy import event, insert

from tests.bench.support import BenchEnv, gunicorn, insert_users, percentiles

USERS = 100
ITEMS = 1_000
OTHER_ITEMS = 20
ROUNDS = int(os.environ.get("BENCH_PAGE_ROUNDS", "200"))
WARMUP = 20
HX = {"HX-Request": "true"}
CASES = [
    ("full page, page 1", "/watchlist", {}),
    ("fragment: search + status filter", "/watchlist?q=Show+1&status=active", HX),
    ("fragment: page 30 (offset 725)", "/watchlist?page=30", HX),
    ("fragment: provider filter, page 2", "/watchlist?provider=directory&page=2", HX),
]


def seed() -> None:
    """USERS users; the first has ITEMS items (a few paused, some with errors), others fewer."""
    from werkzeug.security import generate_password_hash

    from webapp.extensions import db
    from webapp.models import Source, WatchlistItem

    now = datetime.now(UTC).replace(microsecond=0)
    password = generate_password_hash("password123")
    with db.engine.begin() as conn:
        insert_users(conn, USERS, now, password_hash=password, first_is_admin=True)
        counts = {1: ITEMS, **{u: OTHER_ITEMS for u in range(2, USERS + 1)}}
        total = sum(counts.values())
        conn.execute(insert(Source), [
            {"id": s, "provider_id": "directory", "url": f"https://files.example.org/s{s}/",
             "lang": "any", "genres": [], "created_at": now} for s in range(1, total + 1)])
        rows, n = [], 0
        for user_id, count in counts.items():
            for k in range(count):
                n += 1
                rows.append({
                    "id": f"{n:032x}", "user_id": user_id, "source_id": n,
                    "anime_title": f"Show {k} — a title of a realistic length",
                    "anime_url": f"https://files.example.org/s{n}/", "provider_id": "directory",
                    "lang": "any", "status": "paused" if k % 10 == 0 else "active",
                    "genres": ["Action", "Fantasy"], "synopsis": "A synopsis. " * 30,
                    "poster_image": f"https://img.example.org/{n}.jpg",
                    "last_episode_downloaded": k % 12, "last_episode_available": k % 12 + 1,
                    "last_checked_at": now - timedelta(hours=1),
                    "next_check_at": now + timedelta(hours=5),
                    "last_error": "The site answered 503; retrying later." if k % 7 == 0
                    else None,
                    "created_at": now - timedelta(seconds=k), "updated_at": now})
        for i in range(0, len(rows), 5000):
            conn.execute(insert(WatchlistItem), rows[i:i + 5000])


def count_statements(app: Any) -> dict[str, int]:
    """SQL statements of one request per case, in-process (the same code gunicorn runs)."""
    from webapp.extensions import db

    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = "1", True
    counted: dict[str, int] = {}
    statements: list[str] = []

    def on_execute(*_args: Any) -> None:
        statements.append("x")

    event.listen(db.engine, "before_cursor_execute", on_execute)
    try:
        for name, path, headers in CASES:
            client.get(path, headers=headers)  # warm
            statements.clear()
            assert client.get(path, headers=headers).status_code == 200
            counted[name] = len(statements)
    finally:
        event.remove(db.engine, "before_cursor_execute", on_execute)
    return counted


def logged_in_session(base: str) -> requests.Session:
    """A session logged in as user1 through the login form."""
    session = requests.Session()
    page = session.get(base + "/login", timeout=10).text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    resp = session.post(base + "/login", data={"username": "user1", "password": "password123",
                                               "csrf_token": token}, timeout=10)
    if not resp.url.endswith("/watchlist"):
        raise SystemExit(f"login failed: {resp.status_code} {resp.url}")
    return session


def measure(session: requests.Session, base: str) -> list[tuple[str, float, float, int]]:
    """(case, p50 ms, p95 ms, bytes) for every case."""
    out = []
    for name, path, headers in CASES:
        for _ in range(WARMUP):
            session.get(base + path, headers=headers, timeout=10)
        times, size = [], 0
        for _ in range(ROUNDS):
            started = time.perf_counter()
            resp = session.get(base + path, headers=headers, timeout=10)
            times.append((time.perf_counter() - started) * 1000)
            assert resp.status_code == 200, (resp.status_code, path)
            size = len(resp.content)
        out.append((name, *percentiles(times), size))
    return out


def run(backend: str) -> None:
    """Seed, serve, measure and print one backend's figures."""
    with tempfile.TemporaryDirectory() as tmp, BenchEnv(backend, Path(tmp)) as env:
        app = env.app()
        with app.app_context():
            seed()
        statements = count_statements(app)  # outside: each request has its own app context
        with gunicorn(env, Path(tmp)) as base:
            results = measure(logged_in_session(base), base)
        print(f"\n[{backend}] watchlist pages, user with {ITEMS} items among {USERS} users "
              f"({ROUNDS} requests each, the stack's web server)")
        print(f"  {'case':36} {'p50 ms':>7} {'p95 ms':>7} {'bytes':>8} {'SQL':>4}")
        for name, p50, p95, size in results:
            flag = "" if p95 < 100 and (name.startswith("full") or size < 50_000) else "  !"
            print(f"  {name:36} {p50:7.1f} {p95:7.1f} {size:8d} {statements[name]:4d}{flag}")
        print("  targets: p95 < 100 ms; a fragment < 50 KB")


def main() -> None:
    """Run the benchmark on SQLite, and on PostgreSQL when TEST_POSTGRES_URL is set."""
    for backend in BenchEnv.backends():
        run(backend)


if __name__ == "__main__":
    main()
