"""GET /api/providers and GET /api/search against the fixture site."""

from __future__ import annotations

import json

import pytest

RESULT_KEYS = {"title", "url", "provider_id", "langs", "poster_image", "synopsis", "genres"}


@pytest.fixture
def site_app(app, fixture_site):
    """The app with every site provider pointed at the fixture site, fast HTTP settings."""
    from tests.fixture_site import site_config

    app.config.update(site_config(fixture_site), HOST_RATE_LIMIT_PER_SECOND=0,
                      HTTP_TIMEOUT=(1.0, 0.5), HTTP_RETRIES=1, HTTP_BACKOFF_SECONDS=0.01)
    return app


def test_providers_list(site_app, api, fixture_site):
    resp = api.get("/api/providers")
    assert resp.status_code == 200
    providers = resp.json
    assert [p["id"] for p in providers] == ["animesama", "nekosama", "animeultime",
                                            "directory", "rss"]
    animesama = providers[0]
    assert set(animesama) == {"id", "name", "domains", "base_url", "langs", "can_search",
                              "enabled", "status_note"}
    assert animesama["base_url"] == fixture_site.url
    assert "anime-sama.to" in animesama["domains"] and "127.0.0.1" in animesama["domains"]
    assert "vostfr" in animesama["langs"] and animesama["can_search"] and animesama["enabled"]
    assert [p["can_search"] for p in providers[3:]] == [False, False]


def test_providers_say_which_sites_have_no_live_domain(site_app, api):
    notes = {p["id"]: p["status_note"] for p in api.get("/api/providers").json}
    assert notes["nekosama"] == ("neko-sama has had no live domain since 2024; set "
                                 "NEKOSAMA_BASE_URL to a mirror if one appears.")
    assert [notes[i] for i in ("animesama", "animeultime", "directory", "rss")] == [None] * 4


def test_providers_need_a_token(site_app, client):
    assert client.get("/api/providers").status_code == 401


def test_search_across_providers(site_app, api, fixture_site):
    resp = api.get("/api/search?q=naruto")
    assert resp.status_code == 200 and "X-Search-Errors" not in resp.headers
    assert [(r["provider_id"], r["title"]) for r in resp.json] == [
        ("animesama", "Naruto Shippuden")]
    assert set(resp.json[0]) == RESULT_KEYS
    assert resp.json[0]["url"] == fixture_site.url + "/catalogue/naruto-shippuden/"
    slime = api.get("/api/search?q=slime&provider_id=nekosama").json
    assert [r["provider_id"] for r in slime] == ["nekosama", "nekosama"]
    assert {tuple(r["langs"]) for r in slime} == {("vostfr",), ("vf",)}


def test_a_failing_provider_leaves_the_others_results(site_app, api, fixture_site):
    fixture_site.fail("/animes-search", status=500)
    resp = api.get("/api/search?q=nanoha")
    assert resp.status_code == 200
    assert [r["provider_id"] for r in resp.json] == ["animeultime"]
    errors = json.loads(resp.headers["X-Search-Errors"])
    assert [e["provider_id"] for e in errors] == ["nekosama"]
    assert "500" in errors[0]["error"]
    # the site that did not answer is skipped for a while and shown as not enabled
    enabled = {p["id"]: p["enabled"] for p in api.get("/api/providers").json}
    assert enabled == {"animesama": True, "nekosama": False, "animeultime": True,
                       "directory": True, "rss": True}
    fixture_site.reset_counts()
    again = api.get("/api/search?q=nanoha")
    assert "skipped" in json.loads(again.headers["X-Search-Errors"])[0]["error"]
    assert fixture_site.hits("/animes-search-vostfr.json") == 0


def test_a_blocked_provider_is_reported_but_not_skipped(site_app, api, fixture_site):
    fixture_site.challenge("/catalogue/")
    fixture_site.challenge("/template-php/")
    resp = api.get("/api/search?q=frieren")
    errors = json.loads(resp.headers["X-Search-Errors"])
    assert errors[0]["provider_id"] == "animesama" and "challenge" in errors[0]["error"]
    assert {p["id"]: p["enabled"] for p in api.get("/api/providers").json}["animesama"]


@pytest.mark.parametrize("query, field", [
    ("", "q"), ("?q=", "q"), ("?q=%20%20", "q"), ("?q=x&provider_id=directory", "provider_id"),
    ("?q=x&provider_id=nope", "provider_id"), ("?q=" + "x" * 201, "q"),
])
def test_search_validation(site_app, api, query, field):
    resp = api.get("/api/search" + query)
    assert resp.status_code == 422
    assert resp.json["error"] == "validation_error"
    assert [d["field"] for d in resp.json["details"]] == [field]
