"""Benchmark: GET /api/watchlist and /api/watchlist/stats for a user with 1,000 items.

Seeds 100 users (one with 1,000 items, the others 20 each), serves the app with the
stack's web server (`workers/pool.py`'s gunicorn, WEB_WORKERS × WEB_THREADS) on our own
redis-server, and prints p50/p95 of
sequential requests (loopback, keep-alive) and of a concurrent run, plus the SQL
statements one request runs (in-process), for 1,000 items and for 20: they must be equal.
Target: p95 of the list under 50 ms. On PostgreSQL (when TEST_POSTGRES_URL is set) it
uses a database of its own next to the test one, so running tests are not disturbed.
Run with `make bench` or `python -m tests.bench api`.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
from sqlalchemy.engine import make_url

from tests.api_helpers import count_statements, seed_items
from tests.bench.support import BenchEnv, gunicorn, insert_users, percentiles

USERS = 100
ITEMS = 1_000
OTHER_ITEMS = 20
ROUNDS = int(os.environ.get("BENCH_API_ROUNDS", "300"))
THREADS = 8
WARMUP = 20
PATHS = ("/api/watchlist", "/api/watchlist/stats")
TARGET_P95_MS = 50.0


def seed() -> None:
    """USERS users with default settings; user 1 has ITEMS items, the others OTHER_ITEMS."""
    from webapp.extensions import db

    now = datetime.now(UTC).replace(microsecond=0)
    with db.engine.begin() as conn:
        insert_users(conn, USERS, now, first_is_admin=True)
        seed_items(conn, 1, ITEMS, first_source_id=1)
        for u in range(2, USERS + 1):
            seed_items(conn, u, OTHER_ITEMS, first_source_id=ITEMS + (u - 2) * OTHER_ITEMS + 1)


def tokens() -> dict[int, str]:
    """A read token for user 1 (1,000 items) and user 2 (20 items)."""
    from webapp.auth.tokens import create_token
    from webapp.extensions import db
    from webapp.models import User

    return {uid: create_token(db.session.get(User, uid), "bench", "read")[1] for uid in (1, 2)}


def statements_per_request(app: Any, token: str) -> dict[str, int]:
    """SQL statements one request of each path runs, in-process (the code gunicorn runs)."""
    from webapp.extensions import db

    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    counts = {}
    for path in PATHS:
        client.get(path, headers=headers)  # warm: the token's last_used_at write
        with count_statements(db.engine) as statements:
            assert client.get(path, headers=headers).status_code == 200
        counts[path] = len(statements)
    return counts


def timed_get(session: requests.Session, url: str, headers: dict[str, str]) -> float:
    """One GET; its time in ms (a non-200 answer stops the benchmark)."""
    started = time.perf_counter()
    resp = session.get(url, headers=headers, timeout=10)
    elapsed = (time.perf_counter() - started) * 1000
    if resp.status_code != 200:
        raise SystemExit(f"{url} answered {resp.status_code}: {resp.text[:200]}")
    return elapsed


def sequential(base: str, token: str) -> dict[str, tuple[float, float, int]]:
    """(p50, p95, bytes) of ROUNDS sequential requests per path on one keep-alive session."""
    session = requests.Session()
    headers = {"Authorization": f"Bearer {token}"}
    out = {}
    for path in PATHS:
        for _ in range(WARMUP):
            timed_get(session, base + path, headers)
        times = [timed_get(session, base + path, headers) for _ in range(ROUNDS)]
        size = len(session.get(base + path, headers=headers, timeout=10).content)
        out[path] = (*percentiles(times), size)
    return out


def concurrent(base: str, token: str, path: str) -> tuple[float, float, float]:
    """(p50, p95, requests/s) with THREADS clients sharing ROUNDS requests."""
    headers = {"Authorization": f"Bearer {token}"}

    def client(count: int) -> list[float]:
        session = requests.Session()
        return [timed_get(session, base + path, headers) for _ in range(count)]

    started = time.perf_counter()
    with ThreadPoolExecutor(THREADS) as pool:
        runs = list(pool.map(client, [ROUNDS // THREADS] * THREADS))
    wall = time.perf_counter() - started
    times = [t for run in runs for t in run]
    return (*percentiles(times), len(times) / wall)


@contextmanager
def private_postgres(backend: str) -> Iterator[None]:
    """Point TEST_POSTGRES_URL at a database of our own for the benchmark's duration."""
    shared = os.environ.get("TEST_POSTGRES_URL")
    if backend != "postgres" or not shared:
        yield
        return
    import psycopg

    url = make_url(shared)
    name = f"{url.database}_bench_api"
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False)
    with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["TEST_POSTGRES_URL"] = url.set(database=name).render_as_string(
        hide_password=False)
    try:
        yield
    finally:
        os.environ["TEST_POSTGRES_URL"] = shared


def run(backend: str) -> None:
    """Seed, serve, measure and print one backend's figures."""
    with private_postgres(backend), tempfile.TemporaryDirectory() as tmp, \
            BenchEnv(backend, Path(tmp)) as env:
        app = env.app()
        with app.app_context():
            seed()
            raw = tokens()
        # Outside that context: each request then gets its own, as under gunicorn.
        big = statements_per_request(app, raw[1])
        small = statements_per_request(app, raw[2])
        with gunicorn(env, Path(tmp)) as base:
            seq = sequential(base, raw[1])
            conc = {path: concurrent(base, raw[1], path) for path in PATHS}
    print(f"\n[{backend}] JSON API, user with {ITEMS} items among {USERS} users "
          f"(the stack's web: gunicorn {os.environ.get('WEB_WORKERS', '1')} × "
          f"{os.environ.get('WEB_THREADS', '8')} threads; {ROUNDS} requests per run)")
    print(f"  {'endpoint':24} {'seq p50':>8} {'seq p95':>8} {'bytes':>8} "
          f"{f'{THREADS} clients p50':>17} {'p95':>7} {'req/s':>7} {'SQL 1000/20 items':>18}")
    for path in PATHS:
        p50, p95, size = seq[path]
        c50, c95, rate = conc[path]
        flag = "  !" if path == PATHS[0] and p95 >= TARGET_P95_MS else ""
        print(f"  {path:24} {p50:8.1f} {p95:8.1f} {size:8d} {c50:17.1f} {c95:7.1f} "
              f"{rate:7.0f} {f'{big[path]}/{small[path]}':>18}{flag}")
    print(f"  target: sequential p95 of GET /api/watchlist < {TARGET_P95_MS:.0f} ms; "
          "SQL statements equal for 1,000 and 20 items")
    if big != small:
        print("  ! the number of SQL statements grows with the item count")


def main() -> None:
    """Run the benchmark on SQLite, and on PostgreSQL when TEST_POSTGRES_URL is set."""
    for backend in BenchEnv.backends():
        run(backend)


if __name__ == "__main__":
    main()
