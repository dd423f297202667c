"""One honest item state through the API (issue 15): the last attempt and the last success
kept apart, written by a real check; sorting; resume; every bad field of a create body."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.api_helpers import add_item, assert_error, fields_of
from tests.check_helpers import configure, new_show
from webapp.extensions import db
from webapp.models import SourceEpisode, WatchlistItem


def _check(app, item_id: str):
    from webapp.checking.checker import EpisodeChecker

    with app.app_context():
        source_id = db.session.get(WatchlistItem, item_id).source_id
        return EpisodeChecker().check_source(source_id)


def test_a_failed_check_sets_the_attempt_and_a_good_one_the_success(api, app, fixture_site):
    configure(app)
    url = new_show(fixture_site, "honest", episodes=2)
    item = add_item(api, anime_url=url, provider_id="directory", anime_title="Honest")
    assert item["last_attempt_at"] is None and item["last_success_at"] is None

    fixture_site.fail("/dir/nginx/honest/", status=404)
    assert _check(app, item["id"]).error
    failed = api.get(f"/api/watchlist/{item['id']}").get_json()
    assert failed["last_error"] and failed["last_attempt_at"] is not None
    assert failed["last_success_at"] is None and failed["last_checked_at"] is None

    fixture_site.clear_rules()
    assert _check(app, item["id"]).error is None
    good = api.get(f"/api/watchlist/{item['id']}").get_json()
    assert good["last_error"] is None
    assert good["last_success_at"] == good["last_checked_at"] == good["last_attempt_at"]
    assert good["last_attempt_at"] >= failed["last_attempt_at"]

    fixture_site.fail("/dir/nginx/honest/", status=404)
    _check(app, item["id"])
    again = api.get(f"/api/watchlist/{item['id']}").get_json()
    assert again["last_success_at"] == good["last_success_at"]   # the last success stays
    assert again["last_checked_at"] == good["last_checked_at"]
    assert again["last_attempt_at"] > good["last_success_at"] or \
        again["last_attempt_at"] == good["last_success_at"]      # same second at worst
    assert again["last_error"]


def test_resume_of_an_active_item_keeps_its_next_check(api, app):
    item = add_item(api, 1)
    later = datetime(2030, 1, 1, tzinfo=UTC)
    with app.app_context():
        db.session.get(WatchlistItem, item["id"]).next_check_at = later
        db.session.commit()
    resumed = api.post(f"/api/watchlist/{item['id']}/resume").get_json()
    assert resumed["status"] == "active" and resumed["next_check_at"] == "2030-01-01T00:00:00Z"
    api.post(f"/api/watchlist/{item['id']}/pause")
    resumed = api.post(f"/api/watchlist/{item['id']}/resume").get_json()
    assert resumed["next_check_at"] != "2030-01-01T00:00:00Z"   # a paused one is due at once


def test_a_create_body_without_title_also_names_the_bad_url(api):
    resp = api.post("/api/watchlist", json={"anime_url": "https://unknown.example/show/"})
    body = assert_error(resp, 422, "validation_error")
    assert set(fields_of(body)) >= {"anime_title", "provider_id"} or \
        set(fields_of(body)) >= {"anime_title", "anime_url"}
    resp = api.post("/api/watchlist", json={"anime_url": "ftp://x", "provider_id": "directory"})
    assert set(fields_of(assert_error(resp, 422, "validation_error"))) == {"anime_title",
                                                                           "anime_url"}
    # A good URL adds nothing but the missing title.
    resp = api.post("/api/watchlist", json={"anime_url": "https://files.example.org/a/",
                                            "provider_id": "directory"})
    assert fields_of(assert_error(resp, 422, "validation_error")) == ["anime_title"]


def _titles(api, query: str) -> list[str]:
    resp = api.get("/api/watchlist" + query)
    assert resp.status_code == 200, resp.get_json()
    return [i["anime_title"] for i in resp.get_json()]


def test_the_list_sorts_by_title_next_check_last_new_episode_and_added(api, app):
    ids = {t: add_item(api, n, anime_title=t)["id"]
           for n, t in enumerate(["banana", "Cherry", "apple"])}
    t0 = datetime(2026, 6, 1, tzinfo=UTC)
    with app.app_context():
        for n, title in enumerate(["Cherry", "apple", "banana"]):   # next check order
            item = db.session.get(WatchlistItem, ids[title])
            item.next_check_at = t0 + timedelta(hours=n)
        for n, title in enumerate(["apple", "Cherry"]):              # banana: no episode
            item = db.session.get(WatchlistItem, ids[title])
            db.session.add(SourceEpisode(source_id=item.source_id, number=1, players=[],
                                         first_seen_at=t0 + timedelta(days=n)))
        db.session.commit()
    assert _titles(api, "") == ["apple", "Cherry", "banana"]            # newest first
    assert _titles(api, "?sort=added&order=asc") == ["banana", "Cherry", "apple"]
    assert _titles(api, "?sort=title") == ["apple", "banana", "Cherry"]
    assert _titles(api, "?sort=title&order=desc") == ["Cherry", "banana", "apple"]
    assert _titles(api, "?sort=next_check") == ["Cherry", "apple", "banana"]
    assert _titles(api, "?sort=last_new_episode") == ["Cherry", "apple", "banana"]
    assert _titles(api, "?sort=last_new_episode&order=asc") == ["apple", "Cherry", "banana"]
    assert_error(api.get("/api/watchlist?sort=size"), 422, "validation_error")
    assert_error(api.get("/api/watchlist?order=up"), 422, "validation_error")


@pytest.mark.usefixtures("on_fixture_site")
def test_search_answers_503_when_every_site_failed(api, fixture_site):
    fixture_site.fail("/", status=500)
    resp = api.get("/api/search?q=frieren")
    body = assert_error(resp, 503, "service_unavailable")
    assert body["details"] and all(d["provider_id"] and d["message"] for d in body["details"])
    resp = api.get("/api/search?q=frieren&provider_id=nekosama")
    assert [d["provider_id"] for d in assert_error(resp, 503, "service_unavailable")
            ["details"]] == ["nekosama"]
