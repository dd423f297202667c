"""An item's sources in order (SPEC §4 "Backup sources"): the list's shape, adding (checked
like a create, 409 when already there), removing (never the last), reordering (position 0
becomes the item's own), languages kept as sources, and another user's item (404)."""

from __future__ import annotations

from tests.api_helpers import FRIEREN, add_item, assert_error, directory_url

SOURCE_KEYS = {"id", "anime_url", "provider_id", "lang", "position", "last_error"}
MIRROR = "https://files.example.org/mirror/frieren/"


def sources(api, item_id):
    resp = api.get(f"/api/watchlist/{item_id}/sources")
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def add_source(api, item_id, **body):
    return api.post(f"/api/watchlist/{item_id}/sources", json=body)


def test_an_item_lists_its_own_source_then_the_added_ones(api):
    item = add_item(api)
    (own,) = sources(api, item["id"])
    assert set(own) == SOURCE_KEYS
    assert (own["anime_url"], own["provider_id"], own["lang"], own["position"],
            own["last_error"]) == (FRIEREN, "animesama", "vostfr", 0, None)

    resp = add_source(api, item["id"], anime_url=MIRROR, provider_id="directory")
    assert resp.status_code == 201, resp.get_json()
    added = resp.get_json()
    assert set(added) == SOURCE_KEYS
    assert (added["anime_url"], added["provider_id"], added["lang"], added["position"]) == (
        MIRROR, "directory", "any", 1)
    listed = sources(api, item["id"])
    assert [s["id"] for s in listed] == [own["id"], added["id"]]
    assert [s["position"] for s in listed] == [0, 1]
    # the item itself is unchanged, and due at once so the new source is read soon
    again = api.get(f"/api/watchlist/{item['id']}").get_json()
    assert (again["anime_url"], again["lang"], again["langs"]) == (FRIEREN, "vostfr",
                                                                    ["vostfr"])
    assert again["next_check_at"] <= again["updated_at"]


def test_adding_is_checked_like_a_create_and_refuses_duplicates(api):
    item = add_item(api)
    assert_error(add_source(api, item["id"], anime_url=FRIEREN), 409, "conflict")
    assert add_source(api, item["id"], anime_url=MIRROR, provider_id="directory"
                      ).status_code == 201
    assert_error(add_source(api, item["id"], anime_url=MIRROR, provider_id="directory"),
                 409, "conflict")
    bad = assert_error(add_source(api, item["id"], anime_url="https://example.com/x"),
                       422, "validation_error")
    assert bad["details"][0]["field"] in ("anime_url", "provider_id")
    bad = assert_error(add_source(api, item["id"], anime_url=FRIEREN, lang="klingon"),
                       422, "validation_error")
    assert bad["details"][0]["field"] == "lang"
    for body in ({}, {"anime_url": 5}, {"anime_url": MIRROR, "extra": 1}):
        assert_error(api.post(f"/api/watchlist/{item['id']}/sources", json=body), 422,
                     "validation_error")
    assert len(sources(api, item["id"])) == 2


def test_the_other_languages_are_sources_and_follow_langs(api):
    item = add_item(api, langs=["vf", "vostfr"])
    listed = sources(api, item["id"])
    assert [(s["lang"], s["position"]) for s in listed] == [("vf", 0), ("vostfr", 1)]
    assert listed[1]["anime_url"] == FRIEREN
    updated = api.put(f"/api/watchlist/{item['id']}", json={"langs": ["vf"]}).get_json()
    assert updated["langs"] == ["vf"]
    assert [s["lang"] for s in sources(api, item["id"])] == ["vf"]
    api.put(f"/api/watchlist/{item['id']}", json={"langs": ["vostfr", "vf", "va"]})
    assert [s["lang"] for s in sources(api, item["id"])] == ["vostfr", "vf", "va"]
    # a source added by hand stays when langs changes; adding a language extends langs
    add_source(api, item["id"], anime_url=MIRROR, provider_id="directory")
    api.put(f"/api/watchlist/{item['id']}", json={"langs": ["vostfr", "va"]})
    assert [(s["lang"], s["provider_id"]) for s in sources(api, item["id"])] == [
        ("vostfr", "animesama"), ("va", "animesama"), ("any", "directory")]
    resp = add_source(api, item["id"], anime_url=FRIEREN.replace("/vostfr/", "/vf/"))
    assert resp.status_code == 201 and resp.get_json()["position"] == 3
    assert api.get(f"/api/watchlist/{item['id']}").get_json()["langs"] == [
        "vostfr", "va", "vf"]


def test_reordering_to_position_0_makes_the_source_the_items_own(api):
    item = add_item(api, langs=["vostfr", "vf"])
    mirror = add_source(api, item["id"], anime_url=MIRROR, provider_id="directory").get_json()
    own, vf, _ = (s["id"] for s in sources(api, item["id"]))

    resp = api.put(f"/api/watchlist/{item['id']}/sources", json={"order": [vf, mirror["id"],
                                                                           own]})
    assert resp.status_code == 200, resp.get_json()
    listed = resp.get_json()
    assert [(s["id"], s["position"]) for s in listed] == [(vf, 0), (mirror["id"], 1),
                                                          (own, 2)]
    assert listed[2]["anime_url"] == FRIEREN
    changed = api.get(f"/api/watchlist/{item['id']}").get_json()
    assert (changed["anime_url"], changed["lang"], changed["provider_id"]) == (
        FRIEREN.replace("/vostfr/", "/vf/"), "vf", "animesama")
    assert changed["langs"] == ["vf", "vostfr"]
    assert sources(api, item["id"]) == listed

    resp = api.put(f"/api/watchlist/{item['id']}/sources", json={"order": [mirror["id"], vf,
                                                                           own]})
    changed = api.get(f"/api/watchlist/{item['id']}").get_json()
    assert (changed["anime_url"], changed["provider_id"], changed["lang"],
            changed["langs"]) == (MIRROR, "directory", "any", ["any"])

    for bad in ([vf, own], [vf, vf, own, mirror["id"]], [vf, own, mirror["id"], 999999],
                [], "x", [str(vf)]):
        assert_error(api.put(f"/api/watchlist/{item['id']}/sources", json={"order": bad}),
                     422, "validation_error")


