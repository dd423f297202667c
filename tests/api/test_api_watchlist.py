"""Contract tests of the watchlist items API: create, list, get, update, delete, pause/resume."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.api_helpers import (
    FRIEREN,
    ITEM_KEYS,
    add_item,
    assert_error,
    count_statements,
    create_body,
    directory_url,
    fields_of,
    seed_items,
)
from webapp.extensions import db
from webapp.models import Source, WatchlistItem
from webapp.schemas import WatchlistItem as WatchlistItemSchema


def _parse(ts: str) -> datetime:
    assert ts.endswith("Z")
    return datetime.fromisoformat(ts[:-1]).replace(tzinfo=UTC)


def test_create_returns_the_new_item_due_at_once(api):
    resp = api.post("/api/watchlist", json={"anime_title": "Frieren", "anime_url": FRIEREN})
    assert resp.status_code == 201
    item = resp.get_json()
    assert set(item) == ITEM_KEYS
    WatchlistItemSchema.model_validate(item)  # the documented response model
    assert item["anime_url"] == "https://anime-sama.si/catalogue/frieren/saison1/vostfr/"
    assert (item["provider_id"], item["lang"], item["status"]) == ("animesama", "vostfr",
                                                                   "active")
    assert item["auto_download"] is True and item["quality_preference"] == "auto"
    assert item["genres"] == [] and item["poster_image"] is None and item["synopsis"] is None
    assert item["last_episode_downloaded"] == 0 and isinstance(item["last_episode_downloaded"],
                                                               int)
    assert item["last_episode_available"] is None and item["last_checked_at"] is None
    assert item["next_check_at"] == item["created_at"]
    assert abs(_parse(item["created_at"]) - datetime.now(UTC)) < timedelta(seconds=5)
    assert len(item["id"]) == 32


def test_create_keeps_every_given_field(api):
    body = create_body(anime_url="https://anime-sama.fr/catalogue/Frieren/saison1/vostfr",
                       provider_id="animesama", lang="vf", auto_download=False,
                       quality_preference="720p", poster_image="https://img.example/f.jpg",
                       synopsis="An elf mage.", genres=["Fantasy", "Drama"],
                       last_episode_downloaded=12.5)
    resp = api.post("/api/watchlist", json=body)
    assert resp.status_code == 201
    item = resp.get_json()
    assert item["anime_url"] == "https://anime-sama.fr/catalogue/frieren/saison1/vf/"
    assert item["lang"] == "vf" and item["auto_download"] is False
    assert item["quality_preference"] == "720p" and item["genres"] == ["Fantasy", "Drama"]
    assert item["poster_image"] == "https://img.example/f.jpg"
    assert item["synopsis"] == "An elf mage." and item["last_episode_downloaded"] == 12.5


def test_two_users_share_one_source(api, make_api, app):
    first = add_item(api)
    bob = make_api("bob")
    # Another domain of the same site, same anime and language: the same source.
    second = add_item(bob, anime_url="https://anime-sama.to/catalogue/frieren/saison1/vostfr/")
    with app.app_context():
        ids = db.session.scalars(select(WatchlistItem.source_id).where(
            WatchlistItem.id.in_([first["id"], second["id"]]))).all()
        assert len(set(ids)) == 1
        assert db.session.query(Source).count() == 1


def test_adding_the_same_anime_twice_is_a_conflict(api):
    first = add_item(api)
    resp = api.post("/api/watchlist", json=create_body(
        anime_url="https://anime-sama.eu/catalogue/frieren/saison1/vostfr"))
    body = assert_error(resp, 409, "conflict")
    assert body["details"] == [{"field": "anime_url", "item_id": first["id"]}]
    # Another language is another source: allowed.
    add_item(api, lang="vf")


def test_url_and_provider_problems_name_the_field(api):
    cases = [
        ({"anime_url": "https://unknown.example/anime/1"}, "provider_id"),
        ({"provider_id": "nope"}, "provider_id"),
        ({"provider_id": "nekosama"}, "anime_url"),  # URL not on that provider
        ({"anime_url": "https://anime-sama.si/catalogue/frieren/"}, "anime_url"),
        ({"anime_url": "ftp://anime-sama.si/catalogue/frieren/saison1/vostfr/",
          "provider_id": "animesama"}, "anime_url"),
        ({"lang": "klingon"}, "lang"),
    ]
    for overrides, field in cases:
        body = assert_error(api.post("/api/watchlist", json=create_body(**overrides)), 422,
                            "validation_error")
        assert fields_of(body) == [field], (overrides, body)
    assert api.get("/api/watchlist").get_json() == []


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/anime/show/", "http://10.1.2.3/show/",
                                 "http://[::1]:3000/api/watchlist/"])
def test_a_url_the_server_may_not_fetch_is_refused_at_creation(api, app, url):
    app.config["ALLOW_PRIVATE_HOSTS"] = ""  # as installed: no private address allowed
    body = assert_error(api.post("/api/watchlist", json=create_body(
        anime_url=url, provider_id="directory", lang=None)), 422, "validation_error")
    assert fields_of(body) == ["anime_url"]
    assert "private or local address" in body["message"]
    assert api.get("/api/watchlist").get_json() == []
    app.config["ALLOW_PRIVATE_HOSTS"] = "127.0.0.1,10.0.0.0/8,::1"  # a LAN seedbox allowed
    assert api.post("/api/watchlist", json=create_body(
        anime_url=url, provider_id="directory", lang=None)).status_code == 201


def test_list_is_newest_first_with_filters(api):
    a = add_item(api, 1, anime_title="Frieren: Beyond Journey's End")
    b = add_item(api, 2, anime_title="Dungeon Meshi")
    c = add_item(api, anime_title="100% Frieren")
    api.post(f"/api/watchlist/{b['id']}/pause")

    def ids(query: str = "") -> list[str]:
        resp = api.get(f"/api/watchlist{query}")
        assert resp.status_code == 200
        return [i["id"] for i in resp.get_json()]

    assert ids() == [c["id"], b["id"], a["id"]]
    assert ids("?status=paused") == [b["id"]]
    assert ids("?status=active") == [c["id"], a["id"]]
    assert ids("?provider_id=directory") == [b["id"], a["id"]]
    assert ids("?q=frieren") == [c["id"], a["id"]]
    assert ids("?q=100%25") == [c["id"]]  # % is literal, not a wildcard
    assert ids("?q=_") == []
    resp = api.get("/api/watchlist?limit=2&offset=1")
    assert [i["id"] for i in resp.get_json()] == [b["id"], a["id"]]
    assert resp.headers["X-Total-Count"] == "3"
    assert_error(api.get("/api/watchlist?status=deleted"), 422, "validation_error")
    assert_error(api.get("/api/watchlist?limit=0"), 422, "validation_error")
    assert_error(api.get("/api/watchlist?q=%00"), 422, "validation_error")


def test_list_only_shows_the_users_own_items(api, make_api):
    add_item(api)
    assert make_api("bob").get("/api/watchlist").get_json() == []


def test_get_one_item_and_404s(api, make_api):
    item = add_item(api)
    resp = api.get(f"/api/watchlist/{item['id']}")
    assert resp.status_code == 200 and resp.get_json() == item
    bob = make_api("bob")
    assert_error(bob.get(f"/api/watchlist/{item['id']}"), 404, "not_found")
    assert_error(api.get("/api/watchlist/" + "0" * 32), 404, "not_found")
    assert_error(api.get("/api/watchlist/not-an-id%00"), 404, "not_found")


def test_partial_update_changes_only_what_was_sent(api):
    item = add_item(api, poster_image="https://img.example/a.png", synopsis="x")
    resp = api.put(f"/api/watchlist/{item['id']}", json={
        "anime_title": "Sousou no Frieren", "auto_download": False,
        "quality_preference": "1080p", "last_episode_downloaded": 12,
        "poster_image": None, "genres": ["Fantasy"]})
    assert resp.status_code == 200
    updated = resp.get_json()
    assert updated["anime_title"] == "Sousou no Frieren" and updated["auto_download"] is False
    assert updated["quality_preference"] == "1080p" and updated["poster_image"] is None
    assert updated["last_episode_downloaded"] == 12 and updated["genres"] == ["Fantasy"]
    assert updated["synopsis"] == "x" and updated["anime_url"] == item["anime_url"]
    assert api.get(f"/api/watchlist/{item['id']}").get_json() == updated
    resp = api.put(f"/api/watchlist/{item['id']}", json={"last_episode_downloaded": 12.5})
    assert resp.get_json()["last_episode_downloaded"] == 12.5


def test_update_rejects_nulls_and_bad_values_field_by_field(api):
    item = add_item(api)
    resp = api.put(f"/api/watchlist/{item['id']}", json={
        "anime_title": None, "status": "deleted", "auto_download": "yes",
        "last_episode_downloaded": -1, "id": "x"})
    body = assert_error(resp, 422, "validation_error")
    assert sorted(fields_of(body)) == ["anime_title", "auto_download", "id",
                                       "last_episode_downloaded", "status"]
    assert api.get(f"/api/watchlist/{item['id']}").get_json() == item


def test_update_lang_moves_to_that_languages_source(api, app):
    item = add_item(api)
    vf = add_item(api, lang="vf")
    assert_error(api.put(f"/api/watchlist/{item['id']}", json={"lang": "vf"}), 409, "conflict")
    api.delete(f"/api/watchlist/{vf['id']}")
    resp = api.put(f"/api/watchlist/{item['id']}", json={"lang": "vf"})
    assert resp.status_code == 200
    moved = resp.get_json()
    assert moved["lang"] == "vf" and moved["anime_url"].endswith("/saison1/vf/")
    assert moved["last_episode_available"] is None
    assert_error(api.put(f"/api/watchlist/{item['id']}", json={"lang": "zz"}), 422,
                 "validation_error")


def test_status_back_to_active_makes_the_item_due(api, app):
    item = add_item(api)
    with app.app_context():
        row = db.session.get(WatchlistItem, item["id"])
        row.next_check_at = datetime.now(UTC) + timedelta(days=3)
        row.status = "completed"
        db.session.commit()
    resp = api.put(f"/api/watchlist/{item['id']}", json={"status": "active"})
    assert _parse(resp.get_json()["next_check_at"]) <= datetime.now(UTC)


def test_delete_is_204_and_scoped(api, make_api):
    item = add_item(api)
    bob = make_api("bob")
    assert_error(bob.delete(f"/api/watchlist/{item['id']}"), 404, "not_found")
    resp = api.delete(f"/api/watchlist/{item['id']}")
    assert resp.status_code == 204 and resp.get_data() == b""
    assert_error(api.get(f"/api/watchlist/{item['id']}"), 404, "not_found")
    assert_error(api.delete(f"/api/watchlist/{item['id']}"), 404, "not_found")


def test_pause_and_resume(api, make_api, app):
    item = add_item(api)
    paused = api.post(f"/api/watchlist/{item['id']}/pause")
    assert paused.status_code == 200 and paused.get_json()["status"] == "paused"
    with app.app_context():
        row = db.session.get(WatchlistItem, item["id"])
        row.next_check_at = datetime.now(UTC) + timedelta(days=3)
        db.session.commit()
    resumed = api.post(f"/api/watchlist/{item['id']}/resume").get_json()
    assert resumed["status"] == "active"
    assert _parse(resumed["next_check_at"]) <= datetime.now(UTC)
    assert_error(make_api("bob").post(f"/api/watchlist/{item['id']}/pause"), 404, "not_found")


def test_stats_counts(api):
    for n in range(3):
        add_item(api, n, auto_download=n != 0)
    frieren = add_item(api)
    api.post(f"/api/watchlist/{frieren['id']}/pause")
    resp = api.get("/api/watchlist/stats")
    assert resp.status_code == 200
    assert resp.get_json() == {"total": 4, "active": 3, "paused": 1, "completed": 0,
                               "archived": 0, "auto_download_enabled": 3,
                               "providers": {"directory": 3, "animesama": 1}}


def test_list_statement_count_does_not_grow_with_items(api, app):
    def statements_for(path: str) -> int:
        api.get(path)  # warm: the token's last_used_at write happens at most once a minute
        with count_statements(db.engine) as statements:  # no outer context: as in production
            resp = api.get(path)
        assert resp.status_code == 200
        return len(statements)

    with app.app_context(), db.engine.begin() as conn:
        seed_items(conn, api.user.id, 10, first_source_id=1)
    small = {p: statements_for(p) for p in ("/api/watchlist", "/api/watchlist/stats")}
    with app.app_context(), db.engine.begin() as conn:
        seed_items(conn, api.user.id, 190, first_source_id=1, start=10)
    assert len(api.get("/api/watchlist").get_json()) == 200
    large = {p: statements_for(p) for p in ("/api/watchlist", "/api/watchlist/stats")}
    assert small == large
    assert large["/api/watchlist"] <= 4  # token, user (with settings), items


def test_seeded_items_render_decimal_and_whole_episodes(api, app):
    with app.app_context(), db.engine.begin() as conn:
        seed_items(conn, api.user.id, 2, first_source_id=1)
    items = api.get("/api/watchlist").get_json()
    assert [i["last_episode_downloaded"] for i in items] == [1, 0]
    assert [i["last_episode_available"] for i in items] == [1.5, 0.5]
    for item in items:
        WatchlistItemSchema.model_validate(item)
    assert items[0]["anime_url"] == directory_url(2)


def test_each_item_names_the_apps_own_poster_url(api, client, app):
    from tests.page_helpers import session_login

    item = add_item(api, 1)
    assert item["poster_url"] == f"/posters/{item['id']}"
    assert [i["poster_url"] for i in api.get("/api/watchlist").get_json()] == [
        item["poster_url"]]
    assert api.get(f"/api/watchlist/{item['id']}").get_json()["poster_url"] == \
        item["poster_url"]
    session_login(client, api.user)
    resp = client.get(item["poster_url"])  # a generated placeholder: the site gave none
    assert resp.status_code == 200 and resp.mimetype.startswith("image/")
