"""Benchmark: a check round over 40,000 items of 2,000 users on 1,000 directory sources.

The sources are spread over 100 loopback addresses (127.0.0.2–127.0.0.101) with the
per-host rate limit at its default (1 request/s). A round is the scheduler's tick
enqueuing every due source, then `checks` workers running them to the end
(BENCH_CHECK_WORKERS processes, default two per core, each a
`workers.context.CheckWorker`; BENCH_WORKER=fork for the forking `AppWorker`). Two per
core keep the cores busy while a check waits on the site, the database or Redis; more
only oversubscribe the CPU (on 2 cores, runs alternated back to back: 8 workers spent
12.5-13.0 ms of CPU per source in the new-episode round where 4 spent 10.1-10.6,
2026-12-03), and the bare loop gets the same concurrency at any count.

Printed per round: HTTP requests the sites received (target: exactly 1,000), wall time,
its ratio to a bare `requests` loop fetching the same pages with the same concurrency
and per-host pacing in the same run (target ≤ 1.5), DB statements per source (check and
dispatch), Redis commands per source, and the check jobs' run times; then the statements
of one check of a source with 4, 40 and 400 items (must not grow). Round 1 has one new
episode on every source (40,000 new pending downloads); round 2 has nothing new
(conditional GETs, 304s).
Run with `make bench` or `python -m tests.bench.bench_checks`.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, insert, text, update

from tests.bench.bench_scheduler import cpu_seconds
from tests.bench.check_sites import bare_loop, listing, serve_listings, source_url
from tests.bench.support import BenchEnv, analyze, free_port

SOURCES = int(os.environ.get("BENCH_CHECK_SOURCES", "1000"))   # a smaller run for tuning
USERS = 2 * SOURCES
ITEMS_PER_USER = 20          # 40,000 items, 40 per source
STORED, LISTED = 5, 6        # episodes the database has, episodes the sites list
WORKERS = int(os.environ.get("BENCH_CHECK_WORKERS") or 2 * (os.cpu_count() or 1))
WORKER_KIND = os.environ.get("BENCH_WORKER", "check")   # check (CheckWorker) | fork
STATEMENTS_KEY = "bench:statements"
SCALING_SOURCE = 5_000       # ids of the extra sources of the statement-scaling check


def stored_episodes(source_id: int, port: int) -> tuple:
    """The first STORED episodes as an earlier check stored them (same players)."""
    from webapp.sites.providers.directory import html_links
    from webapp.sites.providers.generic import episodes_from

    page = listing(source_id, STORED).decode()
    return episodes_from(html_links(page, source_url(source_id, port)))[0]


def seed(port: int, now: Any) -> None:
    """Users, sources with 5 stored episodes, and 40,000 due items that have seen them."""
    from webapp.extensions import db
    from webapp.models import Source, SourceEpisode, User, UserSettings, WatchlistItem

    with db.engine.begin() as conn:
        conn.execute(insert(User), [
            {"id": u, "username": f"user{u}", "password_hash": "x", "is_admin": False,
             "disabled": False, "scheduler_enabled": True, "created_at": now}
            for u in range(1, USERS + 1)])
        conn.execute(insert(UserSettings), [
            {"user_id": u, "notification_urls": []} for u in range(1, USERS + 1)])
        conn.execute(insert(Source), [
            {"id": s, "provider_id": "directory", "url": source_url(s, port), "lang": "any",
             "genres": [], "created_at": now} for s in range(1, SOURCES + 1)])
        conn.execute(insert(SourceEpisode), [
            {"source_id": s, "number": float(e.number), "title": e.title,
             "first_seen_at": now - timedelta(days=1),
             "players": [p.to_dict() for p in e.players]}
            for s in range(1, SOURCES + 1) for e in stored_episodes(s, port)])
        rows = []
        for u in range(1, USERS + 1):
            for k in range(ITEMS_PER_USER):
                s = 1 + ((u - 1) * ITEMS_PER_USER + k) % SOURCES
                rows.append({
                    "id": f"{u:08x}{k:024x}", "user_id": u, "source_id": s,
                    "anime_title": f"Show {s}", "anime_url": source_url(s, port),
                    "provider_id": "directory", "lang": "any", "status": "active",
                    "genres": [], "last_episode_available": float(STORED),
                    "last_episode_downloaded": float(STORED),
                    "last_checked_at": now - timedelta(hours=6),
                    "next_check_at": now - timedelta(minutes=1),
                    "created_at": now, "updated_at": now})
        for i in range(0, len(rows), 5000):
            conn.execute(insert(WatchlistItem), rows[i:i + 5000])
    analyze()


def make_all_due(now: Any) -> None:
    """Every item due again (for the second round)."""
    from webapp.extensions import db
    from webapp.models import WatchlistItem

    with db.engine.begin() as conn:
        conn.execute(update(WatchlistItem).values(next_check_at=now - timedelta(minutes=1)))


# --- workers ------------------------------------------------------------------------------


def worker_main() -> None:
    """A `checks` worker that adds the DB statements of each job to a Redis counter."""
    import redis

    from workers.context import AppWorker, CheckWorker, get_app

    counted = [0]

    def on_execute(*_args: Any) -> None:
        counted[0] += 1

    event.listen(Engine, "before_cursor_execute", on_execute)
    base = AppWorker if WORKER_KIND == "fork" else CheckWorker

    class CountingWorker(base):  # type: ignore[valid-type, misc]
        def perform_job(self, job: Any, queue: Any) -> bool:
            before = counted[0]
            try:
                return super().perform_job(job, queue)
            finally:
                self.connection.incrby(STATEMENTS_KEY, counted[0] - before)

    get_app()
    conn = redis.Redis.from_url(os.environ["REDIS_URL"])
    worker = CountingWorker(["checks"], connection=conn)
    profile_dir = os.environ.get("BENCH_PROFILE_DIR")
    if not profile_dir:
        worker.work(logging_level="WARNING")
        return
    import cProfile

    # CPU time, not wall time: a profile of waits on sockets and locks says nothing.
    profiler = cProfile.Profile(time.process_time)
    try:
        profiler.runcall(worker.work, logging_level="WARNING")
    finally:
        profiler.dump_stats(f"{profile_dir}/worker-{os.getpid()}.prof")


def start_workers(env: BenchEnv) -> list[subprocess.Popen]:
    """Start the worker processes and wait until each is listening."""
    import redis
    from rq import Worker

    proc_env = {**os.environ, **env.process_env(), "PYTHONPATH": str(env.root),
                "BENCH_WORKER": WORKER_KIND}
    procs = [subprocess.Popen([sys.executable, "-m", "tests.bench.bench_checks", "worker"],
                              cwd=env.root, env=proc_env) for _ in range(WORKERS)]
    conn = redis.Redis.from_url(env.redis_url)
    deadline = time.monotonic() + 120
    while Worker.count(connection=conn) < WORKERS and time.monotonic() < deadline:
        time.sleep(0.1)
    return procs


def stop_workers(procs: list[subprocess.Popen]) -> None:
    """Stop the workers this benchmark started."""
    for proc in procs:
        proc.send_signal(signal.SIGTERM)
    for proc in procs:
        proc.wait(timeout=60)


def wait_round(conn: Any, jobs: int) -> None:
    """Wait until `jobs` check jobs have finished or failed."""
    from rq import Queue

    queue = Queue("checks", connection=conn)
    while (queue.finished_job_registry.count + queue.failed_job_registry.count) < jobs:
        time.sleep(0.02)


# --- the round ----------------------------------------------------------------------------


def database_pids() -> dict[str, list[int]]:
    """PostgreSQL's server processes serving the benchmark database (none for SQLite)."""
    from webapp.extensions import db

    if db.engine.dialect.name != "postgresql":
        return {}
    with db.engine.connect() as conn:
        pids = conn.execute(text("SELECT pid FROM pg_stat_activity "
                                 "WHERE datname = current_database()")).scalars().all()
    return {"postgres": list(pids)}


