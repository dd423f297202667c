"""The detail page's new seasons: a season (or film) found on the anime's page after it was
first read is offered with a one-click "Add … to my watchlist" (plain form and htmx); the
season added has the item's settings and its first check downloads it; the item's
`follow_new_seasons` is set in its settings form; only the owner sees or adds anything."""

from __future__ import annotations

import re

from tests.page_helpers import post, quick_user, session_login
from tests.season_helpers import (
    FILM,
    S1,
    S2,
    TITLE,
    add_item,
    download_all,
    downloads_of,
    items_of,
    later,
    read_pages,
    setup_site,
    tick_and_work,
)
from webapp.extensions import db
from webapp.models import WatchlistItem

SETTINGS = {"anime_title": TITLE, "status": "active", "quality_preference": "1080p",
            "lang": "vostfr", "auto_download": "on"}


def _offers(html: str) -> list[str]:
    return re.findall(r'<button type="submit" class="primary">Add (.+?) to my watchlist</button>',
                      html)


def test_a_found_season_is_offered_and_one_click_adds_and_downloads_it(app, logged, alice,
                                                                       fixture_site,
                                                                       redis_conn):
    setup_site(app, fixture_site)
    with app.app_context():
        mine = add_item(alice.id, quality_preference="480p")
        read_pages(redis_conn)                       # first read: season 1 known
    assert _offers(logged.get(f"/watchlist/{mine}").get_data(as_text=True)) == []
    fixture_site.add_show("animesama", S2, TITLE, episodes=2)
    fixture_site.add_show("animesama", FILM, TITLE, episodes=1, placeholders=0,
                          options={"names": 'resetListe(); newSPF("Le film");'})
    with later(1.1):
        with app.app_context():
            read_pages(redis_conn)
        page = logged.get(f"/watchlist/{mine}").get_data(as_text=True)
        assert sorted(_offers(page)) == ["Film", "Saison 2"]
        assert f'action="/watchlist/{mine}/seasons/add"' in page and 'name="csrf_token"' in page
        with app.app_context():
            assert set(items_of(alice.id)) == {S1}   # notify: only offered

        added = post(logged, f"/watchlist/{mine}/seasons/add", {"season": S2})
        assert added.status_code == 303 and added.headers["Location"] == f"/watchlist/{mine}"
        with app.app_context():
            season2 = items_of(alice.id)[S2]
            assert (season2.anime_title, season2.quality_preference, season2.auto_download,
                    season2.follow_new_seasons) == (f"{TITLE} (Saison 2)", "480p", True, "notify")
            season2_id = season2.id
        page = logged.get(f"/watchlist/{mine}").get_data(as_text=True)
        assert _offers(page) == ["Film"]
        assert f'href="/watchlist/{season2_id}">Saison 2 on your watchlist</a>' in page

        fragment = post(logged, f"/watchlist/{mine}/seasons/add", {"season": FILM}, htmx=True)
        html = fragment.get_data(as_text=True)
        assert fragment.status_code == 200 and "<html" not in html
        assert 'id="item-seasons"' in html and _offers(html) == []
        assert "Film on your watchlist" in html
        again = post(logged, f"/watchlist/{mine}/seasons/add", {"season": FILM}, htmx=True)
        assert again.status_code == 200 and "Film on your watchlist" in again.get_data(as_text=True)

    with later(1.2):
        with app.app_context():
            tick_and_work(redis_conn)                # the added seasons' first checks
            download_all(redis_conn)
            assert {n: d.status for n, d in downloads_of(season2_id).items()} == {
                1: "completed", 2: "completed"}


def test_only_the_owner_sees_and_adds_found_seasons(app, client, alice, fixture_site,
                                                    redis_conn):
    setup_site(app, fixture_site)
    bob = quick_user(app, "bob")
    with app.app_context():
        mine = add_item(alice.id)
        bobs = add_item(bob.id, follow_new_seasons="off")
        read_pages(redis_conn)
    fixture_site.add_show("animesama", S2, TITLE, episodes=1)
    with later(1.1):
        with app.app_context():
            read_pages(redis_conn)
        session_login(client, bob)
        assert _offers(client.get(f"/watchlist/{bobs}").get_data(as_text=True)) == []
        assert client.get(f"/watchlist/{mine}").status_code == 404
        assert post(client, f"/watchlist/{mine}/seasons/add", {"season": S2}).status_code == 404
        session_login(client, alice)
        unknown = post(client, f"/watchlist/{mine}/seasons/add",
                       {"season": "/catalogue/frieren/saison1/vostfr/"})
        assert unknown.status_code == 404
        with app.app_context():
            assert set(items_of(alice.id)) == {S1} and set(items_of(bob.id)) == {S1}


def test_follow_new_seasons_is_set_in_the_item_settings(app, logged, alice):
    with app.app_context():
        item = add_item(alice.id)
    page = logged.get(f"/watchlist/{item}").get_data(as_text=True)
    assert '<option value="notify" selected>Tell me</option>' in page
    saved = post(logged, f"/watchlist/{item}/edit", {**SETTINGS, "follow_new_seasons": "add"},
                 htmx=True)
    assert saved.status_code == 200 and "Saved." in saved.get_data(as_text=True)
    assert '<option value="add" selected>' in saved.get_data(as_text=True)
    bad = post(logged, f"/watchlist/{item}/edit", {**SETTINGS, "follow_new_seasons": "often"})
    assert bad.status_code == 422 and 'class="error"' in bad.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(WatchlistItem, item).follow_new_seasons == "add"


def test_the_detail_page_says_whether_the_site_lists_the_anime_as_finished(
        app, logged, alice, fixture_site, redis_conn):
    setup_site(app, fixture_site)
    with app.app_context():
        mine = add_item(alice.id)
    assert "On the site" not in logged.get(f"/watchlist/{mine}").get_data(as_text=True)
    with app.app_context():
        read_pages(redis_conn)
    page = logged.get(f"/watchlist/{mine}").get_data(as_text=True)
    assert "<dt>On the site</dt><dd>airing</dd>" in page
    fixture_site.shows[S1].options["state"] = "Terminé"
    with later(1.1):
        with app.app_context():
            read_pages(redis_conn)
        page = logged.get(f"/watchlist/{mine}").get_data(as_text=True)
        assert "<dt>On the site</dt><dd>finished: no episode to come</dd>" in page
