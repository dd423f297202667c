"""POST /api/watchlist/batch (one result per entry) and POST /api/watchlist/bulk (selected
items: set, delete, check; other users' ids skipped)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from tests.api_helpers import FRIEREN, add_item, assert_error, create_body, fields_of
from tests.check_helpers import configure, new_show, run_worker
from webapp.clock import isoformat, utcnow
from webapp.extensions import db
from webapp.models import WatchlistItem


def test_a_bad_entry_never_blocks_the_good_ones(api):
    items = [create_body(1), {"anime_title": "", "anime_url": 5}, create_body(2),
             create_body(1, anime_title="Again"), "not an object",
             create_body(anime_url="https://unknown.example/x", provider_id="animesama")]
    resp = api.post("/api/watchlist/batch", json={"items": items})
    assert resp.status_code == 200
    results = resp.get_json()["results"]
    assert [(r["index"], r["status"]) for r in results] == [
        (0, 201), (1, 422), (2, 201), (3, 409), (4, 422), (5, 422)]
    assert results[0]["item"]["anime_title"] == "Show 1" and "error" not in results[0]
    bad = results[1]["error"]
    assert bad["error"] == "validation_error" and "item" not in results[1]
    assert {"anime_title", "anime_url"} <= {d["field"] for d in bad["details"]}
    assert results[3]["error"]["error"] == "conflict"
    assert results[3]["error"]["details"] == [{"field": "anime_url",
                                               "item_id": results[0]["item"]["id"]}]
    assert results[4]["error"]["details"][0]["message"] == "must be an object"
    assert results[5]["error"]["details"][0]["field"] == "anime_url"
    titles = sorted(i["anime_title"] for i in api.get("/api/watchlist").get_json())
    assert titles == ["Show 1", "Show 2"]


def test_batch_items_are_like_single_creates(api):
    body = {"anime_title": "Frieren", "anime_url": FRIEREN, "langs": ["vostfr", "vf"],
            "notify": False, "quality_preference": "720p"}
    item = api.post("/api/watchlist/batch", json={"items": [body]}).get_json()[
        "results"][0]["item"]
    assert item == api.get(f"/api/watchlist/{item['id']}").get_json()
    assert item["langs"] == ["vostfr", "vf"] and item["notify"] is False
    assert item["next_check_at"] == item["created_at"]


def test_batch_body_is_checked_as_a_whole(api):
    assert fields_of(assert_error(api.post("/api/watchlist/batch", json={"items": []}),
                                  422, "validation_error")) == ["items"]
    too_many = {"items": [create_body(n) for n in range(501)]}
    assert fields_of(assert_error(api.post("/api/watchlist/batch", json=too_many),
                                  422, "validation_error")) == ["items"]
    assert_error(api.post("/api/watchlist/batch", json={"items": [], "x": 1}), 422,
                 "validation_error")
    assert_error(api.post("/api/watchlist/batch", data="{", content_type="application/json"),
                 400, "bad_request")


def test_batch_and_bulk_paths_are_not_item_ids(api):
    item = add_item(api, 1)
    assert api.get("/api/watchlist/batch").status_code == 404
    assert api.delete("/api/watchlist/bulk").status_code == 404
    assert api.get(f"/api/watchlist/{item['id']}").status_code == 200


def test_bulk_set_skips_other_users_ids(api, make_api):
    mine = [add_item(api, n)["id"] for n in range(3)]
    bob = make_api("bob")
    bobs = add_item(bob, 7)["id"]
    resp = api.post("/api/watchlist/bulk", json={
        "ids": [*mine[:2], bobs, "f" * 32, "nonsense", mine[0]],
        "set": {"status": "paused", "auto_download": False, "quality_preference": "480p",
                "notify": False}})
    assert resp.status_code == 200 and resp.get_json() == {"updated": 2, "skipped": 4}
    for item_id in mine[:2]:
        item = api.get(f"/api/watchlist/{item_id}").get_json()
        assert (item["status"], item["auto_download"], item["quality_preference"],
                item["notify"]) == ("paused", False, "480p", False)
    assert api.get(f"/api/watchlist/{mine[2]}").get_json()["status"] == "active"
    untouched = bob.get(f"/api/watchlist/{bobs}").get_json()
    assert (untouched["status"], untouched["auto_download"], untouched["notify"]) == \
        ("active", True, True)
    kinds = [(e["kind"], e["item_id"]) for e in api.get("/api/activity").get_json()]
    assert sorted(kinds) == sorted([("status_changed", i) for i in mine[:2]])
    assert bob.get("/api/activity").get_json() == []


def test_bulk_resume_makes_items_due_at_once(app, api):
    ids = [add_item(api, n)["id"] for n in range(2)]
    api.post("/api/watchlist/bulk", json={"ids": ids, "set": {"status": "paused"}})
    with app.app_context():  # as if checked lately: next check far away
        db.session.execute(update(WatchlistItem).where(WatchlistItem.id.in_(ids))
                           .values(next_check_at=utcnow() + timedelta(days=3)))
        db.session.commit()
    resp = api.post("/api/watchlist/bulk", json={"ids": ids, "set": {"status": "active"}})
    assert resp.get_json() == {"updated": 2, "skipped": 0}
    now = isoformat(utcnow())
    for item_id in ids:
        item = api.get(f"/api/watchlist/{item_id}").get_json()
        assert item["status"] == "active" and item["next_check_at"] <= now
    changes = [(e["item_id"], e["data"].get("from"), e["data"].get("to"))
               for e in api.get("/api/activity?kind=status_changed").get_json()]
    assert sorted(c for c in changes if c[2] == "active") == \
        sorted((i, "paused", "active") for i in ids)


def test_bulk_langs_sets_lang_and_skips_items_of_other_sites(api):
    frieren = add_item(api)["id"]
    other = add_item(api, anime_title="Nanoha", provider_id="animeultime",  # VOSTFR only
                     anime_url="http://www.anime-ultime.net/file-0-1/1234/Nanoha")["id"]
    resp = api.post("/api/watchlist/bulk", json={"ids": [frieren, other],
                                                 "set": {"langs": ["vf", "vostfr"]}})
    assert resp.get_json() == {"updated": 1, "skipped": 1}
    item = api.get(f"/api/watchlist/{frieren}").get_json()
    assert item["lang"] == "vf" and item["langs"] == ["vf", "vostfr"]
    assert item["anime_url"].endswith("/saison1/vf/")
    assert api.get(f"/api/watchlist/{other}").get_json()["lang"] == "vostfr"


def test_bulk_delete(api, make_api):
    ids = [add_item(api, n)["id"] for n in range(3)]
    bob = make_api("bob")
    bobs = add_item(bob, 1)["id"]
    resp = api.post("/api/watchlist/bulk", json={"ids": [ids[0], ids[2], bobs],
                                                 "action": "delete"})
    assert resp.get_json() == {"updated": 2, "skipped": 1}
    assert [i["id"] for i in api.get("/api/watchlist").get_json()] == [ids[1]]
    assert bob.get(f"/api/watchlist/{bobs}").status_code == 200


def test_bulk_check_runs_checks_of_the_selected_items(app, api, make_api, fixture_site,
                                                      redis_conn):
    configure(app)
    urls = [new_show(fixture_site, name, episodes=2) for name in ("alpha", "beta", "gamma")]
    ids = [add_item(api, anime_url=u, provider_id="directory", anime_title=u[-8:],
                    auto_download=False)["id"] for u in urls]
    api.post(f"/api/watchlist/{ids[1]}/pause")
    bob = make_api("bob")
    bobs = add_item(bob, anime_url=urls[2], provider_id="directory", anime_title="B",
                    auto_download=False)["id"]
    resp = api.post("/api/watchlist/bulk", json={"ids": [ids[0], ids[1], bobs],
                                                 "action": "check"})
    assert resp.get_json() == {"updated": 2, "skipped": 1}
    with app.app_context():
        run_worker(redis_conn)
    checked = {i: api.get(f"/api/watchlist/{i}").get_json() for i in ids}
    assert checked[ids[0]]["last_episode_available"] == 2
    assert checked[ids[1]]["last_episode_available"] == 2  # paused: checked on demand too
    assert checked[ids[2]]["last_checked_at"] is None
    assert bob.get(f"/api/watchlist/{bobs}").get_json()["last_checked_at"] is None


def test_bulk_body_validation(api):
    item = add_item(api, 1)["id"]
    cases = [
        ({"ids": [item]}, "body"),
        ({"ids": [item], "set": {"status": "paused"}, "action": "delete"}, "body"),
        ({"ids": [item], "set": {}}, "set"),
        ({"ids": [item], "set": {"status": "gone"}}, "set.status"),
        ({"ids": [item], "set": {"auto_download": 1}}, "set.auto_download"),
        ({"ids": [item], "set": {"anime_title": "x"}}, "set.anime_title"),
        ({"ids": [item], "set": {"langs": []}}, "set.langs"),
        ({"ids": [item], "action": "pause"}, "action"),
        ({"ids": "x", "action": "delete"}, "ids"),
        ({"ids": ["a"] * 1001, "action": "delete"}, "ids"),
    ]
    for body, field in cases:
        resp = api.post("/api/watchlist/bulk", json=body)
        assert field in fields_of(assert_error(resp, 422, "validation_error")), (body, resp)
    assert api.get(f"/api/watchlist/{item}").status_code == 200


def test_read_token_cannot_batch_or_bulk(make_api):
    reader = make_api("reader", scopes="read")
    assert_error(reader.post("/api/watchlist/batch", json={"items": [create_body(1)]}),
                 403, "forbidden")
    assert_error(reader.post("/api/watchlist/bulk", json={"ids": [], "action": "delete"}),
                 403, "forbidden")
