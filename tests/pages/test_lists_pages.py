"""Pages of issue 19: search results added together, the watchlist's bulk bar, the shared
list (public page, import) and the settings' "Share my watchlist" section."""

from __future__ import annotations

import html as htmllib
import json
import re

import pytest
from rq import Queue

from tests.page_helpers import add_items, post, quick_user, session_login
from webapp.watchlist.manager import WatchlistManager

HX = {"HX-Request": "true"}
PICK_RE = re.compile(r'name="pick" form="batch-add" value=\'([^\']+)\'')


def picks_of(html: str) -> dict[str, str]:
    """The batch form's boxes of a search result page: {title: value}."""
    return {json.loads(htmllib.unescape(v))["title"]: htmllib.unescape(v)
            for v in PICK_RE.findall(html)}


def titles(app, user) -> list[str]:
    with app.app_context():
        return sorted(i.anime_title for i in WatchlistManager(user.id).list_items())


@pytest.mark.usefixtures("on_fixture_site")
def test_search_results_are_added_together(logged, app, alice):
    page = logged.get("/add?q=naruto").get_data(as_text=True)
    assert 'id="batch-add"' in page and "Add selected" in page
    picks = picks_of(logged.get("/add?q=slime", headers=HX).get_data(as_text=True))
    picks.update(picks_of(page))
    naruto, slime = picks["Naruto Shippuden"], picks["Tensei Shitara Slime Datta Ken"]
    broken = "{not json"
    resp = post(logged, "/add/batch", {"pick": [naruto, slime, broken],
                                       "quality_preference": "720p", "start": "all"},
                htmx=True)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Added 2 of 3." in html
    assert "Naruto Shippuden (Saison 1 · VOSTFR)</a> added." in html  # its hub's first season
    assert "could not be read; search again" in html and "<html" not in html
    with app.app_context():
        items = {i.anime_title: i for i in WatchlistManager(alice.id).list_items()}
        assert set(items) == {"Naruto Shippuden", "Tensei Shitara Slime Datta Ken"}
        naruto_item = items["Naruto Shippuden"]
        assert naruto_item.anime_url.endswith("/catalogue/naruto-shippuden/saison1/vostfr/")
        assert (naruto_item.quality_preference, naruto_item.auto_download) == ("720p", False)
        assert naruto_item.genres and naruto_item.synopsis
    # Without htmx: a page of its own; the same picks again are "already on your watchlist".
    again = post(logged, "/add/batch", {"pick": [slime], "auto_download": "on"})
    text = again.get_data(as_text=True)
    assert again.status_code == 200 and "<html" in text
    assert "Added 0 of 1." in text and "already on your watchlist" in text
    nothing = post(logged, "/add/batch", {}, htmx=True)
    assert nothing.status_code == 422 and "Tick at least one result" in nothing.get_data(
        as_text=True)


@pytest.mark.usefixtures("on_fixture_site")
def test_an_unreadable_site_is_asked_once_per_batch(logged, app, fixture_site):
    naruto = picks_of(logged.get("/add?q=naruto").get_data(as_text=True))["Naruto Shippuden"]
    odd = json.dumps({**json.loads(naruto), "provider_id": 5, "genres": "x"})
    fixture_site.fail("/catalogue/naruto-shippuden/")
    fixture_site.reset_counts()
    post(logged, "/add/batch", {"pick": [naruto]}, htmx=True)
    once = fixture_site.hits("/catalogue/naruto-shippuden/")
    fixture_site.reset_counts()
    resp = post(logged, "/add/batch", {"pick": [naruto, naruto, odd]}, htmx=True)
    html = resp.get_data(as_text=True)
    assert once >= 1 and fixture_site.hits("/catalogue/naruto-shippuden/") == once
    assert resp.status_code == 200 and "Added 0 of 3." in html
    assert html.count("The seasons of this anime could not be read") == 2
    assert "Unknown provider &#39;5&#39;" in html  # a tampered box: told, never a 500


def test_bulk_bar_sets_status_auto_download_and_quality(logged, app, alice):
    ids = add_items(app, alice, 4)
    bob = quick_user(app, "bob")
    (bobs,) = add_items(app, bob, 1)
    page = logged.get("/watchlist").get_data(as_text=True)
    for needle in ('name="set_status"', 'name="set_auto_download"', 'name="set_quality"',
                   "Apply to selected", "Check selected now", "Delete selected"):
        assert needle in page
    resp = post(logged, "/watchlist/selected",
                {"action": "set", "ids": [*ids[:2], bobs], "set_status": "paused",
                 "set_auto_download": "off", "set_quality": "480p", "status": ""},
                htmx=True)
    html = resp.get_data(as_text=True)
    assert "Changed 2 items. 1 skipped." in html and html.count("badge paused") == 2
    assert 'id="counts"' in html or "hx-swap-oob" in html  # the count cards follow
    with app.app_context():
        mine = {i.id: i for i in WatchlistManager(alice.id).list_items()}
        assert [(mine[i].status, mine[i].auto_download, mine[i].quality_preference)
                for i in ids[:2]] == [("paused", False, "480p")] * 2
        assert mine[ids[2]].status == "active" and mine[ids[2]].auto_download
        bobs_item = WatchlistManager(bob.id).get_item(bobs)
        assert (bobs_item.status, bobs_item.quality_preference) == ("active", "auto")
    nothing = post(logged, "/watchlist/selected", {"action": "set", "ids": ids[:1]},
                   htmx=True)
    assert "Choose a status, auto-download or quality" in nothing.get_data(as_text=True)
    plain = post(logged, "/watchlist/selected", {"action": "set", "ids": ids[:1],
                                                 "set_status": "archived"})
    assert plain.status_code == 303
    assert "Changed 1 item." in logged.get("/watchlist").get_data(as_text=True)


