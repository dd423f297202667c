"""The open page's poll (SPEC §6): 204 while nothing the user sees changed; else the new
poll element and the events naming what changed — items, downloads, notifications —
and never because of another user's changes."""

from __future__ import annotations

import json
from typing import Any

from tests.page_helpers import add_episodes, add_items, quick_user

HX = {"HX-Request": "true"}


def _poll_url(html: str) -> str:
    element = html.split('id="live"')[1].split(">")[0]
    assert 'hx-trigger="every 1s"' in element or 'hx-trigger="every 3s"' in element
    return element.split('hx-get="')[1].split('"')[0].replace("&amp;", "&")


def _events(resp: Any) -> set[str]:
    assert resp.status_code == 200
    return set(json.loads(resp.headers["HX-Trigger"]))


def test_poll_says_nothing_until_something_of_the_users_changes(logged, app, alice):
    from webapp.extensions import db
    from webapp.notifications.inbox import notify
    from webapp.watchlist.manager import WatchlistManager

    [item_id] = add_items(app, alice, 1)
    poll = _poll_url(logged.get("/watchlist").get_data(as_text=True))
    quiet = logged.get(poll, headers=HX)
    assert quiet.status_code == 204 and quiet.data == b""

    bob = quick_user(app, "bob")
    [bobs] = add_items(app, bob, 1, anime_url="https://files.example.org/bob/")
    with app.app_context():
        WatchlistManager(bob.id).pause(bobs)
        notify(bob.id, "download_completed", "Bob's episode is ready.")
        db.session.commit()
    assert logged.get(poll, headers=HX).status_code == 204   # not alice's business

    with app.app_context():
        WatchlistManager(alice.id).pause(item_id)
    changed = logged.get(poll, headers=HX)
    assert _events(changed) == {"live-items"}
    next_poll = _poll_url(changed.get_data(as_text=True))
    assert logged.get(next_poll, headers=HX).status_code == 204

    add_episodes(app, item_id, [1.0], {1.0: {"status": "queued"}})
    assert "live-downloads" in _events(logged.get(next_poll, headers=HX))
    with app.app_context():
        notify(alice.id, "download_failed", "Show 0 episode 1 failed.", item_id)
        db.session.commit()
    page = logged.get("/notifications").get_data(as_text=True)
    poll = _poll_url(page)
    with app.app_context():
        notify(alice.id, "download_completed", "Show 0 episode 1 is ready.", item_id)
        db.session.commit()
    assert _events(logged.get(poll, headers=HX)) == {"live-notes"}


def test_parts_of_pages_listen_to_their_channels(logged, app, alice):
    add_items(app, alice, 1)
    downloads = logged.get("/downloads").get_data(as_text=True)
    assert "live-downloads from:body" in downloads
    assert 'hx-trigger="live-notes from:body"' in downloads   # the bell
    assert logged.get("/live?v=garbage", headers=HX).status_code == 200
