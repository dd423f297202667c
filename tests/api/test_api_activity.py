"""GET /api/activity (issue 15): every check, download and status change of the user's
items, written by the real pipeline, newest first, paged by `before`, one user's only."""

from __future__ import annotations

from typing import Any

from tests.api_helpers import add_item, assert_error
from tests.check_helpers import configure, new_show
from tests.download_helpers import run_worker
from webapp.extensions import db
from webapp.models import WatchlistItem

EVENT_KEYS = {"id", "kind", "item_id", "anime_title", "episode", "message", "created_at",
              "data"}


def _check(app: Any, item_id: str) -> Any:
    from webapp.checking.checker import EpisodeChecker

    with app.app_context():
        source_id = db.session.get(WatchlistItem, item_id).source_id
        return EpisodeChecker().check_source(source_id)


def _dispatch_and_download(app: Any, redis_conn: Any) -> None:
    from webapp.downloading.dispatch import dispatch_pending

    with app.app_context():
        dispatch_pending()
        run_worker(redis_conn)


def _kinds(api: Any, query: str = "") -> list[str]:
    resp = api.get(f"/api/activity{query}")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return [event["kind"] for event in resp.get_json()]


def test_checks_downloads_and_status_changes_are_told_newest_first(
        api: Any, app: Any, fixture_site: Any, redis_conn: Any, make_api: Any) -> None:
    configure(app)
    # Generous timeouts: this test is about what is recorded, not about slow sites.
    app.config.update(DOWNLOAD_RETRY_INTERVALS=(), HTTP_RETRIES=0, HTTP_TIMEOUT=(5.0, 5.0))
    url = new_show(fixture_site, "chronicle", episodes=1)
    item = add_item(api, anime_url=url, provider_id="directory", anime_title="Chronicle")
    assert api.get("/api/activity").get_json() == []

    assert _check(app, item["id"]).error is None          # found episode 1, queued it
    _dispatch_and_download(app, redis_conn)               # queued, started, completed
    fixture_site.publish_episode("/dir/nginx/chronicle/", 0)
    _check(app, item["id"])                               # nothing new
    fixture_site.fail("/dir/nginx/chronicle/", status=404)
    assert _check(app, item["id"]).error                  # failed, with the reason
    assert api.post(f"/api/watchlist/{item['id']}/pause").status_code == 200
    assert api.post(f"/api/watchlist/{item['id']}/pause").status_code == 200  # no change

    events = api.get("/api/activity").get_json()
    assert [e["kind"] for e in events] == [
        "status_changed", "check_failed", "check_nothing", "download_completed",
        "download_started", "download_queued", "check_found"]
    assert all(set(e) == EVENT_KEYS and e["item_id"] == item["id"] for e in events)
    assert all(e["anime_title"] == "Chronicle" and e["created_at"].endswith("Z")
               for e in events)
    paused, failed, nothing, done, started, queued, found = events
    assert paused["data"] == {"from": "active", "to": "paused"} and "paused" in paused["message"]
    assert "404" in failed["message"] or "not" in failed["message"].lower()
    assert failed["data"]["error"] and failed["message"].startswith("Check failed:")
    assert nothing["message"].startswith("Checked: nothing new")
    assert done["episode"] == 1 and done["data"]["bytes"] == 64 * 1024
    assert isinstance(done["data"]["seconds"], int) and "64.0 KB" in done["message"]
    assert started["episode"] == queued["episode"] == 1
    assert found["data"]["new_episodes"] == [1] and found["data"]["downloads_queued"] == [1]
    assert found["message"] == "Found 1 new episode: 1; 1 queued for download."
    assert [e["id"] for e in events] == sorted((e["id"] for e in events), reverse=True)

    # Filters and paging.
    assert _kinds(api, "?kind=check_failed") == ["check_failed"]
    assert _kinds(api, f"?item_id={item['id']}&limit=2") == ["status_changed", "check_failed"]
    page2 = api.get(f"/api/activity?limit=2&before={failed['id']}").get_json()
    assert [e["kind"] for e in page2] == ["check_nothing", "download_completed"]
    assert _kinds(api, "?before=2000-01-01T00:00:00Z") == []
    assert len(_kinds(api, "?before=2999-01-01T00:00:00Z")) == 7

    # Another user sees none of it, not even by the item's id.
    bob = make_api("bob")
    assert bob.get("/api/activity").get_json() == []
    assert bob.get(f"/api/activity?item_id={item['id']}").get_json() == []


