"""The check endpoints: check now (and ?wait), check all, jobs (owner only), episodes."""

from __future__ import annotations

import threading
import time

import pytest
from rq import Queue

from tests.api_helpers import assert_error
from tests.check_helpers import configure, new_show, run_worker

RESULT_KEYS = {"item_id", "anime_title", "checked_at", "episodes_available", "new_episodes",
               "downloads_queued", "error"}


@pytest.fixture
def fast(app):
    return configure(app)


def add(api, url: str, **extra) -> dict:
    resp = api.post("/api/watchlist", json={"anime_title": "Alpha", "anime_url": url,
                                            "provider_id": "directory", **extra})
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def work(app, redis_conn) -> None:
    with app.app_context():
        run_worker(redis_conn)


def test_check_now_then_read_the_job(fast, api, fixture_site, redis_conn):
    item = add(api, new_show(fixture_site, "alpha", episodes=2))

    resp = api.post(f"/api/watchlist/{item['id']}/check")
    assert resp.status_code == 202
    body = resp.get_json()
    assert body["status"] == "queued" and body["job_id"]
    assert api.get(f"/api/jobs/{body['job_id']}").get_json() == {
        "id": body["job_id"], "status": "queued", "result": None, "error": None}

    work(fast, redis_conn)

    job = api.get(f"/api/jobs/{body['job_id']}").get_json()
    assert job["status"] == "finished" and job["error"] is None
    assert set(job["result"]) == RESULT_KEYS
    assert job["result"]["new_episodes"] == [1, 2]
    assert job["result"]["checked_at"].endswith("Z")
    refreshed = api.get(f"/api/watchlist/{item['id']}").get_json()
    assert refreshed["last_episode_available"] == 2 and refreshed["last_checked_at"]


def test_another_users_job_and_item_are_404(fast, api, make_api, fixture_site, redis_conn):
    item = add(api, new_show(fixture_site, "mine", episodes=1))
    job_id = api.post(f"/api/watchlist/{item['id']}/check").get_json()["job_id"]
    work(fast, redis_conn)
    bob = make_api("bob")

    assert_error(bob.get(f"/api/jobs/{job_id}"), 404, "not_found")
    assert_error(bob.post(f"/api/watchlist/{item['id']}/check"), 404, "not_found")
    assert_error(bob.get(f"/api/watchlist/{item['id']}/episodes"), 404, "not_found")
    assert_error(api.get("/api/jobs/check-source-1"), 404, "not_found")
    assert_error(api.get("/api/jobs/no-such-job"), 404, "not_found")


def test_wait_returns_the_result(fast, api, fixture_site, redis_conn):
    item = add(api, new_show(fixture_site, "waited", episodes=3))
    answer: dict = {}

    def ask() -> None:
        answer["resp"] = api.post(f"/api/watchlist/{item['id']}/check?wait=20")

    thread = threading.Thread(target=ask)
    thread.start()
    queue = Queue("checks", connection=redis_conn)
    deadline = time.monotonic() + 10
    while not len(queue) and time.monotonic() < deadline:
        time.sleep(0.01)
    work(fast, redis_conn)             # the worker runs in the main thread (signals)
    thread.join(20)

    resp = answer["resp"]
    assert resp.status_code == 200
    assert set(resp.get_json()) == RESULT_KEYS
    assert resp.get_json()["episodes_available"] == 3


def test_wait_that_runs_out_answers_202(fast, api, fixture_site):
    item = add(api, new_show(fixture_site, "nowork", episodes=1))
    resp = api.post(f"/api/watchlist/{item['id']}/check?wait=1")
    assert resp.status_code == 202 and resp.get_json()["status"] == "queued"


@pytest.mark.parametrize("wait", ["31", "-1", "abc", "1.5"])
def test_wait_is_validated(fast, api, fixture_site, wait):
    item = add(api, new_show(fixture_site, "badwait", episodes=1))
    body = assert_error(api.post(f"/api/watchlist/{item['id']}/check?wait={wait}"), 422,
                        "validation_error")
    assert body["details"][0]["field"] == "wait"


def test_check_all_due_or_forced(fast, api, fixture_site, redis_conn):
    due = add(api, new_show(fixture_site, "due", episodes=1))
    done = add(api, new_show(fixture_site, "done", episodes=1))
    paused = add(api, new_show(fixture_site, "paused", episodes=1))
    api.post(f"/api/watchlist/{paused['id']}/pause")
    api.post(f"/api/watchlist/{done['id']}/check")
    work(fast, redis_conn)

    resp = api.post("/api/watchlist/check-all")
    assert resp.status_code == 202
    assert resp.get_json()["queued"] == 1
    forced = api.post("/api/watchlist/check-all?force=true").get_json()
    assert forced["queued"] == 2 and len(set(forced["job_ids"])) == 2
    work(fast, redis_conn)
    results = [api.get(f"/api/jobs/{j}").get_json()["result"]["item_id"]
               for j in resp.get_json()["job_ids"]]
    assert results == [due["id"]]


def test_episodes_list_each_with_its_download(fast, api, fixture_site, redis_conn):
    item = add(api, new_show(fixture_site, "eps", episodes=3), last_episode_downloaded=1)
    assert api.get(f"/api/watchlist/{item['id']}/episodes").get_json() == []
    api.post(f"/api/watchlist/{item['id']}/check")
    work(fast, redis_conn)

    episodes = api.get(f"/api/watchlist/{item['id']}/episodes").get_json()

    assert [e["number"] for e in episodes] == [1, 2, 3]
    assert episodes[0]["download"] is None
    assert all(e["first_seen_at"].endswith("Z") for e in episodes)
    second = episodes[1]["download"]
    assert second["episode"] == 2 and second["item_id"] == item["id"]
    assert second["status"] in {"pending", "queued"} and second["anime_title"] == "Alpha"


def test_checks_without_redis_answer_503(fast, api, fixture_site, redis_server):
    item = add(api, new_show(fixture_site, "noredis", episodes=1))
    fast.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    body = assert_error(api.post(f"/api/watchlist/{item['id']}/check"), 503,
                        "service_unavailable")
    assert "Redis" in body["message"]
