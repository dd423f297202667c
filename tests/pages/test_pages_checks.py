"""Check now from the pages: the row shows "checking…" and polls until the job ends."""

from __future__ import annotations

import re

import pytest

from tests.check_helpers import new_show, run_worker
from tests.page_helpers import post

HX = {"HX-Request": "true"}


pytestmark = pytest.mark.usefixtures("on_fixture_site")


def _add(logged, url):
    resp = post(logged, "/add", {"anime_url": url, "provider_id": "directory",
                                 "anime_title": "Frieren", "auto_download": "on"})
    assert resp.status_code == 303, resp.get_data(as_text=True)
    return resp.headers["Location"].rsplit("/", 1)[-1]


def test_check_now_shows_checking_then_the_result(logged, app, fixture_site, redis_conn):
    item_id = _add(logged, new_show(fixture_site, "frieren", episodes=3))
    row = post(logged, f"/watchlist/{item_id}/check", htmx=True).get_data(as_text=True)
    assert "check queued…" in row and 'hx-trigger="load delay:2s"' in row
    poll_url = re.search(r'hx-get="([^"]+)"', row).group(1).replace("&amp;", "&")
    assert "job=check-" in poll_url
    assert "check queued…" in logged.get(poll_url, headers=HX).get_data(as_text=True)
    with app.app_context():
        run_worker(redis_conn)
    done = logged.get(poll_url, headers=HX).get_data(as_text=True)
    assert "check queued…" not in done and "checking…" not in done and "hx-trigger" not in done
    assert "3 new episodes" in done and "Ep. 0 / 3" in done
    detail = logged.get(f"/watchlist/{item_id}").get_data(as_text=True)
    assert detail.count("<tr id=\"ep-") == 3


def test_check_now_without_javascript_returns_to_the_detail_page(logged, fixture_site):
    item_id = _add(logged, new_show(fixture_site, "frieren", episodes=2))
    resp = post(logged, f"/watchlist/{item_id}/check", {"next": f"/watchlist/{item_id}"})
    assert resp.status_code == 303
    assert resp.headers["Location"].startswith(f"/watchlist/{item_id}?job=check-")
    page = logged.get(resp.headers["Location"]).get_data(as_text=True)
    assert "checking…" in page and 'hx-trigger="load delay:2s"' in page


def test_check_now_when_redis_is_down_says_so(logged, app, fixture_site):
    from tests.helpers import free_port

    item_id = _add(logged, new_show(fixture_site, "frieren", episodes=2))
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"
    resp = post(logged, f"/watchlist/{item_id}/check", htmx=True)
    assert resp.status_code == 503 and "Redis" in resp.get_data(as_text=True)
    page = logged.get("/watchlist").get_data(as_text=True)
    assert "Redis is not answering" in page and "Frieren" in page
    # Every other page still renders from the database.
    for path in (f"/watchlist/{item_id}", "/downloads", "/settings", "/notifications"):
        assert logged.get(path).status_code == 200, path
