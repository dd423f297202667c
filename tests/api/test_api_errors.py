"""Every error status of the API in SPEC's shape: 400, 401, 403, 404, 405, 413, 415, 422."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.api_helpers import FRIEREN, add_item, assert_error, create_body, fields_of
from webapp.auth.tokens import create_token, revoke_token
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.models import ApiToken


def test_malformed_json_is_400(api):
    resp = api.post("/api/watchlist", data='{"anime_title": ', content_type="application/json")
    assert_error(resp, 400, "bad_request")


def test_missing_or_unknown_token_is_401(client):
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic x"},
                    {"X-Api-Key": "nope"}):
        resp = client.get("/api/watchlist", headers=headers)
        assert_error(resp, 401, "unauthorized")
        assert resp.headers["WWW-Authenticate"].startswith("Bearer")


def test_expired_and_revoked_tokens_are_401(app, api, client):
    assert api.get("/api/watchlist").status_code == 200
    with app.app_context():
        token = db.session.query(ApiToken).filter_by(user_id=api.user.id).one()
        token.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert_error(api.get("/api/watchlist"), 401, "unauthorized")
    with app.app_context():
        _row, raw = create_token(api.user, "second")
        revoke_token(api.user.id, _row.id)
    assert_error(client.get("/api/watchlist", headers={"Authorization": f"Bearer {raw}"}),
                 401, "unauthorized")


def test_x_api_key_header_is_accepted(api, client):
    resp = client.get("/api/watchlist", headers={"X-Api-Key": api.token})
    assert resp.status_code == 200 and resp.get_json() == []


def test_read_token_can_read_but_not_write(make_api):
    reader = make_api("reader", scopes="read")
    assert reader.get("/api/watchlist").status_code == 200
    for method, path in (("post", "/api/watchlist"), ("put", "/api/watchlist/settings"),
                         ("post", "/api/notifications/read"),
                         ("delete", "/api/watchlist/" + "0" * 32)):
        assert_error(getattr(reader, method)(path, json={}), 403, "forbidden")
    feeds = make_api("feeds", scopes="feeds")
    assert_error(feeds.get("/api/watchlist"), 403, "forbidden")


def test_unknown_endpoint_is_json_404(api):
    assert_error(api.get("/api/nothing-here"), 404, "not_found")


def test_wrong_method_is_json_405(api):
    resp = api.delete("/api/watchlist")
    assert_error(resp, 405, "method_not_allowed")
    assert "GET" in resp.headers["Allow"]


def test_body_over_one_mebibyte_is_413(api):
    big = create_body(synopsis="x" * (1024 * 1024))
    assert_error(api.post("/api/watchlist", json=big), 413, "payload_too_large")


def test_non_json_body_is_415(api):
    for content_type in ("text/plain", "application/x-www-form-urlencoded"):
        resp = api.post("/api/watchlist", data="anime_title=x", content_type=content_type)
        assert_error(resp, 415, "unsupported_media_type")


def test_json_that_is_not_an_object_is_422(api):
    for raw in ("[1, 2]", '"text"', "3", "null"):
        resp = api.post("/api/watchlist", data=raw, content_type="application/json")
        assert_error(resp, 422, "validation_error")


def test_missing_body_is_422(api):
    assert_error(api.post("/api/watchlist"), 422, "validation_error")


@pytest.mark.parametrize(("overrides", "field"), [
    ({"colour": "red"}, "colour"),
    ({"anime_title": None}, "anime_title"),
    ({"anime_title": "x" * 10_000}, "anime_title"),
    ({"anime_title": "   "}, "anime_title"),
    ({"anime_title": 5}, "anime_title"),
    ({"anime_title": "Frie\x00ren"}, "anime_title"),
    ({"anime_url": None}, "anime_url"),
    ({"anime_url": "https://anime-sama.si/" + "a" * 2000}, "anime_url"),
    ({"anime_url": "not a url"}, "anime_url"),
    ({"anime_url": "https://unknown.example/anime/1"}, "provider_id"),
    ({"auto_download": 1}, "auto_download"),
    ({"auto_download": "true"}, "auto_download"),
    ({"quality_preference": "4k"}, "quality_preference"),
    ({"poster_image": "javascript:alert(1)"}, "poster_image"),
    ({"poster_image": "https://img.example/" + "a" * 2000}, "poster_image"),
    ({"synopsis": "x" * 5001}, "synopsis"),
    ({"genres": ["g"] * 51}, "genres"),
    ({"genres": ["x" * 101]}, "genres.0"),
    ({"genres": "Action"}, "genres"),
    ({"last_episode_downloaded": "6"}, "last_episode_downloaded"),
    ({"last_episode_downloaded": -1}, "last_episode_downloaded"),
    ({"lang": "x" * 17}, "lang"),
])
def test_invalid_create_bodies_are_422_naming_the_field(api, overrides, field):
    resp = api.post("/api/watchlist", json=create_body(**overrides))
    body = assert_error(resp, 422, "validation_error")
    assert fields_of(body) == [field]
    assert all(isinstance(d["message"], str) and d["message"] for d in body["details"])


def test_blank_title_says_it_must_not_be_empty(api):
    body = assert_error(api.post("/api/watchlist", json=create_body(anime_title=" ")), 422,
                        "validation_error")
    assert body["details"] == [{"field": "anime_title", "message": "must not be empty"}]


def test_missing_required_fields_each_get_a_detail(api):
    body = assert_error(api.post("/api/watchlist", json={"auto_download": True}), 422,
                        "validation_error")
    assert sorted(fields_of(body)) == ["anime_title", "anime_url"]
    assert {d["message"] for d in body["details"]} == {"is required"}


def test_non_finite_numbers_are_422(api):
    raw = f'{{"anime_title": "F", "anime_url": "{FRIEREN}", "last_episode_downloaded": NaN}}'
    resp = api.post("/api/watchlist", data=raw, content_type="application/json")
    assert fields_of(assert_error(resp, 422, "validation_error")) == ["last_episode_downloaded"]


def test_lone_surrogates_are_422_not_500(api):
    raw = f'{{"anime_title": "F\\ud800", "anime_url": "{FRIEREN}"}}'
    resp = api.post("/api/watchlist", data=raw, content_type="application/json")
    assert fields_of(assert_error(resp, 422, "validation_error")) == ["anime_title"]


def test_mark_read_ids_must_be_small_integers(api):
    for bad in ({"ids": ["1"]}, {"ids": [2**40]}, {"ids": [True]}, {}, {"ids": [1], "all": True},
                {"all": "yes"}):
        assert_error(api.post("/api/notifications/read", json=bad), 422, "validation_error")


def test_other_users_item_is_404_on_every_item_endpoint(api, make_api):
    item = add_item(api)
    bob = make_api("bob")
    path = f"/api/watchlist/{item['id']}"
    for method, suffix, body in (("get", "", None), ("put", "", {"anime_title": "Mine"}),
                                 ("delete", "", None), ("post", "/pause", None),
                                 ("post", "/resume", None)):
        assert_error(getattr(bob, method)(path + suffix, json=body), 404, "not_found")
    assert api.get(path).get_json() == item


@pytest.mark.parametrize("path, size_mb", [("/api/watchlist/import", 40),
                                           ("/api/watchlist", 3)])
def test_a_body_over_the_limit_gets_the_json_413_over_a_real_connection(app, api, path,
                                                                        size_mb):
    """Through a real socket, not the test client: the refused body is read to its end,
    so the client gets the 413 answer instead of a connection reset."""
    import threading

    import requests
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        resp = requests.post(f"http://127.0.0.1:{server.server_port}{path}",
                             data=b"{" + b" " * (size_mb * 1024 * 1024) + b"}",
                             headers={"Authorization": f"Bearer {api.token}",
                                      "Content-Type": "application/json"}, timeout=30)
    finally:
        server.shutdown()
        server.server_close()
    assert resp.status_code == 413
    assert resp.json()["error"] == "payload_too_large"
