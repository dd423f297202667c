"""POST /api/imports/mal, /api/imports/anilist, GET /api/imports/{id} and
POST /api/imports/{id}/confirm, against the fixture site and an AniList stand-in."""

from __future__ import annotations

import gzip

import pytest

from tests.fixture_site import site_config
from tests.fixtures.lists.standin import ANILIST_USER, MAL_EXPORT, add_catalogue, serve_anilist

XML = {"content_type": "application/xml"}


@pytest.fixture
def import_app(app, fixture_site, httpserver):
    """The app searching the fixture site (with the lists' anime) and the AniList stand-in."""
    add_catalogue(fixture_site)
    serve_anilist(httpserver)
    app.config.update(site_config(fixture_site), HOST_RATE_LIMIT_PER_SECOND=0,
                      HTTP_TIMEOUT=(1.0, 0.5), HTTP_RETRIES=1, HTTP_BACKOFF_SECONDS=0.01,
                      ANILIST_API_URL=httpserver.url_for("/"))
    return app


def _mal(api, body=None, **kw):
    return api.post("/api/imports/mal", data=MAL_EXPORT.read_bytes() if body is None else body,
                    **(kw or XML))


def _by_title(proposal):
    return {e["title"]: (i, e) for i, e in enumerate(proposal["entries"])}


def test_mal_export_gives_a_proposal(import_app, api, fixture_site):
    resp = _mal(api)
    assert resp.status_code == 201, resp.json
    proposal = resp.json
    assert set(proposal) >= {"id", "entries"} and len(proposal["entries"]) == 39
    entries = _by_title(proposal)
    _i, frieren = entries["Sousou no Frieren"]
    assert frieren == {"title": "Sousou no Frieren", "status": "watching", "confidence": 1.0,
                       "match": {"title": "Frieren", "provider_id": "animesama", "lang": "vostfr",
                                 "url": fixture_site.url + "/catalogue/frieren/saison1/vostfr/"}}
    _i, naruto = entries["Naruto"]
    assert naruto["match"] is None and naruto["status"] == "plan_to_watch"
    again = api.get(f"/api/imports/{proposal['id']}")
    assert again.status_code == 200 and again.json["entries"] == proposal["entries"]
    assert again.json["origin"] == "mal" and again.json["confirmed_at"] is None


def test_a_gzipped_export_and_text_xml_are_taken(import_app, api):
    gz = _mal(api, gzip.compress(MAL_EXPORT.read_bytes()), content_type="application/gzip")
    assert gz.status_code == 201 and len(gz.json["entries"]) == 39
    small = b"<myanimelist><anime><series_title>Blue Lock</series_title>" \
            b"<my_status>Watching</my_status></anime></myanimelist>"
    text = _mal(api, small, content_type="text/xml; charset=utf-8")
    assert text.status_code == 201 and text.json["entries"][0]["match"]["title"] == "Blue Lock"


@pytest.mark.parametrize("body, content_type, status", [
    (b"this is not XML", "application/xml", 422),
    (b"<html><body>hi</body></html>", "application/xml", 422),
    (b"", "application/xml", 422),
    (b'{"user": "x"}', "application/json", 415),
    (b"plain words", "text/plain", 415),
])
def test_what_is_not_an_export_is_refused(import_app, api, body, content_type, status):
    resp = _mal(api, body, content_type=content_type)
    assert resp.status_code == status
    assert resp.json["error"] == {422: "validation_error", 415: "unsupported_media_type"}[status]
    if status == 422:
        assert resp.json["details"][0]["field"] == "body"


def test_an_export_over_32_mib_is_refused(import_app, api):
    resp = _mal(api, b"<myanimelist>" + b" " * (33 * 1024 * 1024) + b"</myanimelist>")
    assert resp.status_code == 413 and resp.json["error"] == "payload_too_large"


def test_confirm_adds_accepted_and_corrected_entries_once(import_app, api, fixture_site):
    proposal = _mal(api).json
    entries = _by_title(proposal)
    accept = [entries[t][0] for t in ("Sousou no Frieren", "One Piece", "Blue Period")]
    one_piece = entries["One Piece"][0]
    blue_period = entries["Blue Period"][0]  # unmatched: corrected by hand
    override = {str(blue_period): {"url": fixture_site.url + "/catalogue/blue-lock/saison1/vostfr/",
                                   "provider_id": "animesama", "lang": "vostfr"}}
    resp = api.post(f"/api/imports/{proposal['id']}/confirm",
                    json={"accept": accept, "override": override})
    assert resp.status_code == 200 and resp.json == {"created": 3, "skipped": 0}
    items = {i["anime_url"]: i for i in api.get("/api/watchlist").json}
    assert set(items) == {fixture_site.url + p for p in (
        "/catalogue/frieren/saison1/vostfr/", "/catalogue/one-piece/saison1/vostfr/",
        "/catalogue/blue-lock/saison1/vostfr/")}
    frieren = items[fixture_site.url + "/catalogue/frieren/saison1/vostfr/"]
    assert frieren["last_episode_downloaded"] == 10  # the episodes already watched
    assert frieren["status"] == "active" and frieren["anime_title"] == "Frieren"
    # confirming twice, or importing the same list again, adds nothing
    twice = api.post(f"/api/imports/{proposal['id']}/confirm", json={"accept": accept,
                                                                     "override": override})
    assert twice.json == {"created": 0, "skipped": 3}
    fresh = _mal(api).json
    again = api.post(f"/api/imports/{fresh['id']}/confirm",
                     json={"accept": [_by_title(fresh)["One Piece"][0]]})
    assert again.json == {"created": 0, "skipped": 1}
    assert len(api.get("/api/watchlist").json) == 3
    assert one_piece in accept
    assert api.get(f"/api/imports/{proposal['id']}").json["created_count"] == 3