def cpu_of(pids: dict[str, list[int]]) -> dict[str, float]:
    """CPU seconds used so far by each group of processes."""
    def cpu(pid: int) -> float:
        try:
            return cpu_seconds(pid)
        except OSError:  # a database connection closed meanwhile
            return 0.0

    return {name: sum(cpu(pid) for pid in group) for name, group in pids.items()}


def run_round(env: BenchEnv, counter: Any, pids: dict[str, list[int]]
              ) -> tuple[float, int, int, int, float]:
    """One tick + every check; (wall s, requests, jobs, statements, tick s)."""
    from rq import Queue

    from webapp.checking.tick import tick
    from webapp.extensions import db

    conn = env.redis()
    queue = Queue("checks", connection=conn)
    for registry in (queue.finished_job_registry, queue.failed_job_registry):
        for job_id in registry.get_job_ids():
            registry.remove(job_id, delete_job=True)
    conn.delete(STATEMENTS_KEY)
    with counter.get_lock():
        counter.value = 0
    cpu_before = cpu_of(pids)
    commands_before = redis_commands(conn)
    start = time.perf_counter()
    jobs = len(tick().sources_enqueued)
    tick_s = time.perf_counter() - start
    db.session.remove()
    wait_round(conn, jobs)
    wall = time.perf_counter() - start
    failed = queue.failed_job_registry.count
    if failed:
        print(f"    ({failed} check jobs failed)")
    print_job_times(conn)
    print_redis_commands(commands_before, redis_commands(conn), jobs)
    used = {k: (v - cpu_before[k]) * 1000 / max(jobs, 1) for k, v in cpu_of(pids).items()}
    print("    CPU per source: " + ", ".join(f"{k} {v:.1f} ms" for k, v in used.items()))
    return wall, counter.value, jobs, int(conn.get(STATEMENTS_KEY) or 0), tick_s


def redis_commands(conn: Any) -> dict[str, int]:
    """Commands Redis has run so far, by name."""
    return {name.removeprefix("cmdstat_"): stats["calls"]
            for name, stats in conn.info("commandstats").items()}


