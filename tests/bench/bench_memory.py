"""Benchmark: the memory (PSS) of every process of the stack as `make run` starts it.

`scripts/run-stack.sh` starts the Procfile (web, worker pool, scheduler) in a session of
its own, against our own redis-server and a fresh SQLite database. Printed: a table of
every process of that session with its role and PSS (summed from
/proc/<pid>/smaps_rollup) idle BENCH_IDLE_SECONDS (30) after the stack answers, at the
peak of 3 concurrent downloads of BENCH_MEMORY_MB (200) MB each from a local server
(paced to ~20 MB/s so "during" lasts a few seconds), and a minute after they end; the
totals, with and without the shell supervisors; and the stack's idle CPU over
BENCH_CPU_SECONDS (120: two minute ticks). Targets (issue 16): ≤ 200 MB idle, ≤ 300 MB
during 3 downloads, idle CPU < 0.1 % of a core; the previous layout measured 529-533 MB idle and
637-641 MB during downloads.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import redis
import requests
from rq import Worker
from rq.cron import CronScheduler

from tests.bench.support import BIN, ROOT, BenchEnv, clock_ticks, free_port, stop_group

IDLE = float(os.environ.get("BENCH_IDLE_SECONDS", "30"))
CPU_SECONDS = float(os.environ.get("BENCH_CPU_SECONDS", "120"))
SIZE_MB = int(os.environ.get("BENCH_MEMORY_MB", "200"))
RATE = 20 * 1024 * 1024
TARGETS = {"idle": 200, "during": 300}


def session_pids(sid: int) -> list[int]:
    """Every live process of session `sid`."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getsid(int(entry.name)) == sid:
                pids.append(int(entry.name))
        except (ProcessLookupError, PermissionError):
            continue
    return sorted(pids)


def pss_kb(pid: int) -> int:
    """The proportional set size of `pid` in kB (0 if it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def cpu_ticks(pids: list[int]) -> dict[int, int]:
    """utime + stime of each of `pids`, in clock ticks."""
    ticks = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks[pid] = int(fields[11]) + int(fields[12])
        except (FileNotFoundError, ProcessLookupError):
            continue
    return ticks


def _proc(pid: int) -> tuple[str, int]:
    """The command line and parent pid of `pid`."""
    argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    ppid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    return " ".join(a.decode(errors="replace") for a in argv if a), ppid


def roles(pids: list[int], conn: redis.Redis) -> dict[int, str]:
    """A readable role per pid, from the process tree and RQ's worker registry."""
    rq_roles = {w.pid: "+".join(w.queue_names()) for w in Worker.all(connection=conn)}
    info = {}
    for pid in pids:
        try:
            info[pid] = _proc(pid)
        except (FileNotFoundError, ProcessLookupError):
            continue
    pool = {pid for pid, (cmd, ppid) in info.items()
            if "workers.pool" in cmd and "workers.pool" not in info.get(ppid, ("", 0))[0]}
    found = {}
    for pid, (cmd, ppid) in info.items():
        if pid in pool:
            found[pid] = "pool parent + scheduler"
        elif pid in rq_roles:
            found[pid] = f"{rq_roles[pid]} worker"
        elif ppid in pool and any(parent == pid for _, parent in info.values()):
            found[pid] = "web: gunicorn arbiter"
        elif ppid in pool:
            found[pid] = "worker (registering)"
        elif info.get(ppid, ("", 0))[1] in pool:
            found[pid] = "web: gunicorn worker (threads)"
        else:
            found[pid] = f"supervisor ({cmd.split()[0].rsplit('/', 1)[-1]})"
    return found


def snapshot(sid: int) -> dict[int, int]:
    """PSS in kB of every process of the session."""
    return {pid: pss_kb(pid) for pid in session_pids(sid)}


def total_mb(snap: dict[int, int], role_of: dict[int, str], python_only: bool) -> float:
    return sum(kb for pid, kb in snap.items()
               if not python_only or not role_of.get(pid, "").startswith("supervisor")) / 1024