def test_a_deleted_item_keeps_its_history(api: Any, app: Any) -> None:
    item = add_item(api, 1)
    assert api.delete(f"/api/watchlist/{item['id']}").status_code == 204
    events = api.get(f"/api/activity?item_id={item['id']}").get_json()
    assert [(e["kind"], e["data"]) for e in events] == \
        [("status_changed", {"from": "active", "to": "deleted"})]
    assert events[0]["message"] == "Show 1 removed from the watchlist."


def test_bad_parameters_are_clear_errors_and_a_feeds_token_is_refused(
        api: Any, make_api: Any) -> None:
    for query in ("?kind=nope", "?limit=0", "?limit=201", "?before=yesterday",
                  "?before=2026-13-45T00:00:00Z", "?limit=abc"):
        assert_error(api.get(f"/api/activity{query}"), 422, "validation_error")
    assert_error(api.client.get("/api/activity"), 401, "unauthorized")
    feeds_only = make_api("carol", scopes="feeds")
    assert_error(feeds_only.get("/api/activity"), 403, "forbidden")
    read_only = make_api("dave", scopes="read")
    assert read_only.get("/api/activity").status_code == 200


def test_an_event_that_cannot_be_written_never_breaks_the_change(api: Any, app: Any) -> None:
    """The activity table gone (renamed away): the pause still commits, the event is
    dropped, and once the table is back events are written again."""
    from sqlalchemy import text

    item = add_item(api, 2)
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("ALTER TABLE activity RENAME TO activity_away"))
    try:
        resp = api.post(f"/api/watchlist/{item['id']}/pause")
        assert resp.status_code == 200 and resp.get_json()["status"] == "paused"
        resp = api.put(f"/api/watchlist/{item['id']}", json={"status": "completed"})
        assert resp.status_code == 200 and resp.get_json()["status"] == "completed"
        resp = api.put(f"/api/watchlist/{item['id']}", json={"status": "paused"})
        assert resp.status_code == 200
    finally:
        with app.app_context():
            db.session.remove()
            with db.engine.begin() as conn:
                conn.execute(text("ALTER TABLE activity_away RENAME TO activity"))
    assert api.get(f"/api/watchlist/{item['id']}").get_json()["status"] == "paused"
    assert api.get("/api/activity").get_json() == []
    assert api.post(f"/api/watchlist/{item['id']}/resume").status_code == 200
    assert _kinds(api) == ["status_changed"]


def test_the_tick_prunes_events_older_than_90_days(api: Any, app: Any) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    from webapp.clock import utcnow
    from webapp.infra.housekeeping import housekeeping
    from webapp.models import Activity

    item = add_item(api, 3)
    for action in ("pause", "resume", "pause"):
        assert api.post(f"/api/watchlist/{item['id']}/{action}").status_code == 200
    oldest, middle, _newest = (e["id"] for e in reversed(api.get("/api/activity").get_json()))
    with app.app_context():
        now = utcnow()
        db.session.execute(update(Activity).where(Activity.id == oldest)
                           .values(created_at=now - timedelta(days=91)))
        db.session.execute(update(Activity).where(Activity.id == middle)
                           .values(created_at=now - timedelta(days=89)))
        db.session.commit()
        assert housekeeping()["activity_pruned"] == 1
    assert oldest not in [e["id"] for e in api.get("/api/activity").get_json()]
    assert len(api.get("/api/activity").get_json()) == 2