def print_redis_commands(before: dict[str, int], after: dict[str, int], jobs: int) -> None:
    """Redis commands per source in the round (the bench's own polling included)."""
    used = {name: calls - before.get(name, 0) for name, calls in after.items()}
    top = sorted((calls, name) for name, calls in used.items() if calls)[::-1][:8]
    print(f"    Redis commands per source: {sum(used.values()) / max(jobs, 1):.1f} ("
          + ", ".join(f"{name} {calls / max(jobs, 1):.1f}" for calls, name in top) + ")")


def print_job_times(conn: Any) -> None:
    """Median and 95th percentile of the check jobs' own run time."""
    from rq.job import Job

    ids = [f"check-source-{s}" for s in range(1, SOURCES + 1)]
    times = sorted((job.ended_at - job.started_at).total_seconds() * 1000
                   for job in Job.fetch_many(ids, connection=conn)
                   if job is not None and job.ended_at and job.started_at)
    if times:
        print(f"    check jobs: median {times[len(times) // 2]:.0f} ms, "
              f"p95 {times[int(len(times) * 0.95)]:.0f} ms, max {times[-1]:.0f} ms")


def statements_of_one_check(port: int, items: int, offset: int) -> tuple[int, int]:
    """Statements of the first and of a second (304) check of a source with `items` items."""
    from webapp.checking.checker import EpisodeChecker
    from webapp.extensions import db
    from webapp.infra.site_access import get_registry
    from webapp.models import Source, WatchlistItem

    source_id = SCALING_SOURCE + offset
    db.session.add(Source(id=source_id, provider_id="directory",
                          url=source_url(source_id, port), lang="any"))
    db.session.add_all(WatchlistItem(
        user_id=u, source_id=source_id, anime_title="Scaling", anime_url="http://x/",
        provider_id="directory", lang="any") for u in range(1, items + 1))
    db.session.commit()
    get_registry()  # its admin-mirrors read (once a minute) is not part of a check
    counts = []
    for _ in range(2):
        count = [0]

        def on_execute(*_args: Any, _count: list = count) -> None:
            _count[0] += 1

        event.listen(db.engine, "before_cursor_execute", on_execute)
        try:
            EpisodeChecker().check_source(source_id)
        finally:
            event.remove(db.engine, "before_cursor_execute", on_execute)
        counts.append(count[0])
    return counts[0], counts[1]


def bench(env: BenchEnv) -> None:
    """Both rounds and the baseline on one backend."""
    from webapp.clock import utcnow

    ctx = multiprocessing.get_context("spawn")
    counter, ready, stop = ctx.Value("i", 0), ctx.Event(), ctx.Event()
    port = free_port()
    server = ctx.Process(target=serve_listings, args=(port, LISTED, counter, ready, stop))
    server.start()
    ready.wait(30)
    workers: list[subprocess.Popen] = []
    try:
        app = env.app()
        with app.app_context():
            now = utcnow()
            seed(port, now)
            workers = start_workers(env)
            urls = [source_url(s, port) for s in range(1, SOURCES + 1)]
            rate = float(app.config["HOST_RATE_LIMIT_PER_SECOND"])
            baseline = bare_loop(urls, WORKERS, rate)
            time.sleep(1.1)  # let every host's pacing slot lapse
            label = f"[{env.backend}, {WORKERS} {WORKER_KIND} workers]"
            for name in ("new episode on every source", "nothing new (304)"):
                pids = {"workers": [w.pid for w in workers], "sites": [server.pid],
                        "redis": [env.redis().info("server")["process_id"]],
                        "tick and bench": [os.getpid()], **database_pids()}
                wall, hits, jobs, statements, tick_s = run_round(env, counter, pids)
                print(f"  {label} round, {name}: {hits} HTTP requests for {jobs} sources, "
                      f"wall {wall:.1f} s (tick {tick_s:.1f} s), bare requests loop "
                      f"{baseline:.1f} s, ratio {wall / baseline:.2f} (target ≤ 1.5), "
                      f"{statements / max(jobs, 1):.1f} DB statements per source")
                make_all_due(utcnow())
                time.sleep(1.1)
            stop_workers(workers)
            workers = []
            for offset, items in enumerate((4, 40, 400)):
                first, again = statements_of_one_check(port, items, offset)
                print(f"  {label} one check of a source with {items} items: {first} DB "
                      f"statements (first check), {again} (nothing new)")
    finally:
        if workers:
            stop_workers(workers)
        stop.set()
        server.join(30)


def main() -> None:
    """Run the benchmark on SQLite (and PostgreSQL when TEST_POSTGRES_URL is set)."""
    print("check round: 40,000 items, 2,000 users, 1,000 directory sources on 100 hosts")
    for backend in BenchEnv.backends():
        with tempfile.TemporaryDirectory() as tmp, BenchEnv(backend, Path(tmp)) as env:
            bench(env)


if __name__ == "__main__":
    if sys.argv[1:] == ["worker"]:
        worker_main()
    else:
        main()
