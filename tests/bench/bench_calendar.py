"""Benchmark: GET /feeds/calendar.ics for a user with 1,000 items and 20,000 downloads.

Bulk-inserts (for the benchmark only) one user with 1,000 weekly shows of 20 episodes each
(`source_episodes.first_seen_at` one week apart, the newest 0–6 days ago), every episode
downloaded (20,000 completed downloads), every show expected again within the week; and a
second user with nothing, the baseline: the same request with no rows, i.e. the cost of
the token check and the web server alone. Serves the app with the stack's web server and
prints p50/p95 of sequential requests, with their ratios to the baseline: a poll with the
ETag of the unchanged feed (304), a poll without it (the rows read and digested, the body
from Redis), a poll after the rows changed (the kept body dropped before each request: the
feed assembled again, every event but the changed ones taken from Redis), and the first
build (Redis emptied before each request: every event written by icalendar); plus the
events and bytes of the feed and the SQL statements of one request.
Run with `make bench` or `python -m tests.bench calendar`.
"""

from __future__ import annotations

import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import insert

from tests.api_helpers import count_statements
from tests.bench.bench_api import private_postgres
from tests.bench.support import BenchEnv, gunicorn, insert_users, percentiles
from webapp.infra import keys

ITEMS = 1_000
EPISODES = 20                       # per item: 20,000 episodes, each downloaded
ROUNDS = int(os.environ.get("BENCH_CALENDAR_ROUNDS", "100"))
COLD_ROUNDS = int(os.environ.get("BENCH_CALENDAR_COLD_ROUNDS", "10"))
WARMUP = 5
FEED = "/feeds/calendar.ics"


def seed(now: datetime) -> None:
    """User 1: ITEMS weekly shows, EPISODES episodes each, all downloaded; user 2: none."""
    from webapp.extensions import db
    from webapp.models import Download, Source, SourceEpisode, WatchlistItem

    with db.engine.begin() as conn:
        insert_users(conn, 2, now)
        sources, items, episodes, downloads = [], [], [], []
        for k in range(ITEMS):
            sid = k + 1
            last = now - timedelta(days=k % 7, hours=k % 5)
            sources.append({"id": sid, "provider_id": "directory", "lang": "any",
                            "url": f"https://files.example.org/s{sid}/", "genres": [],
                            "created_at": now, "prediction_source": "history",
                            "next_episode_expected_at": last + timedelta(days=7)})
            items.append({"id": f"{sid:032x}", "user_id": 1, "source_id": sid,
                          "anime_title": f"Show {k} — a title of a realistic length",
                          "anime_url": f"https://files.example.org/s{sid}/",
                          "provider_id": "directory", "lang": "any", "status": "active",
                          "genres": [], "last_episode_downloaded": EPISODES,
                          "last_episode_available": EPISODES, "created_at": now,
                          "updated_at": now})
            for n in range(1, EPISODES + 1):
                seen = last - timedelta(days=7 * (EPISODES - n))
                episodes.append({"source_id": sid, "number": float(n), "players": [],
                                 "first_seen_at": seen})
                downloads.append({"item_id": f"{sid:032x}", "user_id": 1, "source_id": sid,
                                  "episode": float(n), "status": "completed", "attempts": 1,
                                  "bytes_done": 300_000_000, "bytes_total": 300_000_000,
                                  "created_at": seen, "started_at": seen,
                                  "finished_at": seen + timedelta(minutes=20),
                                  "path": f"/library/Show {k}/Season 01/{n}.mkv"})
        conn.execute(insert(Source), sources)
        conn.execute(insert(WatchlistItem), items)
        for i in range(0, len(episodes), 5000):
            conn.execute(insert(SourceEpisode), episodes[i:i + 5000])
            conn.execute(insert(Download), downloads[i:i + 5000])


def tokens() -> dict[int, str]:
    """A feeds token for user 1 (the 1,000 items) and user 2 (none)."""
    from webapp.auth.tokens import create_token
    from webapp.extensions import db
    from webapp.models import User

    return {uid: create_token(db.session.get(User, uid), "bench", "feeds")[1] for uid in (1, 2)}


def build_statements(app: Any, token: str) -> tuple[int, int]:
    """(SQL statements, events) of one build of the feed, in-process."""
    from webapp.extensions import db, get_redis

    client = app.test_client()
    client.get(FEED, query_string={"token": token})  # warm: the token's last_used_at write
    with app.app_context():
        get_redis().flushdb()
        with count_statements(db.engine) as statements:
            body = client.get(FEED, query_string={"token": token}).data
    return len(statements), body.count(b"BEGIN:VEVENT")


def timed(session: requests.Session, url: str, rounds: int, before: Any = None,
          headers: dict | None = None, status: int = 200) -> tuple[float, float, int]:
    """(p50 ms, p95 ms, bytes) of `rounds` sequential GETs (`before` runs ahead of each)."""
    times, size = [], 0
    for _ in range(rounds):
        if before is not None:
            before()
        started = time.perf_counter()
        resp = session.get(url, timeout=60, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        assert resp.status_code == status, resp.status_code
        size = len(resp.content)
    return (*percentiles(times), size)


def run(backend: str) -> None:
    """Seed, serve, measure and print one backend's figures."""
    now = datetime.now(UTC).replace(microsecond=0)
    with private_postgres(backend), tempfile.TemporaryDirectory() as tmp, \
            BenchEnv(backend, Path(tmp)) as env:
        app = env.app()
        with app.app_context():
            seed(now)
            raw = tokens()
        statements, events = build_statements(app, raw[1])
        redis_conn = env.redis()
        with gunicorn(env, Path(tmp)) as base:
            session = requests.Session()
            url = {uid: f"{base}{FEED}?token={raw[uid]}" for uid in raw}
            timed(session, url[2], WARMUP)
            timed(session, url[1], WARMUP)
            baseline = timed(session, url[2], ROUNDS)
            etag = session.get(url[1], timeout=60).headers["ETag"]
            unchanged = timed(session, url[1], ROUNDS, headers={"If-None-Match": etag},
                              status=304)
            warm = timed(session, url[1], ROUNDS)
            changed = timed(session, url[1], ROUNDS // 4, before=lambda: redis_conn.delete(
                keys.calendar_feed(1)))
            cold = timed(session, url[1], COLD_ROUNDS, before=redis_conn.flushdb)
    print(f"\n[{backend}] calendar feed, user with {ITEMS} items, {ITEMS * EPISODES} "
          f"downloads: {events} events in the feed (90 days of releases + expected), "
          f"{statements} SQL statements per request")
    print(f"  {'case':44} {'p50 ms':>8} {'p95 ms':>8} {'bytes':>9} {'p95 / baseline':>15}")
    for name, (p50, p95, size) in (
            ("baseline: a feed with no rows", baseline),
            ("poll with the ETag, unchanged: 304", unchanged),
            ("poll without ETag: rows digested, Redis body", warm),
            ("rows changed: assembled from kept events", changed),
            (f"first build: every event written ({COLD_ROUNDS} req.)", cold)):
        print(f"  {name:44} {p50:8.1f} {p95:8.1f} {size:9d} {p95 / baseline[1]:15.1f}")


def main() -> None:
    """Run the benchmark on SQLite, and on PostgreSQL when TEST_POSTGRES_URL is set."""
    for backend in BenchEnv.backends():
        run(backend)


if __name__ == "__main__":
    main()
