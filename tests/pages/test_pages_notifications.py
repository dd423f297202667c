"""Notifications: the bell's unread count, the list, marking read, and isolation."""

from __future__ import annotations

import re

from tests.page_helpers import post, quick_user

HX = {"HX-Request": "true"}


def _notify(app, user, count, message="2 new episodes of Frieren: 13, 14"):
    from webapp.extensions import db
    from webapp.notifications.inbox import notify

    with app.app_context():
        ids = [notify(user.id, "new_episodes", message).id for _ in range(count)]
        db.session.commit()
        return ids


def _count(html):
    match = re.search(r'data-count="(\d+)"', html)
    return int(match.group(1)) if match else 0


def test_bell_counts_unread_and_updates(logged, app, alice):
    assert _count(logged.get("/watchlist").get_data(as_text=True)) == 0
    _notify(app, alice, 3)
    bell = logged.get("/notifications/bell", headers=HX)
    assert _count(bell.get_data(as_text=True)) == 3
    assert 'hx-trigger="live-notes from:body"' in bell.get_data(as_text=True)
    assert bell.headers["Cache-Control"] == "no-store"


def test_list_and_mark_read(logged, app, alice):
    first, _second = _notify(app, alice, 2)
    page = logged.get("/notifications").get_data(as_text=True)
    assert page.count("2 new episodes of Frieren") == 2
    html = post(logged, "/notifications/read", {"id": str(first)}, htmx=True).get_data(
        as_text=True)
    assert _count(html) == 1 and 'hx-swap-oob="true"' in html
    assert logged.get("/notifications?unread=1").get_data(as_text=True).count("Frieren") == 1
    post(logged, "/notifications/read", {"all": "1"})
    assert "No notifications unread." in logged.get("/notifications?unread=1").get_data(
        as_text=True)


def test_other_users_notifications_stay_hidden(logged, app):
    bob = quick_user(app, "bob")
    (bobs,) = _notify(app, bob, 1, "bob's private news")
    assert "private" not in logged.get("/notifications").get_data(as_text=True)
    post(logged, "/notifications/read", {"id": str(bobs)})
    from webapp.notifications.inbox import unread_count

    with app.app_context():
        assert unread_count(bob.id) == 1


def test_messages_are_escaped(logged, app, alice):
    _notify(app, alice, 1, '<script>alert(1)</script>')
    html = logged.get("/notifications").get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;" in html
