"""GET /healthz: database, Redis, workers, downloaders and the cron scheduler's heartbeat."""

from __future__ import annotations

import time

from rq import Queue, Worker
from rq.cron import CronScheduler

from tests.helpers import app_config, free_port


def _start_worker(redis_conn, *queues: str) -> Worker:
    worker = Worker([Queue(q, connection=redis_conn) for q in queues], connection=redis_conn)
    worker.register_birth()
    return worker


def test_degraded_without_workers_or_scheduler(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["status"] == "degraded"
    checks = body["checks"]
    assert checks["database"]["ok"] is True and checks["redis"]["ok"] is True
    assert checks["workers"] == {"count": 0} and checks["downloaders"] == {"count": 0}
    assert checks["scheduler"] == {"alive": False, "last_heartbeat": None}


def test_ok_when_every_process_is_alive(client, redis_conn):
    workers = [_start_worker(redis_conn, "checks", "default"),
               _start_worker(redis_conn, "downloads"), _start_worker(redis_conn, "downloads")]
    cron = CronScheduler(connection=redis_conn)
    cron.register_birth()
    cron.heartbeat()
    try:
        body = client.get("/healthz").get_json()
    finally:
        for worker in workers:
            worker.register_death()
        cron.register_death()
    checks = body["checks"]
    assert body["status"] == "ok"
    assert checks["workers"]["count"] == 1 and checks["downloaders"]["count"] == 2
    assert checks["scheduler"]["alive"] is True
    assert checks["scheduler"]["last_heartbeat"].endswith("Z")


def test_stale_heartbeat_is_not_alive(client, redis_conn):
    cron = CronScheduler(connection=redis_conn)
    cron.register_birth()
    # The registry keeps the time of the last heartbeat: make it three minutes old.
    redis_conn.zadd("rq:cron_schedulers", {cron.name: time.time() - 180})
    scheduler = client.get("/healthz").get_json()["checks"]["scheduler"]
    assert scheduler == {"alive": False, "last_heartbeat": None}


def test_redis_down_is_503(database_url, redis_url, tmp_path, monkeypatch):
    from webapp import create_app

    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    config = app_config(database_url, redis_url, tmp_path)
    config["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    resp = create_app(config).test_client().get("/healthz")
    assert resp.status_code == 503
    body = resp.get_json()
    assert body["status"] == "degraded" and body["checks"]["redis"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True
    assert "127.0.0.1" not in resp.get_data(as_text=True)  # no addresses or secrets


def test_database_down_is_503(redis_url, tmp_path, monkeypatch):
    from webapp import create_app

    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    config = app_config(f"sqlite:///{tmp_path}/missing/dir/db.sqlite", redis_url, tmp_path)
    config["CHECK_SCHEMA"] = False
    resp = create_app(config).test_client().get("/healthz")
    assert resp.status_code == 503
    checks = resp.get_json()["checks"]
    assert checks["database"]["ok"] is False and checks["redis"]["ok"] is True
