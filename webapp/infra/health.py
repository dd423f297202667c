"""GET /healthz: are the database, Redis, the workers and the cron scheduler alive, and how
much room has the library (`disk`: free bytes of DOWNLOAD_DIR, the library's size)?

No auth and no secrets: only states, counts, latencies and error kinds. 200 when the
database and Redis answer (the web app can serve), else 503; `status` is `ok` only when
every check passes, else `degraded`.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

import redis
from flask import Blueprint, Response, current_app, jsonify
from rq import Worker
from rq.cron import CronScheduler
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from webapp.clock import isoformat, utcnow
from webapp.extensions import db, get_redis
from webapp.infra.disk import disk_report

bp = Blueprint("health", __name__)

CHECK_QUEUES = {"checks", "default"}
DOWNLOAD_QUEUES = {"downloads"}
HEARTBEAT_FRESH = timedelta(minutes=2)


def _timed(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def check_database() -> dict[str, Any]:
    """Run `SELECT 1` on a pooled connection."""
    started = time.perf_counter()
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        return {"ok": False, "error": f"The database does not answer ({type(exc).__name__})."}
    return {"ok": True, "latency_ms": _timed(started)}


def check_redis(conn: redis.Redis) -> dict[str, Any]:
    """PING Redis."""
    started = time.perf_counter()
    try:
        conn.ping()
    except redis.RedisError as exc:
        return {"ok": False, "error": f"Redis does not answer ({type(exc).__name__})."}
    return {"ok": True, "latency_ms": _timed(started)}


def count_workers(conn: redis.Redis) -> tuple[int, int]:
    """Live RQ workers serving checks/default, and those serving downloads."""
    checkers = downloaders = 0
    for worker in Worker.all(connection=conn):
        queues = set(worker.queue_names())
        checkers += bool(queues & CHECK_QUEUES)
        downloaders += bool(queues & DOWNLOAD_QUEUES)
    return checkers, downloaders


def cron_heartbeat(conn: redis.Redis) -> datetime | None:
    """The freshest `rq cron` heartbeat in RQ's own registry, or None."""
    beats = [s.last_heartbeat for s in CronScheduler.all(conn) if s.last_heartbeat]
    return max(beats) if beats else None


def is_fresh(beat: datetime | None, now: datetime | None = None) -> bool:
    """Whether a cron heartbeat is recent enough for the process to count as alive."""
    return beat is not None and (now or utcnow()) - beat < HEARTBEAT_FRESH


def cron_alive(conn: redis.Redis, now: datetime | None = None) -> tuple[bool, datetime | None]:
    """Whether an `rq cron` process beat in the last two minutes, and when it last did."""
    try:
        beat = cron_heartbeat(conn)
    except redis.RedisError:
        return False, None
    return is_fresh(beat, now), beat


def health_report() -> tuple[dict[str, Any], bool]:
    """The health document and whether the web app can serve (database and Redis up)."""
    conn = get_redis()
    checks: dict[str, Any] = {"database": check_database(), "redis": check_redis(conn)}
    checkers = downloaders = 0
    heartbeat = None
    if checks["redis"]["ok"]:
        try:
            checkers, downloaders = count_workers(conn)
            heartbeat = cron_heartbeat(conn)
        except redis.RedisError:
            checks["redis"] = {"ok": False, "error": "Redis stopped answering."}
    alive = is_fresh(heartbeat)
    checks["workers"] = {"count": checkers}
    checks["downloaders"] = {"count": downloaders}
    checks["scheduler"] = {"alive": alive, "last_heartbeat": isoformat(heartbeat)}
    checks["disk"] = disk_report(current_app.config["DOWNLOAD_DIR"])
    serving = checks["database"]["ok"] and checks["redis"]["ok"]
    healthy = serving and checkers > 0 and downloaders > 0 and alive
    # SPEC §4 "adds disk" to the document: at its top, and beside the other checks.
    return {"status": "ok" if healthy else "degraded", "checks": checks,
            "disk": checks["disk"]}, serving


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """Health of the install: 200 when database and Redis answer, else 503."""
    report, serving = health_report()
    response = jsonify(report)
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if serving else 503
