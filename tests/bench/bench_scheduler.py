"""Benchmark: the scheduler tick over 40,000 items, and the idle CPU of the scheduler + workers.

Prints the tick's wall time and SQL statements with none due and with 1,000 due, and the
CPU used by the idle scheduler and the idle check and download workers (the Procfile's `app`
without its web server) over a minute (target: < 1% of a core
together). Run with `make bench` or `python -m tests.bench.bench_scheduler`.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import event, insert, update

from tests.bench.support import BenchEnv, analyze, clock_ticks, each_backend, insert_users
from tests.e2e.processes import procfile_argv

USERS = 1_000
ITEMS_PER_USER = 40
SOURCES = 10_000
DUE = 1_000
IDLE_SECONDS = int(os.environ.get("BENCH_IDLE_SECONDS", "60"))


def seed(now) -> None:  # noqa: ANN001
    """Insert USERS users × ITEMS_PER_USER items over SOURCES sources, none due."""
    from webapp.extensions import db
    from webapp.models import Source, WatchlistItem

    later = now + timedelta(hours=6)
    with db.engine.begin() as conn:
        insert_users(conn, USERS, now)
        conn.execute(insert(Source), [
            {"id": s, "provider_id": "directory", "url": f"http://127.0.0.{2 + s % 100}/s{s}/",
             "lang": "any", "genres": [], "created_at": now}
            for s in range(1, SOURCES + 1)])
        rows = []
        for u in range(1, USERS + 1):
            for k in range(ITEMS_PER_USER):
                n = (u - 1) * ITEMS_PER_USER + k
                rows.append({
                    "id": f"{n:032x}", "user_id": u, "source_id": 1 + n % SOURCES,
                    "anime_title": f"Show {n}", "anime_url": "http://x/", "provider_id":
                    "directory", "lang": "any", "status": "active", "genres": [],
                    "next_check_at": later, "created_at": now, "updated_at": now})
        for i in range(0, len(rows), 5000):
            conn.execute(insert(WatchlistItem), rows[i:i + 5000])
    analyze()


def make_due(now, count: int) -> None:  # noqa: ANN001
    """Make `count` items on distinct sources overdue, their sources unclaimed (as the
    checks of an earlier tick leave them)."""
    from webapp.extensions import db
    from webapp.models import Source, WatchlistItem

    ids = [f"{n:032x}" for n in range(count)]  # items 0..count-1 sit on distinct sources
    with db.engine.begin() as conn:
        conn.execute(update(WatchlistItem).where(WatchlistItem.id.in_(ids))
                     .values(next_check_at=now - timedelta(days=2)))
        conn.execute(update(Source).values(check_claimed_until=None))


def timed_tick(now) -> tuple[float, int, int]:  # noqa: ANN001
    """Run one tick; return (ms, SQL statements, sources enqueued)."""
    from webapp.checking.tick import tick
    from webapp.extensions import db

    count = 0

    def on_execute(*_args) -> None:  # noqa: ANN002
        nonlocal count
        count += 1

    event.listen(db.engine, "before_cursor_execute", on_execute)
    try:
        start = time.perf_counter()
        result = tick(now)
        elapsed = (time.perf_counter() - start) * 1000
    finally:
        event.remove(db.engine, "before_cursor_execute", on_execute)
        db.session.remove()
    return elapsed, count, len(result.sources_enqueued)


def bench_tick(env: BenchEnv) -> None:
    from webapp.clock import utcnow
    from webapp.extensions import db
    from webapp.models import WatchlistItem

    app = env.app()
    with app.app_context():
        now = utcnow()
        seed(now)
        runs = [timed_tick(now) for _ in range(7)]
        times = sorted(r[0] for r in runs[1:])
        print(f"  [{env.backend}] tick, 40,000 items, none due: median "
              f"{statistics.median(times):.1f} ms, max {times[-1]:.1f} ms, "
              f"{runs[-1][1]} SQL statements (target < 100 ms)")
        results = []
        for _ in range(3):
            env.redis().flushdb()
            make_due(now, DUE)
            results.append(timed_tick(now))
        ms = statistics.median(r[0] for r in results)
        print(f"  [{env.backend}] tick, 1,000 due on 1,000 sources: median {ms:.0f} ms, "
              f"{results[-1][1]} SQL statements, {results[-1][2]} checks enqueued")
        # The idle measurement that follows wants an idle system: nothing due, no jobs.
        with db.engine.begin() as conn:
            conn.execute(update(WatchlistItem).values(next_check_at=now + timedelta(hours=6)))
        env.redis().flushdb()


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process, its live descendants and its reaped children, in
    seconds."""
    total = 0
    for one in tree(pid):
        try:
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += sum(int(x) for x in fields[11:15])
    return total / clock_ticks()


def tree(pid: int) -> set[int]:
    """`pid` and its live descendants."""
    found, todo = {pid}, [pid]
    while todo:
        parent = todo.pop()
        try:
            tasks = list(Path(f"/proc/{parent}/task").iterdir())
        except FileNotFoundError:
            continue
        for task in tasks:
            try:
                children = [int(c) for c in (task / "children").read_text().split()]
            except FileNotFoundError:
                continue
            todo.extend(c for c in children if c not in found)
            found.update(children)
    return found


def settle(procs: dict[str, subprocess.Popen], quiet_s: float = 2.0,
           limit_s: float = 60.0) -> None:
    """Wait until the processes have started up: a `quiet_s` stretch in which they use
    under 1 % of a core together (a loaded machine can take more than a few seconds)."""
    deadline = time.monotonic() + limit_s
    time.sleep(quiet_s)
    while time.monotonic() < deadline:
        before = sum(cpu_seconds(p.pid) for p in procs.values())
        time.sleep(quiet_s)
        if sum(cpu_seconds(p.pid) for p in procs.values()) - before < 0.01 * quiet_s:
            return


def bench_idle(env: BenchEnv) -> None:
    proc_env = {**os.environ, **env.process_env(), "PYTHONPATH": str(env.root)}
    roles = {"scheduler": {"WEB_WORKERS": "0", "CHECK_CONCURRENCY": "0",
                           "DOWNLOAD_CONCURRENCY": "0", "RUN_SCHEDULER": "1"},
             "check + download workers": {"WEB_WORKERS": "0", "RUN_SCHEDULER": "0"}}
    procs = {
        name: subprocess.Popen(procfile_argv("app", {**proc_env, **extra}), cwd=env.root,
                               env={**proc_env, **extra}, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        for name, extra in roles.items()
    }
    try:
        settle(procs)  # start-up and the first tick are not idle
        before = {name: cpu_seconds(p.pid) for name, p in procs.items()}
        time.sleep(IDLE_SECONDS)
        after = {name: cpu_seconds(p.pid) for name, p in procs.items()}
    finally:
        for p in procs.values():
            p.terminate()
        for p in procs.values():
            p.wait(timeout=20)
    total = 0.0
    for name in procs:
        pct = 100 * (after[name] - before[name]) / IDLE_SECONDS
        total += pct
        print(f"  idle {name}: {pct:.2f}% of a core over {IDLE_SECONDS} s")
    print(f"  idle scheduler + workers together: {total:.2f}% of a core (target < 1%)")


def main() -> None:
    print("scheduler tick")
    for env in each_backend():
        bench_tick(env)
        if env.backend == "sqlite":
            bench_idle(env)


if __name__ == "__main__":
    main()
