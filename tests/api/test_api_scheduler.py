"""Scheduler endpoints: start/stop act on the requesting user; status tells the truth."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from rq.cron import CronScheduler

from webapp.extensions import db
from webapp.models import WatchlistItem

BODY = {"anime_title": "Frieren",
        "anime_url": "https://anime-sama.si/catalogue/frieren/saison1/vostfr/",
        "provider_id": "animesama", "lang": "vostfr", "auto_download": True}


def test_status_shape_and_start_stop(api, make_api):
    bob = make_api("bob")
    status = api.get("/api/watchlist/scheduler/status").json
    assert set(status) == {"running", "enabled", "scheduler_alive", "next_run", "settings"}
    assert status["enabled"] is True and status["scheduler_alive"] is False
    assert status["running"] is False  # no rq cron heartbeat
    assert status["settings"]["check_interval_hours"] == 6

    stopped = api.post("/api/watchlist/scheduler/stop")
    assert stopped.status_code == 200
    assert stopped.json["enabled"] is False and stopped.json["next_run"] is None
    # Bob's automatic checks are untouched.
    assert bob.get("/api/watchlist/scheduler/status").json["enabled"] is True
    started = api.post("/api/watchlist/scheduler/start")
    assert started.json["enabled"] is True


def test_next_run_follows_items_and_interval(app, api):
    created = api.post("/api/watchlist", json=BODY).json
    status = api.get("/api/watchlist/scheduler/status").json
    assert status["next_run"] == created["next_check_at"]  # a new item is due at once
    with app.app_context():
        item = db.session.get(WatchlistItem, created["id"])
        checked = datetime.now(UTC).replace(microsecond=0)
        item.last_checked_at = checked
        item.next_check_at = checked + timedelta(hours=6)
        db.session.commit()
    assert api.put("/api/watchlist/settings",
                   json={"check_interval_hours": 168}).status_code == 200
    moved = api.get("/api/watchlist/scheduler/status").json["next_run"]
    assert moved == (checked + timedelta(hours=168)).isoformat().replace("+00:00", "Z")
    api.post(f"/api/watchlist/{created['id']}/pause")
    assert api.get("/api/watchlist/scheduler/status").json["next_run"] is None


def test_alive_and_running_with_a_fresh_cron_heartbeat(api, redis_conn):
    cron = CronScheduler(connection=redis_conn)
    cron.register_birth()
    cron.heartbeat()
    status = api.get("/api/watchlist/scheduler/status").json
    assert status["scheduler_alive"] is True and status["running"] is True
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=3)):
        assert api.get("/api/watchlist/scheduler/status").json["scheduler_alive"] is False


def test_read_token_cannot_start_or_stop(make_api):
    reader = make_api("reader", scopes="read")
    assert reader.get("/api/watchlist/scheduler/status").status_code == 200
    resp = reader.post("/api/watchlist/scheduler/stop")
    assert resp.status_code == 403 and resp.json["error"] == "forbidden"