@pytest.mark.parametrize("body, field", [
    ({"accept": [999]}, "accept.0"),
    ({"accept": ["1"]}, "accept.0"),
    ({"accept": [0], "extra": 1}, "extra"),
    ({"accept": [0], "override": {"x": {"url": "https://a"}}}, "override.x"),
])
def test_bad_confirm_bodies_are_422(import_app, api, body, field):
    proposal = _mal(api).json
    resp = api.post(f"/api/imports/{proposal['id']}/confirm", json=body)
    assert resp.status_code == 422
    assert any(d["field"].startswith(field) for d in resp.json["details"]), resp.json


def test_unmatched_or_foreign_urls_are_refused_and_add_nothing(import_app, api):
    proposal = _mal(api).json
    entries = _by_title(proposal)
    naruto, frieren = entries["Naruto"][0], entries["Sousou no Frieren"][0]
    resp = api.post(f"/api/imports/{proposal['id']}/confirm",
                    json={"accept": [frieren, naruto]})
    assert resp.status_code == 422 and resp.json["details"][0]["field"] == "accept.1"
    foreign = api.post(f"/api/imports/{proposal['id']}/confirm", json={
        "accept": [frieren, naruto],
        "override": {str(naruto): {"url": "https://evil.example/catalogue/naruto/saison1/vostfr/",
                                   "provider_id": "animesama"}}})
    assert foreign.status_code == 422
    assert foreign.json["details"][0]["field"] == f"override.{naruto}.anime_url"
    assert api.get("/api/watchlist").json == []


def test_another_users_import_is_not_found(import_app, api, make_api):
    proposal = _mal(api).json
    bob = make_api("bob")
    assert bob.get(f"/api/imports/{proposal['id']}").status_code == 404
    resp = bob.post(f"/api/imports/{proposal['id']}/confirm", json={"accept": [0]})
    assert resp.status_code == 404 and resp.json["error"] == "not_found"
    assert api.get("/api/imports/nope").status_code == 404


def test_anilist_user_gives_a_proposal(import_app, api, fixture_site):
    resp = api.post("/api/imports/anilist", json={"user": ANILIST_USER})
    assert resp.status_code == 201, resp.json
    entries = _by_title(resp.json)
    assert len(entries) == 42
    _i, slime = entries["Tensei shitara Slime Datta Ken"]
    assert slime["match"]["url"] == (fixture_site.url +
                                     "/anime/info/9520-tensei-shitara-slime-datta-ken_vostfr")
    assert entries["Kimi no Na wa."][1]["match"] is None


def test_anilist_errors(import_app, api, app):
    unknown = api.post("/api/imports/anilist", json={"user": "nobody"})
    assert unknown.status_code == 422 and unknown.json["details"][0]["field"] == "user"
    bad = api.post("/api/imports/anilist", json={"user": "a b"})
    assert bad.status_code == 422
    assert api.post("/api/imports/anilist", json={}).status_code == 422
    app.config["ANILIST_API_URL"] = "http://127.0.0.1:9/"
    down = api.post("/api/imports/anilist", json={"user": ANILIST_USER})
    assert down.status_code == 503 and down.json["error"] == "service_unavailable"
    assert "AniList could not be reached" in down.json["message"]


def test_imports_need_a_write_token(import_app, make_api, client):
    reader = make_api("reader", scopes="read")
    assert _mal(reader).status_code == 403
    assert client.post("/api/imports/mal", data=b"<x/>", **XML).status_code == 401


def test_openapi_describes_the_imports(import_app, client):
    paths = client.get("/api/openapi.json").json["paths"]
    mal = paths["/api/imports/mal"]["post"]
    assert set(mal["requestBody"]["content"]) >= {"application/xml", "application/gzip"}
    assert "201" in mal["responses"]
    assert "/api/imports/{import_id}/confirm" in paths