def test_bulk_check_now_queues_one_check_per_selected_item(logged, app, alice, redis_conn):
    ids = add_items(app, alice, 3)
    resp = post(logged, "/watchlist/selected", {"action": "check", "ids": ids[:2]},
                htmx=True)
    assert "Queued a check of 2 items." in resp.get_data(as_text=True)
    jobs = Queue("checks", connection=redis_conn).get_jobs()
    assert sorted(job.meta["item_id"] for job in jobs) == sorted(ids[:2])


def test_bulk_delete_asks_first_without_htmx(logged, app, alice):
    ids = add_items(app, alice, 3)
    bob = quick_user(app, "bob")
    (bobs,) = add_items(app, bob, 1, anime_title="Bob's show")
    ask = post(logged, "/watchlist/selected", {"action": "delete", "ids": [ids[0], bobs]})
    html = ask.get_data(as_text=True)
    assert ask.status_code == 200 and "Remove 1 item?" in html and "Show 2" in html
    assert "Bob" not in html and len(titles(app, alice)) == 3
    done = post(logged, "/watchlist/selected", {"action": "delete", "ids": [ids[0], bobs],
                                                "confirmed": "1"})
    assert done.status_code == 303 and titles(app, alice) == ["Show 0", "Show 1"]
    # htmx asks in the browser (hx-confirm) and deletes at once.
    resp = post(logged, "/watchlist/selected", {"action": "delete", "ids": ids[1:]},
                htmx=True)
    assert "Deleted 2 items." in resp.get_data(as_text=True) and titles(app, alice) == []
    assert titles(app, bob) == ["Bob's show"]


def test_share_section_creates_shows_once_and_revokes(logged, app, alice, client):
    add_items(app, alice, 1, anime_title="Shared show")
    page = logged.get("/settings").get_data(as_text=True)
    assert "Share my watchlist" in page and "Your list is not shared." in page
    resp = post(logged, "/settings/share", htmx=True)
    section = resp.get_data(as_text=True)
    url = re.search(r'value="(http://localhost/shared/[^"]+)"', section).group(1)
    assert section.startswith("<section") and "Stop sharing" in section
    assert "Your list is shared since" in logged.get("/settings").get_data(as_text=True)
    assert url not in logged.get("/settings").get_data(as_text=True)  # shown once
    anonymous = app.test_client()
    shared = anonymous.get(url.removeprefix("http://localhost"))
    assert shared.status_code == 200 and "Shared show" in shared.get_data(as_text=True)
    # Without htmx the whole settings page answers, with the new link (the old one dies).
    plain = post(logged, "/settings/share")
    new_url = re.search(r'value="(http://localhost/shared/[^"]+)"',
                        plain.get_data(as_text=True)).group(1)
    assert "<html" in plain.get_data(as_text=True) and new_url != url
    assert anonymous.get(url.removeprefix("http://localhost")).status_code == 404
    revoked = post(logged, "/settings/share/revoke", htmx=True)
    assert "Your list is not shared." in revoked.get_data(as_text=True)
    assert anonymous.get(new_url.removeprefix("http://localhost")).status_code == 404


def test_logged_in_viewer_imports_a_shared_list_in_one_click(logged, app, alice, client):
    add_items(app, alice, 2)
    url = re.search(r'value="(http://localhost/shared/[^"]+)"', post(
        logged, "/settings/share", htmx=True).get_data(as_text=True)).group(1)
    path = url.removeprefix("http://localhost")
    assert "This is your own list" in logged.get(path).get_data(as_text=True)

    bob = quick_user(app, "bob")
    viewer = session_login(app.test_client(), bob)
    page = viewer.get(path).get_data(as_text=True)
    assert "Import into my watchlist" in page and "files.example.org" not in page
    resp = post(viewer, path + "/import", htmx=True)
    assert "Imported 2 anime into your watchlist." in resp.get_data(as_text=True)
    again = post(viewer, path + "/import")
    assert again.status_code == 303 and titles(app, bob) == ["Show 0", "Show 1"]
    assert "Imported 0 anime into your watchlist; 2 skipped" in viewer.get(
        "/watchlist").get_data(as_text=True)
    # Logged out, the import is behind the login; a revoked link imports nothing.
    assert app.test_client().post(path + "/import").status_code in (302, 400)
    post(logged, "/settings/share/revoke")
    assert post(viewer, path + "/import").status_code == 404
