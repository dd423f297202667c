"""Notifications: the list and mark-read endpoints, and delivery through Apprise."""

from __future__ import annotations

import pytest
from rq import Queue
from werkzeug import Response

from tests.api_helpers import add_item, assert_error
from tests.check_helpers import BurstWorker
from webapp.extensions import db
from webapp.models import Notification
from webapp.notifications import inbox as notifications
from webapp.notifications.inbox import DELIVERY_JOB, DeliveryFailed, deliver, notify

NOTE_KEYS = {"id", "kind", "message", "item_id", "created_at", "read_at"}


def _notify(app, user_id, kind="download_completed", message="Frieren 13 is ready.",
            item_id=None) -> int:
    with app.app_context():
        note = notify(user_id, kind, message, item_id)
        db.session.commit()
        return note.id


def test_list_is_newest_first_and_filters_unread(app, api, make_api):
    item = add_item(api)
    first = _notify(app, api.user.id, "new_episodes", "Frieren: 13, 14", item["id"])
    second = _notify(app, api.user.id)
    bob = make_api("bob")
    _notify(app, bob.user.id)
    resp = api.get("/api/notifications")
    assert resp.status_code == 200
    notes = resp.get_json()
    assert [n["id"] for n in notes] == [second, first]
    assert all(set(n) == NOTE_KEYS for n in notes)
    assert notes[1] == {"id": first, "kind": "new_episodes", "message": "Frieren: 13, 14",
                        "item_id": item["id"], "created_at": notes[1]["created_at"],
                        "read_at": None}
    assert notes[1]["created_at"].endswith("Z")
    api.post("/api/notifications/read", json={"ids": [first]})
    assert [n["id"] for n in api.get("/api/notifications?unread=true").get_json()] == [second]
    read = api.get("/api/notifications").get_json()[1]
    assert read["read_at"].endswith("Z")


def test_mark_read_by_ids_counts_only_the_users_unread_ones(app, api, make_api):
    mine = [_notify(app, api.user.id) for _ in range(3)]
    bob = make_api("bob")
    theirs = _notify(app, bob.user.id)
    resp = api.post("/api/notifications/read", json={"ids": [mine[0], mine[1], theirs]})
    assert resp.status_code == 200 and resp.get_json() == {"updated": 2}
    assert api.post("/api/notifications/read", json={"ids": [mine[0]]}).get_json() == \
        {"updated": 0}
    assert api.post("/api/notifications/read", json={"all": True}).get_json() == {"updated": 1}
    assert api.post("/api/notifications/read", json={"all": False}).get_json() == {"updated": 0}
    assert bob.get("/api/notifications?unread=true").get_json()[0]["id"] == theirs


def test_deleting_the_item_keeps_its_notifications(app, api):
    item = add_item(api)
    _notify(app, api.user.id, item_id=item["id"])
    api.delete(f"/api/watchlist/{item['id']}")
    assert api.get("/api/notifications").get_json()[0]["item_id"] is None


def test_unknown_kind_is_refused(app, api):
    with app.app_context(), pytest.raises(ValueError, match="unknown notification kind"):
        notify(api.user.id, "gossip", "hello")


def test_unread_count(app, api):
    for _ in range(2):
        _notify(app, api.user.id)
    with app.app_context():
        assert notifications.unread_count(api.user.id) == 2
        notifications.mark_read(api.user.id, all=True)
        assert notifications.unread_count(api.user.id) == 0


def test_query_parameters_are_checked(api):
    assert_error(api.get("/api/notifications?unread=maybe"), 422, "validation_error")
    assert_error(api.get("/api/notifications?limit=0"), 422, "validation_error")
    assert api.get("/api/notifications?unread=false&limit=5").status_code == 200


