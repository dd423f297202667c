"""Posters served by the app: fetched once through the guard, cached with validators, a
placeholder without one, never another user's."""

from __future__ import annotations

from tests.download_helpers import MediaServer
from tests.page_helpers import add_items, quick_user, session_login

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(range(256)) * 4


def test_a_poster_is_fetched_once_and_served_with_caching_headers(app, client,
                                                                  media: MediaServer):
    alice = quick_user(app, "alice")
    session_login(client, alice)
    [item_id] = add_items(app, alice, 1, poster_image=media.add("/p.jpg", JPEG))
    first = client.get(f"/posters/{item_id}.webp")
    assert first.status_code == 200 and first.data == JPEG
    assert first.headers["Content-Type"] == "image/jpeg"
    assert "max-age=3600" in first.headers["Cache-Control"]
    again = client.get(f"/posters/{item_id}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert client.get(f"/posters/{item_id}").data == JPEG
    assert len(media.requests_to("/p.jpg")) == 1


def test_no_poster_or_not_an_image_gives_an_escaped_placeholder(app, client,
                                                                media: MediaServer):
    alice = quick_user(app, "alice")
    session_login(client, alice)
    media.add("/evil.svg", b"<svg onload='alert(1)'></svg>")
    [bad] = add_items(app, alice, 1, anime_title='<b>"Evil"</b> Show',
                      poster_image=media.url("/evil.svg"))
    [none] = add_items(app, alice, 1, anime_title='<b>"Evil"</b> Show',
                       anime_url="https://files.example.org/anime/other/")
    for item_id in (bad, none):
        resp = client.get(f"/posters/{item_id}")
        assert resp.status_code == 200 and resp.headers["Content-Type"] == "image/svg+xml"
        assert b"onload" not in resp.data and b"<b>" not in resp.data
        assert b"&lt;b&gt;" in resp.data


def test_another_users_poster_is_404(app, client):
    bob = quick_user(app, "bob")
    [item_id] = add_items(app, bob, 1)
    session_login(client, quick_user(app, "alice"))
    assert client.get(f"/posters/{item_id}").status_code == 404
    assert client.get("/posters/nope").status_code == 404
