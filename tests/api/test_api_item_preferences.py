"""The item fields added after the first version (SPEC §4): `langs`, `follow_new_seasons`,
`upgrade_language`, `notify` — their defaults, validation, update, export and import."""

from __future__ import annotations

from tests.api_helpers import FRIEREN, assert_error, create_body


def test_defaults_keep_old_create_bodies_working(api):
    item = api.post("/api/watchlist", json=create_body()).get_json()
    assert item["langs"] == ["vostfr"]
    assert item["follow_new_seasons"] == "notify"
    assert item["upgrade_language"] == "keep_both"
    assert item["notify"] is True


def test_langs_order_sets_lang_and_is_validated(api):
    body = create_body(langs=["vf", "vostfr"], notify=False, follow_new_seasons="add",
                       upgrade_language="replace")
    item = api.post("/api/watchlist", json=body).get_json()
    assert item["lang"] == "vf" and item["langs"] == ["vf", "vostfr"]
    assert item["anime_url"].endswith("/saison1/vf/")
    assert (item["notify"], item["follow_new_seasons"], item["upgrade_language"]) == \
        (False, "add", "replace")

    resp = api.post("/api/watchlist", json=create_body(lang="vostfr", langs=["vf"]))
    assert_error(resp, 422, "validation_error")
    assert resp.get_json()["details"][0]["field"] == "langs"
    resp = api.post("/api/watchlist", json=create_body(langs=["vostfr", "klingon"]))
    assert_error(resp, 422, "validation_error")
    assert resp.get_json()["details"][0]["field"] == "langs"
    for bad in ([], "vf", [1], ["vf"] * 9):
        assert_error(api.post("/api/watchlist", json=create_body(langs=bad)), 422,
                     "validation_error")
    for field, bad in (("follow_new_seasons", "always"), ("upgrade_language", "both"),
                       ("notify", 1)):
        assert_error(api.post("/api/watchlist", json=create_body(**{field: bad})), 422,
                     "validation_error")


def test_update_langs_moves_the_item_to_its_first_language(api):
    item = api.post("/api/watchlist", json=create_body()).get_json()
    resp = api.put(f"/api/watchlist/{item['id']}", json={"langs": ["vf", "vostfr"]})
    assert resp.status_code == 200
    updated = resp.get_json()
    assert updated["lang"] == "vf" and updated["langs"] == ["vf", "vostfr"]
    assert updated["anime_url"].endswith("/vf/")
    # a plain lang change keeps the rest of the order behind it
    updated = api.put(f"/api/watchlist/{item['id']}", json={"lang": "vostfr"}).get_json()
    assert updated["langs"] == ["vostfr", "vf"]
    updated = api.put(f"/api/watchlist/{item['id']}", json={"notify": False}).get_json()
    assert updated["notify"] is False
    assert_error(api.put(f"/api/watchlist/{item['id']}", json={"notify": None}), 422,
                 "validation_error")


def test_export_and_import_carry_the_new_fields(api, make_api):
    api.post("/api/watchlist", json=create_body(langs=["vf", "vostfr"], notify=False))
    doc = api.get("/api/watchlist/export").get_json()
    exported = doc["items"][0]
    assert exported["langs"] == ["vf", "vostfr"] and exported["notify"] is False
    other = make_api("bob")
    assert other.post("/api/watchlist/import", json=doc).get_json() == \
        {"created": 1, "skipped": 0}
    item = other.get("/api/watchlist").get_json()[0]
    assert item["langs"] == ["vf", "vostfr"] and item["notify"] is False
    # an export written before these fields existed still imports, with the defaults
    old = {"version": 1, "items": [{"anime_title": "Frieren", "anime_url": FRIEREN,
                                    "status": "active"}]}
    third = make_api("carol")
    assert third.post("/api/watchlist/import", json=old).status_code == 200
    item = third.get("/api/watchlist").get_json()[0]
    assert item["langs"] == ["vostfr"] and item["notify"] is True


def test_new_settings_validate(api):
    resp = api.put("/api/watchlist/settings", json={"fast_detection": False,
                                                    "complete_after_weeks": 8,
                                                    "archive_after_weeks": 4,
                                                    "notify_season_complete": False})
    assert resp.status_code == 200
    settings = resp.get_json()
    assert (settings["fast_detection"], settings["complete_after_weeks"],
            settings["archive_after_weeks"], settings["notify_season_complete"]) == \
        (False, 8, 4, False)
    for field, bad in (("complete_after_weeks", -1), ("archive_after_weeks", 521),
                       ("fast_detection", "yes")):
        assert_error(api.put("/api/watchlist/settings", json={field: bad}), 422,
                     "validation_error")
