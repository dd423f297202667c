"""The detail page's sources: listed in order with their last error; add (paste a URL),
move up/down (up to the top makes it the item's own) and remove, as plain forms (303 back
to the page) and with htmx (the section alone, 422 with the reason when refused); another
user's item is not found."""

from __future__ import annotations

import re

from sqlalchemy import select, update

from tests.page_helpers import add_items, post, quick_user, session_login
from webapp.extensions import db
from webapp.models import ItemSource, WatchlistItem

MIRROR = "https://files.example.org/mirror/show/"


def listed(html: str) -> list[str]:
    """The source URLs of the section, in order."""
    section = html.split('id="item-sources"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<span class="note-text"><a href="([^"]+)"', section)


def test_sources_are_added_moved_and_removed_on_the_detail_page(app, logged, alice):
    (item_id,) = add_items(app, alice, 1)
    page = f"/watchlist/{item_id}"
    own = "https://files.example.org/anime/show-0/"
    assert listed(logged.get(page).get_data(as_text=True)) == [own]

    resp = post(logged, f"{page}/sources/add", {"anime_url": MIRROR})  # no site: said why
    assert resp.status_code == 303
    assert "this URL is not on a known site" in logged.get(page).get_data(as_text=True)
    resp = post(logged, f"{page}/sources/add", {"anime_url": MIRROR, "provider_id": "directory"})
    assert resp.status_code == 303 and resp.headers["Location"].endswith("#item-sources")
    assert listed(logged.get(page).get_data(as_text=True)) == [own, MIRROR]

    with app.app_context():
        mirror_id = db.session.scalar(select(ItemSource.source_id))
        db.session.execute(update(ItemSource).values(last_error="Site down (HTTP 503)."))
        db.session.commit()
    html = logged.get(page).get_data(as_text=True)
    assert "Last check failed: Site down (HTTP 503)." in html

    resp = post(logged, f"{page}/sources/{mirror_id}/move", {"direction": "up"}, htmx=True)
    assert resp.status_code == 200 and "<html" not in resp.get_data(as_text=True)
    assert listed(resp.get_data(as_text=True)) == [MIRROR, own]
    with app.app_context():
        assert db.session.get(WatchlistItem, item_id).anime_url == MIRROR

    resp = post(logged, f"{page}/sources/add", {"anime_url": "not a url"}, htmx=True)
    assert resp.status_code == 422 and 'role="alert"' in resp.get_data(as_text=True)
    resp = post(logged, f"{page}/sources/add", {"anime_url": own, "provider_id": "directory"},
                htmx=True)
    assert resp.status_code == 422 and "already" in resp.get_data(as_text=True)

    resp = post(logged, f"{page}/sources/{mirror_id}/remove", htmx=True)
    assert listed(resp.get_data(as_text=True)) == [own]
    assert "Remove" not in resp.get_data(as_text=True).split('id="item-sources"')[1]
    resp = post(logged, f"{page}/sources/{mirror_id}/remove")   # gone: said, not a 500
    assert resp.status_code == 303
    assert "no longer" in logged.get(page).get_data(as_text=True)


def test_another_users_item_sources_are_not_found(app, client, alice):
    (item_id,) = add_items(app, alice, 1)
    bob = quick_user(app, "bob")
    session_login(client, bob)
    assert post(client, f"/watchlist/{item_id}/sources/add", {"anime_url": MIRROR,
                                                          "provider_id": "directory"}
                ).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(ItemSource.id)) is None
