"""Watchlist page: filters, search fragment, pagination, inline and bulk actions, isolation."""

from __future__ import annotations

from tests.page_helpers import add_items, post, quick_user, session_login

HX = {"HX-Request": "true"}


def test_empty_watchlist_invites_to_add(logged):
    page = logged.get("/watchlist").get_data(as_text=True)
    assert "Your watchlist is empty." in page


def test_home_is_the_watchlist(logged):
    assert logged.get("/").headers["Location"].endswith("/watchlist")


def test_list_paginates_on_the_server(logged, app, alice):
    add_items(app, alice, 30)
    first = logged.get("/watchlist").get_data(as_text=True)
    assert first.count('class="item"') == 25 and "Show 29" in first and "page 1 of 2" in first
    second = logged.get("/watchlist?page=2", headers=HX)
    html = second.get_data(as_text=True)
    assert html.count('class="item"') == 5 and "Show 0<" in html
    assert "<html" not in html and "HX-Request" in second.headers["Vary"]


def test_search_and_filters_return_a_fragment(logged, app, alice):
    ids = add_items(app, alice, 12)
    post(logged, f"/watchlist/{ids[0]}/pause")  # Show 11
    resp = logged.get("/watchlist?q=show 1", headers=HX).get_data(as_text=True)
    assert all(title in resp for title in ("Show 1<", "Show 10<", "Show 11<"))
    assert "Show 2<" not in resp
    paused = logged.get("/watchlist?status=paused", headers=HX).get_data(as_text=True)
    assert paused.count('class="item"') == 1 and "Show 11" in paused
    assert "Nothing matches" in logged.get("/watchlist?q=zzz", headers=HX).get_data(as_text=True)
    # Unknown filter values are ignored rather than failing.
    assert logged.get("/watchlist?status=bogus&provider=nope&page=x").status_code == 200


def test_pause_and_resume_inline(logged, app, alice):
    (item_id,) = add_items(app, alice, 1)
    row = post(logged, f"/watchlist/{item_id}/pause", htmx=True)
    html = row.get_data(as_text=True)
    assert row.status_code == 200 and html.startswith("<li") and "badge paused" in html
    assert ">Resume<" in html
    row = post(logged, f"/watchlist/{item_id}/resume", htmx=True).get_data(as_text=True)
    assert "badge active" in row and ">Pause<" in row


def test_actions_work_without_javascript(logged, app, alice):
    (item_id,) = add_items(app, alice, 1)
    resp = post(logged, f"/watchlist/{item_id}/pause", {"status": "active", "q": "Show"})
    assert resp.status_code == 303
    assert resp.headers["Location"] == "/watchlist?status=active&q=Show"
    resp = post(logged, f"/watchlist/{item_id}/delete")
    assert resp.status_code == 303
    assert "Removed “Show 0”" in logged.get("/watchlist").get_data(as_text=True)


def test_delete_inline_removes_the_row(logged, app, alice):
    (item_id,) = add_items(app, alice, 1)
    resp = post(logged, f"/watchlist/{item_id}/delete", htmx=True)
    assert resp.status_code == 200 and resp.get_data() == b""
    assert "Your watchlist is empty." in logged.get("/watchlist").get_data(as_text=True)


def test_bulk_pause_resume_delete(logged, app, alice):
    ids = add_items(app, alice, 5)
    resp = post(logged, "/watchlist/selected",
                {"action": "set", "set_status": "paused", "ids": ids[:3]}, htmx=True)
    html = resp.get_data(as_text=True)
    assert "Changed 3 items." in html and html.count("badge paused") == 3
    post(logged, "/watchlist/selected", {"action": "set", "set_status": "active",
                                         "ids": ids[:1]})
    html = logged.get("/watchlist?status=paused", headers=HX).get_data(as_text=True)
    assert html.count('class="item"') == 2
    post(logged, "/watchlist/selected", {"action": "delete", "ids": ids[3:]}, htmx=True)
    assert logged.get("/watchlist").get_data(as_text=True).count('class="item"') == 3


def test_another_users_item_is_a_404_page(client, app, alice):
    bob = quick_user(app, "bob")
    (bobs,) = add_items(app, bob, 1, anime_title="Bob's secret show")
    session_login(client, alice)
    for path in (f"/watchlist/{bobs}", f"/watchlist/{bobs}/row"):
        resp = client.get(path)
        assert resp.status_code == 404 and "Page not found" in resp.get_data(as_text=True)
        assert "secret" not in resp.get_data(as_text=True)
    assert post(client, f"/watchlist/{bobs}/pause").status_code == 404
    assert post(client, f"/watchlist/{bobs}/delete", htmx=True).status_code == 404
    post(client, "/watchlist/selected", {"action": "delete", "ids": [bobs], "confirmed": "1"})
    with app.app_context():
        from webapp.watchlist.manager import WatchlistManager

        assert WatchlistManager(bob.id).count_items() == 1


def test_site_text_is_escaped(logged, app, alice):
    evil = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    add_items(app, alice, 1, anime_title=evil, genres=[evil], synopsis=evil)
    html = logged.get("/watchlist").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