def test_removing_a_source_and_never_the_last(api):
    item = add_item(api)
    own = sources(api, item["id"])[0]["id"]
    assert_error(api.delete(f"/api/watchlist/{item['id']}/sources/{own}"), 409, "conflict")
    mirror = add_source(api, item["id"], anime_url=MIRROR, provider_id="directory").get_json()
    other = add_source(api, item["id"], anime_url=directory_url(7),
                       provider_id="directory").get_json()
    assert api.delete(f"/api/watchlist/{item['id']}/sources/{mirror['id']}").status_code == 204
    assert [(s["id"], s["position"]) for s in sources(api, item["id"])] == [(own, 0),
                                                                           (other["id"], 1)]
    assert_error(api.delete(f"/api/watchlist/{item['id']}/sources/{mirror['id']}"), 404,
                 "not_found")
    # removing the item's own source promotes the next one
    assert api.delete(f"/api/watchlist/{item['id']}/sources/{own}").status_code == 204
    (left,) = sources(api, item["id"])
    assert (left["id"], left["position"]) == (other["id"], 0)
    assert api.get(f"/api/watchlist/{item['id']}").get_json()["anime_url"] == directory_url(7)
    assert_error(api.delete(f"/api/watchlist/{item['id']}/sources/{other['id']}"), 409,
                 "conflict")
    assert api.delete(f"/api/watchlist/{item['id']}/sources/abc").status_code == 404


def test_promoting_a_source_the_user_already_watches_is_a_conflict(api):
    item = add_item(api)
    mine = add_item(api, 3)
    mirror = add_source(api, item["id"], anime_url=directory_url(3),
                        provider_id="directory").get_json()
    resp = api.put(f"/api/watchlist/{item['id']}/sources",
                   json={"order": [mirror["id"], sources(api, item["id"])[0]["id"]]})
    body = assert_error(resp, 409, "conflict")
    assert body["details"][0]["item_id"] == mine["id"]
    assert api.get(f"/api/watchlist/{item['id']}").get_json()["anime_url"] == FRIEREN


def test_another_users_item_is_not_found(api, make_api):
    item = add_item(api)
    own = sources(api, item["id"])[0]["id"]
    bob = make_api("bob")
    assert_error(bob.get(f"/api/watchlist/{item['id']}/sources"), 404, "not_found")
    assert_error(bob.post(f"/api/watchlist/{item['id']}/sources",
                          json={"anime_url": MIRROR, "provider_id": "directory"}),
                 404, "not_found")
    assert_error(bob.put(f"/api/watchlist/{item['id']}/sources", json={"order": [own]}),
                 404, "not_found")
    assert_error(bob.delete(f"/api/watchlist/{item['id']}/sources/{own}"), 404, "not_found")
    assert_error(api.get("/api/watchlist/not-an-id/sources"), 404, "not_found")
    assert len(sources(api, item["id"])) == 1


def test_openapi_describes_the_sources_endpoints(api):
    paths = api.get("/api/openapi.json").get_json()["paths"]
    assert set(paths["/api/watchlist/{item_id}/sources"]) >= {"get", "post", "put"}
    assert "delete" in paths["/api/watchlist/{item_id}/sources/{source_id}"]


def test_export_and_import_keep_the_backup_sources_in_order(api, make_api):
    item = add_item(api)
    assert api.put(f"/api/watchlist/{item['id']}",
                   json={"langs": ["vostfr", "vf"]}).status_code == 200
    assert add_source(api, item["id"], anime_url=MIRROR, provider_id="directory"
                      ).status_code == 201
    doc = api.get("/api/watchlist/export").get_json()
    (exported,) = doc["items"]
    # the VF language row comes back through `langs`; only the mirror is listed
    assert exported["langs"] == ["vostfr", "vf"]
    assert exported["sources"] == [{"anime_url": MIRROR, "provider_id": "directory",
                                    "lang": "any"}]

    bob = make_api("bob")
    for _twice in range(2):
        assert bob.post("/api/watchlist/import", json=doc).status_code == 200
        (copy,) = bob.get("/api/watchlist").get_json()
        listed = sources(bob, copy["id"])
        assert [(s["provider_id"], s["lang"]) for s in listed] == [
            ("animesama", "vostfr"), ("animesama", "vf"), ("directory", "any")]
    assert sources(bob, copy["id"])[2]["anime_url"] == MIRROR

    # a bad backup source refuses the whole document, naming its field
    doc["items"][0]["sources"] = [{"anime_url": "https://example.com/x"}]
    bad = assert_error(make_api("carol").post("/api/watchlist/import", json=doc), 422,
                       "validation_error")
    assert bad["details"][0]["field"].startswith("items.0.sources.0.")
