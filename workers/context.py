"""`app_job`: every job runs in an app context of the one app of its worker process.

The app is created lazily with `create_app()` the first time a job runs in a process
(configuration from the environment, like the web process). `CheckWorker` runs jobs in
its own process (short checks: everything stays warm); RQ's default worker forks a
work-horse per job: when the app was created in the parent (`AppWorker` does that, so
it is built once per worker rather than once per job), the child drops the database
connections it inherited before using any. Under an existing app context (tests running
`SimpleWorker` inside `with app.app_context()`), jobs use that app.
"""

from __future__ import annotations

import functools
import importlib
import logging
import os
import time
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from flask import Flask, current_app, has_app_context
from rq import SimpleWorker, Worker, get_current_job
from rq.timeouts import JobTimeoutException

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

# Imported by the worker before it forks, so a work-horse starts in milliseconds.
PRELOADED_MODULES = ("workers.checks", "workers.downloads", "workers.tick", "workers.notify")
HEARTBEAT_EVERY = 15    # seconds; RQ's worker key lives worker_ttl + 60 = 480 s by default

_app: Flask | None = None
_app_pid: int | None = None


def get_app() -> Flask:
    """The app of this worker process, created on first use; fork-safe."""
    global _app, _app_pid
    if _app is None:
        from webapp import create_app

        _app = create_app()
        _app_pid = os.getpid()
    elif _app_pid != os.getpid():
        from webapp.extensions import db

        db.after_fork()
        _app_pid = os.getpid()
    return _app


def failure_message(exc: BaseException) -> str:
    """The sentence a job's owner reads when the job failed."""
    if isinstance(exc, JobTimeoutException):
        return "The check took too long and was stopped; it will be tried again later."
    from webapp.checking.runs import CheckError

    if isinstance(exc, CheckError):
        return str(exc)
    return f"The check stopped on an internal error ({type(exc).__name__}); " \
           "the details are in the worker log."


def _record_failure(exc: BaseException) -> None:
    job = get_current_job()
    if job is None:
        return
    try:
        job.meta["error"] = failure_message(exc)
        job.save_meta()
    except Exception:  # noqa: BLE001 - the job's own failure is what matters
        log.exception("could not record the failure of job %s", job.id)


def app_job(func: Callable[P, R]) -> Callable[P, R]:
    """Run the job inside an app context; its failure is kept as a sentence in job.meta."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        app = current_app._get_current_object() if has_app_context() else get_app()
        with app.app_context():
            try:
                return func(*args, **kwargs)
            except BaseException as exc:
                _record_failure(exc)
                raise

    return wrapper


def preload_job_modules() -> None:
    """Import every job module (and what it imports) now, before any fork, and configure
    the ORM's mappers (SQLAlchemy does it on a process's first query otherwise: ~27 ms of
    CPU and private memory in every fork)."""
    from sqlalchemy.orm import configure_mappers

    for module in PRELOADED_MODULES:
        importlib.import_module(module)
    configure_mappers()


class _AppFirst:
    """Worker mixin: build the app and import the job modules before the first job."""

    def work(self, *args: Any, **kwargs: Any) -> bool:
        """Create the app and import the job modules once, then work as usual."""
        get_app()
        preload_job_modules()
        return super().work(*args, **kwargs)  # type: ignore[misc]


class AppWorker(_AppFirst, Worker):
    """A forking RQ worker that builds the app before forking, so work-horses inherit it
    (for long jobs that deserve a process each: downloads)."""


class CheckWorker(_AppFirst, SimpleWorker):
    """An RQ worker that runs jobs in its own process, without forking: the app, its
    compiled SQL, provider registry and HTTP connections stay warm from one short job to
    the next. A forked work-horse starts cold and spends ~80 ms per check warming up
    (measured in tests/bench/bench_checks.py); job timeouts still apply (SIGALRM).

    Between two short jobs RQ renews the worker's key three times and writes its "idle"
    state twice, each a round trip to Redis; this worker skips a renewal when one at
    least as long was sent in the last HEARTBEAT_EVERY seconds, and a state it already
    wrote. Renewals inside RQ's pipelines (job start) always go through.
    """

    _beat_at: float | None = None
    _beat_ttl = 0

    def heartbeat(self, timeout: int | None = None, pipeline: Any = None) -> None:
        """Renew the worker's key, unless it was renewed for as long moments ago."""
        ttl = timeout or self.worker_ttl + 60
        fresh = self._beat_at is not None and time.monotonic() - self._beat_at < HEARTBEAT_EVERY
        if pipeline is None and fresh and self._beat_ttl >= ttl:
            return
        super().heartbeat(timeout, pipeline)
        self._beat_at, self._beat_ttl = time.monotonic(), ttl

    def set_state(self, state: str, pipeline: Any = None) -> None:
        """Write the worker's state, unless this worker wrote that same state last."""
        if pipeline is None and state == self.get_state():
            return
        super().set_state(state, pipeline)


class DownloadWorker(CheckWorker):
    """A download worker of the pool (workers/pool.py): it runs each download in its own
    process, which the pool forked from a preloaded parent, instead of forking a
    work-horse per job (~33 MB private each); the pool recycles it after a number of
    jobs. Cancel and the job timeout work as in a work-horse (a flag the job polls,
    SIGALRM)."""
