"""The admin's providers page says plainly which sites have no live domain."""

from __future__ import annotations

from tests.page_helpers import post, quick_user, session_login

NEKO_NOTE = ("neko-sama has had no live domain since 2024; set NEKOSAMA_BASE_URL to a "
             "mirror if one appears.")


def test_providers_page_shows_the_status_notes(app, client):
    session_login(client, quick_user(app, "root", admin=True))
    html = client.get("/admin/mirrors").get_data(as_text=True)
    assert NEKO_NOTE in html
    # only neko-sama's section carries it
    neko = html.index('for="mirror-nekosama"')
    assert neko < html.index(NEKO_NOTE) < html.index('for="mirror-animeultime"')
    assert html.count(NEKO_NOTE) == 1
    # and it stays after a save (the fragment HTMX swaps in)
    resp = post(client, "/admin/mirrors", {"nekosama": "neko.example"}, htmx=True)
    assert resp.status_code == 200 and NEKO_NOTE in resp.get_data(as_text=True)
