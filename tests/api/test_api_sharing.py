"""Sharing: POST/DELETE /api/share, the public /shared/<token> page (titles, statuses and
progress only) and POST /api/watchlist/import-shared (idempotent, this install's links)."""

from __future__ import annotations

import hashlib

from tests.api_helpers import FRIEREN, add_item, assert_error, fields_of
from tests.page_helpers import add_episodes
from webapp.extensions import db
from webapp.models import ShareLink


def share(api) -> str:
    resp = api.post("/api/share")
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert set(body) == {"url", "created_at"} and body["created_at"].endswith("Z")
    assert body["url"].startswith("http://localhost/shared/")
    return body["url"]


def path_of(url: str) -> str:
    return url.removeprefix("http://localhost")


def test_the_shared_page_shows_titles_statuses_and_progress_only(app, api, make_api):
    frieren = add_item(api, anime_title="Frieren <b>", genres=["Fantasy"],
                       synopsis="SECRET-SYNOPSIS", poster_image="https://img.example/p.jpg")
    paused = add_item(api, 1, anime_title="Paused show")
    api.post(f"/api/watchlist/{paused['id']}/pause")
    add_episodes(app, frieren["id"], [1, 2, 3],
                 {1: {"status": "completed", "path": "/library/Frieren/S01E01.mkv"}})
    api.put(f"/api/watchlist/{frieren['id']}", json={"last_episode_downloaded": 1})
    bob = make_api("bob")
    add_item(bob, 9, anime_title="Bob's private show")
    url = share(api)

    anonymous = app.test_client()
    resp = anonymous.get(path_of(url))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "Frieren &lt;b&gt;" in html and "Paused show" in html
    assert ">paused<" in html and "1 / 3" in html
    for secret in (FRIEREN, "files.example.org", "/library/", "S01E01.mkv", "SECRET-SYNOPSIS",
                   "img.example", frieren["id"], paused["id"], "/posters/", "alice",
                   "Bob's private show", "Bob&#39;s private show", "bob",
                   url.rsplit("/", 1)[1] + '"'):
        assert secret not in html, secret
    assert resp.headers["Referrer-Policy"] == "no-referrer"
    assert "Import into my watchlist" not in html  # nobody logged in
    with app.app_context():  # only the token's SHA-256 is kept
        stored = db.session.query(ShareLink).one()
        token = url.rsplit("/", 1)[1]
        assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()


def test_revoked_or_replaced_links_stop_working(app, api):
    add_item(api, 1)
    first = share(api)
    second = share(api)
    anonymous = app.test_client()
    assert first != second
    assert anonymous.get(path_of(first)).status_code == 404
    assert anonymous.get(path_of(second)).status_code == 200
    assert api.delete("/api/share").status_code == 204
    gone = anonymous.get(path_of(second))
    assert gone.status_code == 404 and "stopped sharing" in gone.get_data(as_text=True)
    assert api.delete("/api/share").status_code == 204  # nothing to revoke: still done
    assert anonymous.get("/shared/not-a-token").status_code == 404
    assert anonymous.get("/shared/" + "A" * 43).status_code == 404


def test_import_shared_is_idempotent_and_keeps_nothing_personal(api, make_api):
    add_item(api, anime_title="Frieren", langs=["vostfr", "vf"], quality_preference="720p",
             notify=False, last_episode_downloaded=4)
    archived = add_item(api, 2, anime_title="Old")
    api.put(f"/api/watchlist/{archived['id']}", json={"status": "archived"})
    url = share(api)
    bob = make_api("bob")
    add_item(bob, 2, anime_title="Already mine")

    resp = bob.post("/api/watchlist/import-shared", json={"url": url})
    assert resp.status_code == 200 and resp.get_json() == {"created": 1, "skipped": 1}
    again = bob.post("/api/watchlist/import-shared", json={"url": url})
    assert again.get_json() == {"created": 0, "skipped": 2}
    items = {i["anime_title"]: i for i in bob.get("/api/watchlist").get_json()}
    assert set(items) == {"Frieren", "Already mine"}
    frieren = items["Frieren"]
    assert frieren["anime_url"] == FRIEREN and frieren["langs"] == ["vostfr", "vf"]
    assert (frieren["status"], frieren["last_episode_downloaded"], frieren["notify"],
            frieren["quality_preference"]) == ("active", 0, True, "auto")
    # The owner's own list is untouched, and importing one's own list adds nothing.
    assert len(api.get("/api/watchlist").get_json()) == 2
    assert api.post("/api/watchlist/import-shared", json={"url": url}).get_json() == \
        {"created": 0, "skipped": 2}


def test_import_shared_takes_only_this_installs_links(api, make_api):
    add_item(api, 1)
    url = share(api)
    bob = make_api("bob")
    token = url.rsplit("/", 1)[1]
    for bad in (f"http://elsewhere.example/shared/{token}", f"http://localhost/other/{token}",
                "not a url", f"http://localhost/shared/{token}/x", "http://localhost/shared/"):
        resp = bob.post("/api/watchlist/import-shared", json={"url": bad})
        assert fields_of(assert_error(resp, 422, "validation_error")) == ["url"], bad
    assert_error(bob.post("/api/watchlist/import-shared", json={"url": 5}), 422,
                 "validation_error")
    api.delete("/api/share")
    assert_error(bob.post("/api/watchlist/import-shared", json={"url": url}), 404,
                 "not_found")
    assert bob.get("/api/watchlist").get_json() == []


def test_share_needs_a_write_token(make_api):
    reader = make_api("reader", scopes="read")
    assert_error(reader.post("/api/share"), 403, "forbidden")
    assert_error(reader.delete("/api/share"), 403, "forbidden")