def test_delivery_is_queued_after_commit_and_sent_through_apprise(app, api, redis_conn,
                                                                  httpserver):
    httpserver.expect_request("/hook", method="POST").respond_with_json({})
    with app.app_context():
        notifications.set_targets(api.user.id, [f"json://127.0.0.1:{httpserver.port}/hook"])
        note = notify(api.user.id, "download_failed", "Frieren 13 failed: host gone.")
        queue = Queue("default", connection=redis_conn)
        assert queue.count == 0  # not before the commit
        db.session.commit()
        jobs = queue.get_jobs()
        assert [(j.func_name, j.args) for j in jobs] == [(DELIVERY_JOB, (note.id,))]
        assert jobs[0].retries_left == 3
        BurstWorker([queue], connection=redis_conn).work(burst=True)
        assert jobs[0].get_status() == "finished" and jobs[0].return_value() is True
        db.session.remove()
        assert db.session.get(Notification, note.id).delivered_at is not None
        assert deliver(note.id) is False  # delivered once only
    (request, _response), = httpserver.log
    payload = request.get_json()
    assert payload["title"] == "Download failed"
    assert payload["message"] == "Frieren 13 failed: host gone."


def test_rolled_back_notification_is_never_queued(app, api, redis_conn):
    with app.app_context():
        notifications.set_targets(api.user.id, ["json://127.0.0.1:9/hook"])
        notify(api.user.id, "source_error", "The site is down.")
        db.session.rollback()
        db.session.commit()
    assert Queue("default", connection=redis_conn).count == 0


def test_no_targets_means_nothing_queued(app, api, redis_conn):
    _notify(app, api.user.id)
    assert Queue("default", connection=redis_conn).count == 0


def test_failed_delivery_raises_for_a_retry(app, api, httpserver):
    httpserver.expect_request("/hook").respond_with_response(Response("down", status=500))
    with app.app_context():
        notifications.set_targets(api.user.id, [f"json://127.0.0.1:{httpserver.port}/hook"])
        note = notify(api.user.id, "new_episodes", "Frieren: 13")
        db.session.commit()
        with pytest.raises(DeliveryFailed, match="notification URLs"):
            deliver(note.id)
        assert note.delivered_at is None


def test_targets_are_validated(app, api):
    with app.app_context():
        with pytest.raises(ValueError, match="Apprise"):
            notifications.set_targets(api.user.id, ["nonsense://what"])
        assert notifications.set_targets(api.user.id, [" ntfy://topic ", ""]) == ["ntfy://topic"]


@pytest.mark.parametrize("scheme", ["json", "jsons", "xml", "form", "ntfy", "gotify"])
def test_targets_on_private_addresses_are_refused_at_save_and_delivery(app, api, httpserver,
                                                                       scheme):
    """SSRF: a target on a loopback address outside ALLOW_PRIVATE_HOSTS receives nothing,
    neither when saved nor when it was saved while allowed."""
    httpserver.expect_request("/hook").respond_with_json({})
    url = f"{scheme}://127.0.0.1:{httpserver.port}/hook"
    app.config["ALLOW_PRIVATE_HOSTS"] = ""  # as installed: no private address allowed
    with app.app_context():
        with pytest.raises(ValueError, match="may not send notifications there"):
            notifications.set_targets(api.user.id, [url])
        app.config["ALLOW_PRIVATE_HOSTS"] = "127.0.0.1"
        notifications.set_targets(api.user.id, [url])
        app.config["ALLOW_PRIVATE_HOSTS"] = ""  # the admin takes the permission back
        note = notify(api.user.id, "new_episodes", "Frieren: 14")
        db.session.commit()
        assert deliver(note.id) is False
    assert httpserver.log == []


def test_a_silenced_item_notifies_nothing(app, api):
    quiet = add_item(api)
    api.put(f"/api/watchlist/{quiet['id']}", json={"notify": False})
    with app.app_context():
        assert notify(api.user.id, "download_completed", "Frieren 13 is ready.",
                      quiet["id"]) is None
        db.session.commit()
    _notify(app, api.user.id, message="Not about an item.")
    assert [n["message"] for n in api.get("/api/notifications").get_json()] == \
        ["Not about an item."]
    api.put(f"/api/watchlist/{quiet['id']}", json={"notify": True})
    _notify(app, api.user.id, message="Frieren 14 is ready.", item_id=quiet["id"])
    assert api.get("/api/notifications").get_json()[0]["message"] == "Frieren 14 is ready."
