"""Shared set-up of the benchmarks: our own redis-server, a migrated database, an app, a
gunicorn serving it, and percentiles."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import redis
import requests
from sqlalchemy import create_engine, insert, text

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def clock_ticks() -> int:
    return os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class BenchEnv:
    """A throw-away environment: redis-server on a free port, a fresh database, config."""

    root = ROOT

    def __init__(self, backend: str, tmp: Path) -> None:
        self.backend = backend
        self.tmp = tmp
        self._redis_proc: subprocess.Popen | None = None
        self.redis_url = ""
        self.database_url = ""

    @staticmethod
    def backends() -> list[str]:
        available = ["sqlite"] + (["postgres"] if os.environ.get("TEST_POSTGRES_URL") else [])
        wanted = os.environ.get("BENCH_BACKENDS")  # e.g. "postgres", to tune one backend
        return [b for b in available if not wanted or b in wanted.split(",")]

    def __enter__(self) -> BenchEnv:
        port = free_port()
        self._redis_proc = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(port), "--bind",
             "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(self.tmp)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.redis_url = f"redis://127.0.0.1:{port}/0"
        for _ in range(100):
            try:
                redis.Redis.from_url(self.redis_url).ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        if self.backend == "sqlite":
            self.database_url = f"sqlite:///{self.tmp / 'bench.db'}"
        else:
            self.database_url = os.environ["TEST_POSTGRES_URL"]
            self._reset_postgres()
        from alembic import command

        from webapp.infra.schema_check import alembic_config

        command.upgrade(alembic_config(self.database_url), "head")
        return self

    def _reset_postgres(self) -> None:
        import webapp.models  # noqa: F401
        from webapp.database import Base

        engine = create_engine(self.database_url)
        with engine.begin() as conn:
            Base.metadata.drop_all(conn)
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        engine.dispose()

    def __exit__(self, *_exc: Any) -> None:
        from webapp.extensions import db

        if db.engine is not None:
            db.session.remove()
            db.engine.dispose()
            db.engine = None
        if self.backend == "postgres":
            self._reset_postgres()
        if self._redis_proc is not None:
            self._redis_proc.terminate()
            self._redis_proc.wait(timeout=10)

    def config(self) -> dict[str, Any]:
        return {
            "SECRET_KEY": "bench", "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url, "DOWNLOAD_DIR": str(self.tmp / "library"),
            "ALLOW_PRIVATE_HOSTS": "127.0.0.0/8",
        }

    def process_env(self) -> dict[str, str]:
        """Environment variables giving a subprocess (gunicorn, rq) the same config."""
        return {
            "SECRET_KEY": "bench", "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url, "DOWNLOAD_DIR": str(self.tmp / "library"),
            "ALLOW_PRIVATE_HOSTS": "127.0.0.0/8", "INSTANCE_PATH": str(self.tmp / "instance"),
        }

    def app(self) -> Any:
        from webapp import create_app

        os.environ["INSTANCE_PATH"] = str(self.tmp / "instance")
        return create_app(self.config())

    def redis(self) -> redis.Redis:
        return redis.Redis.from_url(self.redis_url)


def percentiles(times: list[float]) -> tuple[float, float]:
    """(p50, p95) of the times."""
    times = sorted(times)
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]


def start_gunicorn(env: BenchEnv, port: int, logs: Path) -> subprocess.Popen:
    """The web server as the stack runs it (the Procfile's `app`, `workers/pool.py`, with
    only its web role: gunicorn, WEB_WORKERS × WEB_THREADS, default 1 × 8; set them in the
    environment to compare) serving the app with the bench database and Redis, once
    /healthz answers."""
    proc = subprocess.Popen(
        [str(BIN / "python"), "-m", "workers.pool"], cwd=env.root,
        env={**os.environ, **env.process_env(), "PYTHONPATH": str(env.root),
             "HOST": "127.0.0.1", "PORT": str(port), "CHECK_CONCURRENCY": "0",
             "DOWNLOAD_CONCURRENCY": "0", "RUN_SCHEDULER": "0"},
        stdout=(logs / "gunicorn.log").open("ab"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return proc
        except requests.RequestException:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("gunicorn did not start; see " + str(logs / "gunicorn.log"))


@contextmanager
def gunicorn(env: BenchEnv, logs: Path) -> Iterator[str]:
    """The base URL of a gunicorn serving the app on a free port, stopped afterwards."""
    port = free_port()
    proc = start_gunicorn(env, port, logs)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def each_backend() -> Iterator[BenchEnv]:
    """A fresh BenchEnv in a temporary folder per backend (SQLite, and PostgreSQL when
    TEST_POSTGRES_URL is set), torn down before the next."""
    for backend in BenchEnv.backends():
        with tempfile.TemporaryDirectory() as tmp, BenchEnv(backend, Path(tmp)) as env:
            yield env


def insert_users(conn: Any, count: int, now: Any, *, password_hash: str = "x",
                 first_is_admin: bool = False) -> None:
    """Users 1..count (`user<n>`, scheduler on) with default settings, in bulk."""
    from webapp.models import User, UserSettings

    conn.execute(insert(User), [
        {"id": u, "username": f"user{u}", "password_hash": password_hash,
         "is_admin": first_is_admin and u == 1, "disabled": False, "scheduler_enabled": True,
         "created_at": now} for u in range(1, count + 1)])
    conn.execute(insert(UserSettings), [
        {"user_id": u, "notification_urls": []} for u in range(1, count + 1)])


def analyze() -> None:
    """Give the planner the statistics a live database has (autovacuum keeps them); just
    after a bulk load there are none, and PostgreSQL then plans joins over the whole
    items table (the tick's claim: 54 ms instead of 2 per batch of 100 sources)."""
    from sqlalchemy import text

    from webapp.extensions import db

    with db.engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()


def stop_group(proc: subprocess.Popen) -> None:
    """Stop a process started in its own session (SIGTERM, then SIGKILL after 30 s)."""
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
