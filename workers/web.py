"""The pool's web child: gunicorn serving the app the pool parent already loaded.

gunicorn's arbiter looks at its workers every second and each gthread worker wakes every
second when no request comes: on an idle stack those wake-ups were a third of its CPU.
Here the arbiter waits up to IDLE_WAIT seconds for a signal (a worker that exits, a stop
still wakes it at once), and a worker with no open connection waits up to IDLE_WAIT for
one (a new connection wakes it at once). A stop asked of an idle worker may take up to
IDLE_WAIT seconds; worker timeouts (30 s) are far above it.
"""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter
from gunicorn.workers.gthread import ThreadWorker

from workers.context import get_app

IDLE_WAIT = 5.0


class QuietArbiter(Arbiter):
    """gunicorn's arbiter, waking every IDLE_WAIT seconds instead of every second."""

    def wait_for_signals(self, timeout: float = 1.0) -> list[int]:
        """Wait for a signal: IDLE_WAIT seconds where gunicorn waits its one-second beat
        (a shorter wait asked for stays as it is)."""
        return super().wait_for_signals(timeout=IDLE_WAIT if timeout >= 1.0 else timeout)


class QuietThreadWorker(ThreadWorker):
    """gunicorn's gthread worker, waking every IDLE_WAIT seconds while it holds no
    connection (with connections, keep-alive deadlines keep their one-second look)."""

    def wait_for_and_dispatch_events(self, timeout: float) -> None:
        """Wait for events; IDLE_WAIT instead of the one-second beat while no connection
        is open."""
        if self.nr_conns == 0 and timeout >= 1.0:
            timeout = IDLE_WAIT
        super().wait_for_and_dispatch_events(timeout)


def _post_fork(_server: object, _worker: object) -> None:
    """A gunicorn worker drops the database connections of the process it forked from."""
    from webapp.extensions import db

    db.after_fork()


class Web(BaseApplication):
    """gunicorn serving the already loaded app, bound and sized by the app's settings."""

    def __init__(self, app: Any) -> None:
        self.app = app
        super().__init__()

    def load_config(self) -> None:
        """The bind address, processes and threads from the app's settings."""
        config = self.app.config
        for key, value in {
            "bind": config["WEB_BIND"], "workers": config["WEB_WORKERS"],
            "threads": config["WEB_THREADS"],
            "worker_class": f"{__name__}.QuietThreadWorker",
            "preload_app": True, "post_fork": _post_fork,
            "accesslog": None, "proc_name": "watchlist-web",
        }.items():
            self.cfg.set(key, value)

    def load(self) -> object:
        """The app, already built."""
        return self.app

    def run(self) -> None:
        """Run the quiet arbiter (gunicorn's own `run` builds the stock one)."""
        QuietArbiter(self).run()


def run_web() -> None:
    """gunicorn's arbiter over the app this process inherited (no second import)."""
    Web(get_app()).run()
