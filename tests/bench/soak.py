"""Soak (`make soak`, not part of `make bench`): the whole stack as `make run` starts it,
for SOAK_MINUTES (10) of steady work, watched for growth.

`scripts/run-stack.sh` runs against our own redis-server, a fresh SQLite database and the
local fixture site (tests/fixture_site, in this process). 10 users watch 20 directory
shows each (200 items, added through the API); every SOAK_DUE_SECONDS (5) 10 of them are
made due, so the tick (every SOAK_TICK_SECONDS, 5) checks ~2 sources a second; a sixth
user auto-downloads 5 more shows, one of which gets a new episode (SOAK_MEDIA_MB, 8 MB)
every SOAK_PUBLISH_SECONDS (12): ~50 downloads in 10 minutes. Meanwhile a client reads
the API, the pages and /healthz about 5 times a second.

Printed: at the start and every minute, the PSS of the stack's processes (their sum and
per role), Redis's key count, the open files of the tree, the library's files, and the
checks, downloads and requests so far; then whether memory stayed flat (the end against
the plateau of minutes 1-3), the request latencies (p50/p95 per kind) and errors (must
be 0), and the stack's CPU over SOAK_IDLE_SECONDS (60) once the work has stopped (with
the soak's 5 s tick, not the default 60 s).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import threading
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path
from typing import Any

import redis
import requests

from tests.bench.bench_memory import cpu_ticks, roles, session_pids, snapshot, start_stack, wait_up
from tests.bench.support import BenchEnv, clock_ticks, free_port, percentiles, stop_group

MINUTES = float(os.environ.get("SOAK_MINUTES", "10"))
TICK = os.environ.get("SOAK_TICK_SECONDS", "5")
DUE_EVERY = float(os.environ.get("SOAK_DUE_SECONDS", "5"))
PUBLISH_EVERY = float(os.environ.get("SOAK_PUBLISH_SECONDS", "12"))
MEDIA_SIZE = int(float(os.environ.get("SOAK_MEDIA_MB", "8")) * 1024 * 1024)
IDLE_SECONDS = float(os.environ.get("SOAK_IDLE_SECONDS", "60"))
USERS, ITEMS_PER_USER, DUE_BATCH, FETCHED_SHOWS = 10, 20, 10, 5
REQUEST_PAUSE = 0.2
FLAT_WITHIN = 5.0      # % of the plateau
MEDIA_SUFFIXES = (".mkv", ".mp4")


class Traffic(threading.Thread):
    """A client reading the API, the pages and /healthz in turn until stopped."""

    def __init__(self, base: str, headers: dict[str, str], session: requests.Session) -> None:
        super().__init__(daemon=True)
        self.calls = [("api", lambda: requests.get(f"{base}/api/watchlist", headers=headers,
                                                   timeout=30)),
                      ("api", lambda: requests.get(f"{base}/api/downloads", headers=headers,
                                                   timeout=30)),
                      ("page", lambda: session.get(f"{base}/", timeout=30)),
                      ("page", lambda: session.get(f"{base}/downloads", timeout=30)),
                      ("healthz", lambda: requests.get(f"{base}/healthz", timeout=30))]
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        turn = 0
        while not self.stopping.is_set():
            kind, call = self.calls[turn % len(self.calls)]
            turn += 1
            started = time.perf_counter()
            try:
                resp = call()
                if resp.status_code != 200 or resp.url.endswith("/login"):
                    self.errors.append(f"{kind} {resp.url}: {resp.status_code}")
            except requests.RequestException as exc:
                self.errors.append(f"{kind}: {exc}")
            self.times[kind].append((time.perf_counter() - started) * 1000)
            self.stopping.wait(REQUEST_PAUSE)

    @property
    def count(self) -> int:
        return sum(len(t) for t in self.times.values())


def seed(app: Any, base: str, site: Any) -> dict[str, Any]:
    """The users, their items (through the API) and the shows the soak publishes to."""
    from tests.check_helpers import new_show
    from tests.e2e.http import login_session, user_with_token

    def add(headers: dict[str, str], name: str, episodes: int, auto: bool) -> str:
        resp = requests.post(f"{base}/api/watchlist", headers=headers, timeout=30, json={
            "anime_title": name.title(), "anime_url": new_show(site, name, episodes=episodes),
            "provider_id": "directory", "auto_download": auto})
        resp.raise_for_status()
        return resp.json()["id"]

    watched = []
    for u in range(USERS):
        headers = user_with_token(app, f"watcher{u}")
        watched += [add(headers, f"soak-{u}-{i}", 2, False) for i in range(ITEMS_PER_USER)]
    fetcher = user_with_token(app, "fetcher")
    requests.put(f"{base}/api/watchlist/settings", headers=fetcher, timeout=30,
                 json={"max_concurrent_auto_downloads": 3}).raise_for_status()
    fetched = {f"/dir/nginx/fetch-{i}/": add(fetcher, f"fetch-{i}", 1, True)
               for i in range(FETCHED_SHOWS)}
    return {"watched": watched, "fetched": fetched, "headers": fetcher,
            "session": login_session(base, "watcher0")}


def make_due(app: Any, item_ids: list[str]) -> None:
    from sqlalchemy import update

    from webapp.clock import utcnow
    from webapp.extensions import db
    from webapp.models import WatchlistItem

    with app.app_context():
        db.session.execute(update(WatchlistItem).where(WatchlistItem.id.in_(item_ids))
                           .values(next_check_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()


def completed_downloads(app: Any) -> int:
    from sqlalchemy import func, select

    from webapp.extensions import db
    from webapp.models import Download

    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Download)
                                  .where(Download.status == "completed"))
        db.session.remove()
        return int(count or 0)


def open_files(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            total += len(os.listdir(f"/proc/{pid}/fd"))
        except (FileNotFoundError, PermissionError):
            continue
    return total


def sample(sid: int, conn: redis.Redis, library: Path, site: Any, app: Any,
           traffic: Traffic) -> dict[str, Any]:
    """The figures of one moment."""
    snap = snapshot(sid)
    role_of = roles(list(snap), conn)
    by_role: dict[str, float] = defaultdict(float)
    for pid, kb in snap.items():
        by_role[role_of.get(pid, "other")] += kb / 1024
    return {"pss": sum(snap.values()) / 1024, "roles": dict(by_role),
            "keys": conn.dbsize(), "fds": open_files(list(snap)),
            "files": sum(1 for p in library.rglob("*") if p.suffix in MEDIA_SUFFIXES
                         and ".partial" not in p.parts) if library.exists() else 0,
            "checks": sum(n for path, n in site.counts.items()
                          if path.startswith("/dir/") and path.endswith("/")),
            "downloads": completed_downloads(app), "requests": traffic.count,
            "errors": len(traffic.errors)}


def line(label: str, fig: dict[str, Any]) -> str:
    return (f"{label:>7}  PSS {fig['pss']:6.1f} MB  redis keys {fig['keys']:5d}  "
            f"open files {fig['fds']:4d}  episode files {fig['files']:3d}  "
            f"checks {fig['checks']:5d}  downloads {fig['downloads']:3d}  "
            f"requests {fig['requests']:5d} (errors {fig['errors']})")


def soak(tmp: Path, env: BenchEnv) -> None:
    from tests.e2e.processes import site_env
    from tests.fixture_site.server import FixtureSite

    site = FixtureSite().start()
    site.media_size = MEDIA_SIZE
    os.environ.update(site_env(site.url, env.database_url, env.redis_url, tmp,
                               CRON_TICK_SECONDS=TICK))
    conn = redis.Redis.from_url(env.redis_url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    stack = start_stack(env, tmp, port)
    sid = os.getsid(stack.pid)
    try:
        wait_up(port, conn)
        app = env.app()
        seeded = seed(app, base, site)
        traffic = Traffic(base, seeded["headers"], seeded["session"])
        traffic.start()
        library = tmp / "library"
        samples = [sample(sid, conn, library, site, app, traffic)]
        print(line("start", samples[0]), flush=True)
        started = time.monotonic()
        next_due = next_publish = next_minute = started
        next_minute += 60
        turn = 0
        keys = list(seeded["fetched"])
        while (now := time.monotonic()) - started < MINUTES * 60:
            if now >= next_due:
                batch = seeded["watched"][(turn * DUE_BATCH) % len(seeded["watched"]):][
                    :DUE_BATCH]
                make_due(app, batch)
                turn += 1
                next_due += DUE_EVERY
            if now >= next_publish:
                key = keys[int((now - started) // PUBLISH_EVERY) % len(keys)]
                site.publish_episode(key)
                make_due(app, [seeded["fetched"][key]])
                next_publish += PUBLISH_EVERY
            if now >= next_minute:
                samples.append(sample(sid, conn, library, site, app, traffic))
                print(line(f"min {len(samples) - 1}", samples[-1]), flush=True)
                next_minute += 60
            time.sleep(0.2)
        samples.append(sample(sid, conn, library, site, app, traffic))
        print(line("end", samples[-1]), flush=True)
        traffic.stopping.set()
        traffic.join(timeout=60)
        report(samples, traffic)
        idle_cpu(sid, conn, library, site, app, traffic)
    finally:
        site.stop()
        stop_group(stack)


def report(samples: list[dict[str, Any]], traffic: Traffic) -> None:
    first, last = samples[0], samples[-1]
    plateau = statistics.median(s["pss"] for s in samples[1:4]) if len(samples) > 2 \
        else first["pss"]
    growth = (last["pss"] - plateau) / plateau * 100
    verdict = "flat" if abs(growth) <= FLAT_WITHIN else "NOT FLAT"
    print(f"memory: start {first['pss']:.1f} MB, plateau (minutes 1-3, median) "
          f"{plateau:.1f} MB, end {last['pss']:.1f} MB: {growth:+.1f} % -> {verdict} "
          f"(within {FLAT_WITHIN:.0f} %)")
    print(f"{'role':<36} {'start MB':>9} {'end MB':>9}")
    for role in sorted(set(first["roles"]) | set(last["roles"])):
        cells = [f"{s['roles'][role]:9.1f}" if role in s["roles"] else f"{'-':>9}"
                 for s in (first, last)]
        print(f"{role[:36]:<36} {' '.join(cells)}")
    print(f"redis keys {first['keys']} -> {last['keys']}, open files {first['fds']} -> "
          f"{last['fds']}, episode files {first['files']} -> {last['files']}")
    print(f"work: {last['checks'] - first['checks']} checks (site listing requests), "
          f"{last['downloads'] - first['downloads']} downloads of "
          f"{MEDIA_SIZE / 2**20:.0f} MB, {traffic.count} requests")
    for kind, times in sorted(traffic.times.items()):
        p50, p95 = percentiles(times)
        print(f"  {kind:<8} {len(times):5d} requests  p50 {p50:6.1f} ms  p95 {p95:6.1f} ms")
    print(f"request errors: {len(traffic.errors)} (must be 0)"
          + "".join(f"\n  {e}" for e in traffic.errors[:10]))


def idle_cpu(sid: int, conn: redis.Redis, library: Path, site: Any, app: Any,
             traffic: Traffic) -> None:
    """The stack's CPU once the work has stopped (downloads left to finish first)."""
    deadline = time.monotonic() + 120
    queues = ("rq:queue:checks", "rq:queue:downloads")
    while time.monotonic() < deadline and any(conn.llen(q) for q in queues):
        time.sleep(1)
    time.sleep(15)
    pids = session_pids(sid)
    t0, c0 = time.monotonic(), cpu_ticks(pids)
    time.sleep(IDLE_SECONDS)
    c1, elapsed = cpu_ticks(pids), time.monotonic() - t0
    cpu = sum(c1[p] - c0[p] for p in c1 if p in c0) / clock_ticks() / elapsed * 100
    print(line("idle", sample(sid, conn, library, site, app, traffic)))
    kinds: dict[str, int] = defaultdict(int)
    for key in conn.scan_iter(count=1000):
        kinds[":".join(key.decode(errors="replace").split(":")[:2])] += 1
    print("redis keys by kind: " + ", ".join(
        f"{kind} {n}" for kind, n in sorted(kinds.items(), key=lambda kv: -kv[1])[:8]))
    print(f"idle CPU of the stack over {IDLE_SECONDS:.0f} s after the soak: {cpu:.3f} % of a "
          f"core (tick every {TICK} s)")


def main() -> None:
    """Run the soak on SQLite and print its figures."""
    print(f"soak: {MINUTES:g} minutes, tick every {TICK} s", flush=True)
    with tempfile.TemporaryDirectory(prefix="soak-") as tmp:
        with BenchEnv("sqlite", Path(tmp)) as env:
            soak(Path(tmp), env)


if __name__ == "__main__":
    main()