def start_stack(env: BenchEnv, tmp: Path, port: int) -> subprocess.Popen:
    environ = {**os.environ, "DATABASE_URL": env.database_url, "REDIS_URL": env.redis_url,
               "DOWNLOAD_DIR": str(tmp / "library"), "SECRET_KEY": "bench",
               "INSTANCE_PATH": str(tmp / "instance"), "ALLOW_PRIVATE_HOSTS": "127.0.0.0/8",
               "MAX_PARALLEL_DOWNLOADS": "3", "HOST": "127.0.0.1", "PORT": str(port),
               "PATH": f"{BIN}:{os.environ['PATH']}", "PYTHONPATH": str(ROOT),
               "DOWNLOAD_HEARTBEAT_SECONDS": "5"}
    log = open(tmp / "stack.log", "wb")  # noqa: SIM115 - closed when the bench ends
    return subprocess.Popen([str(ROOT / "scripts" / "run-stack.sh")], cwd=ROOT, env=environ,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def wait_up(port: int, conn: redis.Redis) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
            if len(Worker.all(connection=conn)) >= 5 and CronScheduler.all(conn):
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise SystemExit("the stack did not come up within 60 s")


def seed_downloads(app: Any, base: str) -> list[int]:
    """Three pending downloads of the same user, each a file of SIZE_MB on the server."""
    from tests.download_helpers import add_download, file_player, seed_item
    from webapp.auth.users import create_user
    from webapp.downloading.dispatch import dispatch_pending

    with app.app_context():
        user = create_user("bench", "bench-password-1", is_admin=False)
        _, item = seed_item(user.id, {n: [file_player(f"{base}/ep{n}.mp4")] for n in (1, 2, 3)})
        ids = [add_download(user.id, item, n) for n in (1, 2, 3)]
        from tests.download_helpers import set_user_limit

        set_user_limit(user.id, 3)
        dispatch_pending()
        return ids


def statuses(app: Any, ids: list[int]) -> list[str]:
    from tests.download_helpers import row

    with app.app_context():
        return [row(i).status for i in ids]


def bench(tmp: Path, env: BenchEnv) -> dict[str, Any]:
    from tests.download_helpers import MediaServer, media_bytes
    from webapp import create_app

    conn = redis.Redis.from_url(env.redis_url)
    port = free_port()
    stack = start_stack(env, tmp, port)
    media = MediaServer(rate=RATE).start()
    try:
        wait_up(port, conn)
        time.sleep(IDLE)
        sid = os.getsid(stack.pid)
        idle = snapshot(sid)
        role_of = roles(list(idle), conn)
        pids = session_pids(sid)
        t0, c0 = time.monotonic(), cpu_ticks(pids)
        time.sleep(CPU_SECONDS)
        c1, elapsed = cpu_ticks(pids), time.monotonic() - t0
        cpu = {pid: (c1[pid] - c0[pid]) / clock_ticks() / elapsed * 100
               for pid in c1 if pid in c0}

        data = media_bytes(SIZE_MB * 1024 * 1024)
        for n in (1, 2, 3):
            media.add(f"/ep{n}.mp4", data)
        app = create_app({"DATABASE_URL": env.database_url, "REDIS_URL": env.redis_url,
                          "SECRET_KEY": "bench", "DOWNLOAD_DIR": str(tmp / "library"),
                          "MAX_PARALLEL_DOWNLOADS": 3})
        ids = seed_downloads(app, media.url(""))
        during: dict[int, int] = {}
        started = time.monotonic()
        while time.monotonic() - started < 600:
            snap = snapshot(sid)
            if sum(snap.values()) > sum(during.values()):
                during = snap
            state = statuses(app, ids)
            if all(s in ("completed", "failed") for s in state):
                break
            time.sleep(0.5)
        took = time.monotonic() - started
        role_of.update(roles(list(during), conn))
        time.sleep(60)
        after = snapshot(sid)
        role_of.update({pid: role for pid, role in roles(list(after), conn).items()
                        if pid not in role_of})
        return {"idle": idle, "during": during, "after": after, "roles": role_of,
                "cpu": cpu, "statuses": state, "took": took}
    finally:
        media.stop()
        stop_group(stack)


def report(fig: dict[str, Any]) -> None:
    role_of = fig["roles"]
    pids = sorted(set(fig["idle"]) | set(fig["during"]) | set(fig["after"]),
                  key=lambda p: (role_of.get(p, "?"), p))
    print(f"{'pid':>8}  {'role':<40} {'idle MB':>8} {'during':>8} {'after':>8} "
          f"{'idle CPU %':>10}")
    for pid in pids:
        cells = [f"{fig[k][pid] / 1024:8.1f}" if pid in fig[k] else f"{'-':>8}"
                 for k in ("idle", "during", "after")]
        cpu = f"{fig['cpu'][pid]:10.3f}" if pid in fig["cpu"] else f"{'-':>10}"
        print(f"{pid:>8}  {role_of.get(pid, 'job / other')[:40]:<40} {' '.join(cells)} {cpu}")
    for python_only, label in ((True, "total, Python processes"),
                               (False, "total, with the shell supervisors")):
        cells = [f"{total_mb(fig[k], role_of, python_only):8.1f}"
                 for k in ("idle", "during", "after")]
        print(f"{'':>8}  {label:<40} {' '.join(cells)}")
    print(f"targets: idle ≤ {TARGETS['idle']} MB, during 3 downloads ≤ {TARGETS['during']} MB "
          "(before this layout: 529-533 MB idle, 637-641 MB during)")
    print(f"3 downloads of {SIZE_MB} MB at ~{RATE // 2**20} MB/s each: {fig['statuses']} "
          f"in {fig['took']:.1f} s")
    print(f"idle CPU of the whole stack over {CPU_SECONDS:.0f} s: "
          f"{sum(fig['cpu'].values()):.3f} % of a core "
          "(target < 0.1 %; before: 0.25 %)")


def main() -> None:
    """Run the memory benchmark on SQLite and print the table."""
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        with BenchEnv("sqlite", Path(tmp)) as env:
            report(bench(Path(tmp), env))


if __name__ == "__main__":
    main()
