"""`python -m workers.pool`: the whole app of one machine as one tree of processes.

The parent builds the app and imports every job module once, freezes the garbage
collector's view of those objects (`gc.freeze()`, so the children do not dirty the shared
pages by collecting them) and forks, each role sized by a setting:

- `web`: gunicorn (WEB_WORKERS worker processes of WEB_THREADS threads, on HOST:PORT;
  0: no web here), serving the app the parent loaded;
- CHECK_CONCURRENCY check workers (queues `checks`, `default`);
- DOWNLOAD_CONCURRENCY download workers (queue `downloads`; default MAX_PARALLEL_DOWNLOADS).

Checks and downloads keep separate capacity: a long download never holds a check worker,
and a check stuck on a slow host holds one check worker of several. Every worker runs
its jobs in its own process (`CheckWorker`, `DownloadWorker`: no work-horse fork per
job), rides out Redis outages (`workers.resilience.keep_working`) and is replaced by the
parent, with backoff, if it exits anyway; it leaves after RECYCLE_AFTER jobs and a fresh
fork takes its place, so memory a job left behind is returned. The parent itself runs the
scheduler (`workers.clock`: the cron tick and RQ's delayed jobs; RUN_SCHEDULER=0 on other
machines). SIGTERM / SIGINT stop the children (RQ's warm shutdown) and then the parent.
"""

from __future__ import annotations

import ctypes
import gc
import importlib
import logging
import os
import select
import signal
import sys
import time
from dataclasses import dataclass

import redis

from workers.clock import Clock
from workers.context import CheckWorker, DownloadWorker, get_app, preload_job_modules
from workers.resilience import backoff, keep_working, wait_for_redis

log = logging.getLogger("workers.pool")

# A download worker leaves after each download (~25 MB of buffers and caches go with it;
# a fork of the preloaded parent takes its place in milliseconds); a check worker stays
# warm for many short checks.
RECYCLE_AFTER = {"checks": 500, "downloads": 1}
# Imported lazily by the jobs; imported here once, before the forks, to be shared.
WORKER_MODULES = ("webapp.downloading.engines.transfer",)
LONGEST_NAP = 30.0    # the loop looks at its children at least this often
PR_SET_PDEATHSIG = 1  # prctl(2)
QUEUES = {"checks": ("checks", "default"), "downloads": ("downloads",)}
WORKER_CLASSES = {"checks": CheckWorker, "downloads": DownloadWorker}
STABLE_AFTER = 30.0   # a child that lived this long is restarted at once if it exits


class Waker:
    """Wakes the pool's loop at once when a signal comes (a child exits: SIGCHLD; a stop),
    so between two clock steps the parent sleeps instead of polling every second.

    Signals write a byte into a pipe (`signal.set_wakeup_fd`); the loop sleeps in
    `select` on it. A signal that comes before the loop sleeps leaves its byte waiting,
    so no wake-up is lost. A forked child must call `forget` (it is not the pool).
    """

    def __init__(self) -> None:
        self.read_fd, self.write_fd = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        signal.signal(signal.SIGCHLD, _no_op)   # SIGCHLD is ignored unless it has a handler
        signal.set_wakeup_fd(self.write_fd, warn_on_full_buffer=False)

    def nap(self, seconds: float) -> None:
        """Sleep up to `seconds`, less if a signal comes."""
        ready, _, _ = select.select([self.read_fd], [], [], max(0.0, seconds))
        if ready:
            try:
                while os.read(self.read_fd, 512):
                    pass
            except BlockingIOError:
                pass

    def forget(self) -> None:
        """In a forked child: signals go back to their default path."""
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.close(self.read_fd)
        os.close(self.write_fd)


def _no_op(_signum: int, _frame: object) -> None:
    """A handler that only makes the signal wake the loop."""


@dataclass
class Slot:
    """One child of the pool: its kind, its process, when it started and its restart wait."""

    kind: str
    index: int
    pid: int = 0
    started: float = 0.0
    wait: float = 0.0
    respawn_at: float = 0.0


def run_child(kind: str, redis_url: str) -> None:
    """The body of a forked child: serve the queues of `kind` until told to stop."""
    if kind == "web":
        from workers.web import run_web

        run_web()
        return
    get_app()   # after fork: drops the parent's database connections
    conn = redis.Redis.from_url(redis_url)
    what = f"{kind} worker {os.getpid()}"
    wait_for_redis(conn, what)
    keep_working(lambda: WORKER_CLASSES[kind](list(QUEUES[kind]), connection=conn),
                 what, conn, max_jobs=RECYCLE_AFTER[kind], logging_level="INFO")


