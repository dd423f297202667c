"""Anime detail page and downloads page: episode states, live progress fragment, actions."""

from __future__ import annotations

import re

import pytest

from tests.page_helpers import add_episodes, add_items, post, quick_user

HX = {"HX-Request": "true"}


@pytest.fixture
def item(app, alice):
    (item_id,) = add_items(app, alice, 1, synopsis="A long journey.", genres=["Fantasy"])
    return item_id


def test_detail_shows_info_and_every_episode_state(logged, app, item):
    ids = add_episodes(app, item, [1, 2, 3, 4, 5], {
        1: {"status": "completed", "path": "/lib/Show 0/Season 01/Show 0 - S01E01.mp4"},
        2: {"status": "failed", "error": "The host answered 404: the video was removed."},
        3: {"status": "running", "bytes_done": 500, "bytes_total": 1000},
        4: {"status": "queued"},
    })
    html = logged.get(f"/watchlist/{item}").get_data(as_text=True)
    assert "A long journey." in html and "Fantasy" in html
    assert "Show 0 - S01E01.mp4" in html and "Download again" in html
    assert "the video was removed." in html and ">Retry<" in html
    assert '<progress max="1000" value="500">' in html
    # No cell polls on its own: the episodes section refreshes when the page's live poll
    # says downloads or items changed.
    assert f'id="dl-{ids[3]}" hx-get=' not in html and f'id="dl-{ids[4]}" hx-get=' not in html
    section = html.split('id="episodes"')[1].split(">")[0]
    assert 'hx-trigger="live-items from:body, live-downloads from:body"' in section
    assert html.count(">Download<") == 1  # episode 5, never downloaded


def test_progress_fragment_shows_live_figures(logged, app, item, redis_conn):
    ids = add_episodes(app, item, [1], {1: {"status": "running", "bytes_total": 2000}})
    redis_conn.hset(f"progress:download:{ids[1]}",
                    mapping={"bytes": 1500, "total": 2000, "speed": 1024, "eta": "1"})
    running = logged.get(f"/downloads/{ids[1]}/state", headers=HX).get_data(as_text=True)
    assert "hx-trigger" not in running and 'value="1500"' in running
    assert "75%" in running and "1.0 KB/s" in running
    from webapp.extensions import db
    from webapp.models import Download

    with app.app_context():
        db.session.get(Download, ids[1]).status = "completed"
        db.session.commit()
    done = logged.get(f"/downloads/{ids[1]}/state", headers=HX).get_data(as_text=True)
    assert "hx-trigger" not in done and "downloaded" in done


def test_download_on_demand_and_retry(logged, app, item):
    ids = add_episodes(app, item, [1, 2], {2: {"status": "failed", "error": "gone"}})
    resp = post(logged, f"/watchlist/{item}/episodes/1/download", htmx=True)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and ("queued" in html or "waiting" in html)
    assert resp.headers["HX-Trigger"] == "downloads-changed"
    again = post(logged, f"/watchlist/{item}/episodes/1/download", htmx=True)
    assert again.status_code == 409 and "already" in again.get_data(as_text=True)
    retried = post(logged, f"/downloads/{ids[2]}/retry", htmx=True).get_data(as_text=True)
    assert "failed" not in retried
    assert post(logged, f"/watchlist/{item}/episodes/9/download", htmx=True).status_code == 404


def test_cancel_without_javascript_returns_to_the_page(logged, app, item):
    ids = add_episodes(app, item, [1], {1: {"status": "queued"}})
    resp = post(logged, f"/downloads/{ids[1]}/cancel", {"next": f"/watchlist/{item}"})
    assert resp.status_code == 303 and resp.headers["Location"] == f"/watchlist/{item}"
    assert "cancelled" in logged.get(f"/watchlist/{item}").get_data(as_text=True)


def test_downloads_page_groups_and_refreshes_on_live_events(logged, app, item):
    ids = add_episodes(app, item, [1, 2, 3], {1: {"status": "running", "bytes_total": 10},
                                              2: {"status": "failed", "error": "disk full"},
                                              3: {"status": "completed", "path": "/x/a.mkv"}})
    html = logged.get("/downloads").get_data(as_text=True)
    assert "In progress and waiting (1)" in html and "Failed (1)" in html and "a.mkv" in html
    assert 'hx-trigger="live-downloads from:body, downloads-changed from:body"' in html
    # The list refreshes as a whole: its rows do not poll on their own.
    assert f'id="dl-{ids[1]}" hx-get' not in html
    post(logged, f"/downloads/{ids[1]}/cancel", htmx=True)
    idle = logged.get("/downloads", headers=HX).get_data(as_text=True)
    assert 'hx-trigger="live-downloads from:body, downloads-changed from:body"' in idle


def test_edit_item_settings(logged, app, item):
    resp = post(logged, f"/watchlist/{item}/edit", {"anime_title": "Renamed", "status": "paused",
                                                    "quality_preference": "720p",
                                                    "lang": "default"}, htmx=True)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Saved." in html and 'value="Renamed"' in html
    assert re.search(r'<option value="720p" selected>', html)
    page = logged.get(f"/watchlist/{item}").get_data(as_text=True)
    assert "badge paused" in page and "auto-download off" in page
    bad = post(logged, f"/watchlist/{item}/edit", {"anime_title": "x" * 600}, htmx=True)
    assert bad.status_code == 422 and "error" in bad.get_data(as_text=True)


def test_other_users_download_is_404(logged, app):
    bob = quick_user(app, "bob")
    (bobs_item,) = add_items(app, bob, 1)
    ids = add_episodes(app, bobs_item, [1], {1: {"status": "failed"}})
    assert logged.get(f"/downloads/{ids[1]}/state").status_code == 404
    assert post(logged, f"/downloads/{ids[1]}/retry").status_code == 404
    assert post(logged, f"/watchlist/{bobs_item}/episodes/1/download").status_code == 404


@pytest.mark.parametrize("download_id", ["0", "2147483648", "999999999999999999999"])
def test_download_ids_no_database_column_holds_are_404_pages(logged, download_id):
    """Ids beyond the database's integer range never reach it (an overflow was a 500)."""
    page = logged.get(f"/downloads/{download_id}/state")
    assert page.status_code == 404 and "Page not found" in page.get_data(as_text=True)
    assert post(logged, f"/downloads/{download_id}/retry").status_code == 404
    assert post(logged, f"/downloads/{download_id}/cancel", htmx=True).status_code == 404
