"""Contract tests of the settings, stats and backup endpoints."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.api_helpers import add_item, assert_error, create_body, fields_of
from webapp.extensions import db
from webapp.models import WatchlistItem

DEFAULTS = {"check_interval_hours": 6, "auto_download_enabled": True,
            "max_concurrent_auto_downloads": 2, "notify_on_new_episodes": False,
            "include_completed_anime": False, "metadata_files": True,
            "fast_detection": True, "complete_after_weeks": 0, "archive_after_weeks": 0,
            "notify_season_complete": True}


def test_new_user_has_the_default_settings(api):
    resp = api.get("/api/watchlist/settings")
    assert resp.status_code == 200 and resp.get_json() == DEFAULTS


def test_partial_update_returns_all_settings(api):
    resp = api.put("/api/watchlist/settings", json={"check_interval_hours": 12,
                                                     "notify_on_new_episodes": True})
    assert resp.status_code == 200
    expected = {**DEFAULTS, "check_interval_hours": 12, "notify_on_new_episodes": True}
    assert resp.get_json() == expected
    assert api.get("/api/watchlist/settings").get_json() == expected


def test_metadata_files_can_be_turned_off(api):
    resp = api.put("/api/watchlist/settings", json={"metadata_files": False})
    assert resp.status_code == 200 and resp.get_json()["metadata_files"] is False
    body = assert_error(api.put("/api/watchlist/settings", json={"metadata_files": "no"}), 422,
                        "validation_error")
    assert fields_of(body) == ["metadata_files"]


@pytest.mark.parametrize("value", [0, 169, -1, "6", None, 6.5, True, 10**30])
def test_out_of_range_or_mistyped_interval_is_422(api, value):
    resp = api.put("/api/watchlist/settings", json={"check_interval_hours": value})
    body = assert_error(resp, 422, "validation_error")
    assert fields_of(body) == ["check_interval_hours"]
    if value in (0, 169, -1):
        assert body["details"][0]["message"] == "must be between 1 and 168"
    assert api.get("/api/watchlist/settings").get_json() == DEFAULTS


def test_every_bad_setting_gets_its_own_detail(api):
    resp = api.put("/api/watchlist/settings", json={
        "max_concurrent_auto_downloads": 11, "auto_download_enabled": 1,
        "include_completed_anime": "true", "colour": "blue"})
    body = assert_error(resp, 422, "validation_error")
    assert dict((d["field"], d["message"]) for d in body["details"]) == {
        "max_concurrent_auto_downloads": "must be between 1 and 10",
        "auto_download_enabled": "must be true or false",
        "include_completed_anime": "must be true or false",
        "colour": "is not a known field",
    }


def test_changing_the_interval_reschedules_checkable_items(api, app):
    now = datetime.now(UTC).replace(microsecond=0)
    recent, old, never, paused = (add_item(api, n) for n in range(4))
    api.post(f"/api/watchlist/{paused['id']}/pause")
    with app.app_context():
        for item_id, checked in ((recent["id"], now - timedelta(hours=2)),
                                 (old["id"], now - timedelta(hours=30)),
                                 (paused["id"], now - timedelta(hours=2))):
            row = db.session.get(WatchlistItem, item_id)
            row.last_checked_at = checked
            row.next_check_at = checked + timedelta(hours=6)
        db.session.commit()
    api.put("/api/watchlist/settings", json={"check_interval_hours": 24})
    with app.app_context():
        def due(item: dict) -> datetime:
            return db.session.get(WatchlistItem, item["id"]).next_check_at

        assert due(recent) == now - timedelta(hours=2) + timedelta(hours=24)
        assert now <= due(old) <= datetime.now(UTC) + timedelta(seconds=1)  # passed: now
        assert due(paused) == now - timedelta(hours=2) + timedelta(hours=6)  # untouched
        assert due(never) <= datetime.now(UTC)  # never checked: still due at once


def test_export_then_import_elsewhere_is_idempotent(api, make_api):
    add_item(api, 1, genres=["Action"], last_episode_downloaded=3)
    paused = add_item(api, 2)
    add_item(api, lang="vf", quality_preference="720p")
    api.post(f"/api/watchlist/{paused['id']}/pause")
    api.put("/api/watchlist/settings", json={"check_interval_hours": 3})
    resp = api.get("/api/watchlist/export")
    assert resp.status_code == 200
    doc = resp.get_json()
    assert doc["version"] == 1 and doc["exported_at"].endswith("Z")
    assert doc["settings"]["check_interval_hours"] == 3
    assert len(doc["items"]) == 3 and doc["items"][1]["status"] == "paused"
    assert doc["items"][0]["last_episode_downloaded"] == 3

    bob = make_api("bob")
    resp = bob.post("/api/watchlist/import", json=doc)
    assert resp.status_code == 200 and resp.get_json() == {"created": 3, "skipped": 0}
    assert bob.post("/api/watchlist/import", json=doc).get_json() == {"created": 0,
                                                                      "skipped": 3}
    fields = [k for k in doc["items"][0] if k != "sources"]  # sources: their own endpoint
    mine = [{k: i[k] for k in fields} for i in api.get("/api/watchlist").get_json()]
    theirs = [{k: i[k] for k in fields} for i in bob.get("/api/watchlist").get_json()]
    assert theirs == mine  # same items, same order (newest first)
    assert bob.get("/api/watchlist/settings").get_json()["check_interval_hours"] == 3
    # Importing into the original account adds nothing either.
    assert api.post("/api/watchlist/import", json=doc).get_json() == {"created": 0,
                                                                      "skipped": 3}


def test_import_with_a_bad_item_imports_nothing(api):
    doc = {"version": 1, "items": [create_body(1), create_body(2, provider_id="nope"),
                                   create_body(3, anime_title="")]}
    body = assert_error(api.post("/api/watchlist/import", json=doc), 422, "validation_error")
    assert fields_of(body) == ["items.2.anime_title"]
    doc["items"].pop()
    body = assert_error(api.post("/api/watchlist/import", json=doc), 422, "validation_error")
    assert fields_of(body) == ["items.1.provider_id"]
    assert api.get("/api/watchlist").get_json() == []
    assert_error(api.post("/api/watchlist/import", json={"version": 2, "items": []}), 422,
                 "validation_error")


def test_import_counts_duplicates_inside_one_document_as_skipped(api):
    doc = {"version": 1, "items": [create_body(1), create_body(1, anime_title="Again")]}
    assert api.post("/api/watchlist/import", json=doc).get_json() == {"created": 1,
                                                                      "skipped": 1}


def test_import_accepts_bodies_over_one_mebibyte(api):
    items = [create_body(n, synopsis="x" * 4000) for n in range(400)]
    payload = json.dumps({"version": 1, "items": items})
    assert 1024 * 1024 < len(payload) < 32 * 1024 * 1024
    resp = api.post("/api/watchlist/import", data=payload, content_type="application/json")
    assert resp.status_code == 200 and resp.get_json() == {"created": 400, "skipped": 0}
    assert api.get("/api/watchlist/stats").get_json()["total"] == 400


def test_import_over_32_mebibytes_is_413(api):
    payload = b'{"version": 1, "items": [], "pad": "' + b"x" * (32 * 1024 * 1024) + b'"}'
    assert_error(api.post("/api/watchlist/import", data=payload,
                          content_type="application/json"), 413, "payload_too_large")