def die_with_parent(parent: int) -> None:
    """Ask Linux to send this child SIGTERM when the pool parent dies (even by SIGKILL), so
    a restarted pool never finds the old web server on its port or twice the workers."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):   # not Linux: the children outlive a killed parent
        return
    if os.getppid() != parent:          # the parent died before prctl took effect
        os.kill(os.getpid(), signal.SIGTERM)


class Pool:
    """Forks the children, replaces those that exit, stops them all on SIGTERM/SIGINT."""

    def __init__(self, redis_url: str, web: bool, checks: int, downloads: int,
                 clock: Clock | None) -> None:
        self.redis_url = redis_url
        self.slots = ([Slot("web", 0)] if web else []) + \
                     [Slot("checks", i) for i in range(checks)] + \
                     [Slot("downloads", i) for i in range(downloads)]
        self.clock = clock
        self.stopping = False
        self.waker: Waker | None = None

    def spawn(self, slot: Slot) -> None:
        """Fork the child of `slot`."""
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                if self.waker is not None:
                    self.waker.forget()
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                die_with_parent(parent)
                run_child(slot.kind, self.redis_url)
            except SystemExit as exc:   # gunicorn's workers and arbiter leave by sys.exit()
                code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
            except BaseException:  # noqa: BLE001 - a child never returns into the pool loop
                log.exception("%s worker %s stopped on an error", slot.kind, os.getpid())
                code = 1
            finally:
                logging.shutdown()
                os._exit(code)
        slot.pid, slot.started = pid, time.monotonic()
        log.info("started %s worker %d (pid %d)", slot.kind, slot.index, pid)

    def reap(self) -> None:
        """Note the children that exited and when each is to be replaced."""
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            for slot in self.slots:
                if slot.pid == pid:
                    lived = time.monotonic() - slot.started
                    slot.pid = 0
                    code = os.waitstatus_to_exitcode(status)
                    clean = code == 0 or lived > STABLE_AFTER   # 0: recycled after its jobs
                    slot.wait = 0.0 if clean else backoff(slot.wait)
                    slot.respawn_at = time.monotonic() + slot.wait
                    if not self.stopping and code != 0:
                        log.warning("%s worker %d (pid %d) exited with status %d; a new one "
                                    "starts in %.1fs", slot.kind, slot.index, pid, code,
                                    slot.wait)

    def stop(self, signum: int, _frame: object) -> None:
        """Ask every child to stop (a second signal is passed on too: cold shutdown)."""
        self.stopping = True
        for slot in self.slots:
            if slot.pid:
                try:
                    os.kill(slot.pid, signum)
                except ProcessLookupError:
                    pass

    def run(self) -> None:
        """Keep every slot filled (and the clock ticking) until a stop signal, then wait
        for the children."""
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        self.waker = Waker()
        clock_at = 0.0
        while True:
            self.reap()
            now = time.monotonic()
            wake_at = now + LONGEST_NAP
            if self.stopping:
                if not any(slot.pid for slot in self.slots):
                    if self.clock is not None:
                        self.clock.shutdown()
                    log.info("all workers stopped")
                    return
            else:
                for slot in self.slots:
                    if not slot.pid and now >= slot.respawn_at:
                        self.spawn(slot)
                    elif not slot.pid:
                        wake_at = min(wake_at, slot.respawn_at)
                if self.clock is not None:
                    if now >= clock_at:
                        clock_at = time.monotonic() + self.clock.step()
                    wake_at = min(wake_at, clock_at)
            self.waker.nap(wake_at - time.monotonic())


def warm_up_tick() -> None:
    """Run one tick here, before the forks: its statements are compiled once for every
    check worker (a fresh fork's first tick took ~60 ms of CPU compiling them, ~7 ms
    after). It is a real tick, like the one the clock sends at start; with Redis down it
    is skipped (one line), and a failure only costs the warm-up."""
    from webapp.extensions import get_redis
    from workers.tick import run

    with get_app().app_context():
        try:
            get_redis().ping()
        except redis.RedisError as exc:
            log.info("no warm-up tick: Redis does not answer (%s); each worker's first "
                     "tick compiles its queries", exc)
            return
        try:
            run()
        except Exception as exc:  # noqa: BLE001 - the workers will compile the statements
            log.info("no warm-up tick (%s): each worker's first tick compiles its queries",
                     exc)


def main() -> None:
    """Preload the app, then run the pool with the configured roles and concurrency."""
    logging.basicConfig(level=logging.INFO, stream=sys.stdout,
                        format="%(asctime)s %(process)d %(name)s %(levelname)s %(message)s")
    app = get_app()
    config = app.config
    web = int(config["WEB_WORKERS"]) > 0
    checks = int(config["CHECK_CONCURRENCY"])
    downloads = int(config["DOWNLOAD_CONCURRENCY"])
    if checks < 0 or downloads < 0 or int(config["WEB_WORKERS"]) < 0:
        raise SystemExit("configuration error: WEB_WORKERS, CHECK_CONCURRENCY and "
                         "DOWNLOAD_CONCURRENCY must be 0 or more")
    clock = None
    if config["RUN_SCHEDULER"]:
        clock = Clock(redis.Redis.from_url(config["REDIS_URL"], socket_timeout=10,
                                           socket_connect_timeout=3))
    if not (web or checks or downloads or clock):
        raise SystemExit("configuration error: this process has nothing to run "
                         "(WEB_WORKERS, CHECK_CONCURRENCY, DOWNLOAD_CONCURRENCY all 0 "
                         "and RUN_SCHEDULER off)")
    preload_job_modules()
    for module in WORKER_MODULES:
        importlib.import_module(module)
    if checks:
        warm_up_tick()
    from webapp.extensions import db

    db.after_fork()   # no connection of the parent's is inherited
    gc.collect()
    gc.freeze()
    log.info("pool %d: web %s, %d check worker(s), %d download worker(s), scheduler %s",
             os.getpid(), config["WEB_BIND"] if web else "off", checks, downloads,
             "on" if clock else "off")
    Pool(config["REDIS_URL"], web, checks, downloads, clock).run()


if __name__ == "__main__":
    main()
