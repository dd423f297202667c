"""Open pages stay live (SPEC §6, issue 15) in Chromium with the production poll interval:
a check the scheduler's worker runs shows on an open detail page and the watchlist within
5 seconds, without a reload, at no more than one request a second."""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import log_in, mark_page, not_reloaded
from tests.check_helpers import CHECK_CONFIG, configure, new_show, watch

pytestmark = pytest.mark.browser


def _run_check(app: Any, redis_conn: Any, item_id: str) -> None:
    """What the scheduler does for a due item: a check job, run by a worker."""
    from rq import Queue

    from tests.check_helpers import BurstWorker
    from webapp.checking.enqueue import enqueue_source_check
    from webapp.extensions import db
    from webapp.models import WatchlistItem

    with app.app_context():
        enqueue_source_check(db.session.get(WatchlistItem, item_id).source_id)
        BurstWorker([Queue("checks", connection=redis_conn)],
                    connection=redis_conn).work(burst=True)
        db.session.remove()


def test_a_scheduled_check_shows_on_open_pages_within_five_seconds(
        page: Any, live: str, app: Any, users: dict, fixture_site: Any,
        redis_conn: Any) -> None:
    app.config["LIVE_POLL_SECONDS"] = 3        # what production pages use
    app.config.update(CHECK_CONFIG)
    configure(app)
    with app.app_context():
        item_id = watch(users["alice"].id, new_show(fixture_site, "live-show", episodes=3),
                        title="Live Show", auto_download=False)
    log_in(page, live)
    page.goto(f"{live}/watchlist/{item_id}")
    mark_page(page)
    expect(page.locator("#episodes")).not_to_contain_text("E03")
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))

    started = time.monotonic()
    _run_check(app, redis_conn, item_id)
    expect(page.locator("#ep-3")).to_be_visible(timeout=5000)
    assert time.monotonic() - started < 5
    assert not_reloaded(page)

    requests.clear()
    page.wait_for_timeout(6000)                # six quiet seconds: polls only, all 204
    assert 1 <= len(requests) <= 3, requests
    assert all("/live?" in url for url in requests)

    page.goto(f"{live}/watchlist")
    mark_page(page)
    row = page.locator(".item", has_text="Live Show")
    expect(row).to_contain_text("3")
    with app.app_context():
        from webapp.watchlist.manager import WatchlistManager

        WatchlistManager(users["alice"].id).pause(item_id)
    expect(page.locator(".item", has_text="Live Show")).to_contain_text(
        "aused", timeout=5000)
    assert not_reloaded(page)


def _count(page: Any, label: str) -> Any:
    return page.locator("#counts .stat", has_text=label).locator(".value")


def test_counts_and_rows_follow_pause_delete_and_bulk_delete(page: Any, live: str, app: Any,
                                                             users: dict) -> None:
    from tests.page_helpers import add_items

    add_items(app, users["alice"], 4)
    log_in(page, live)
    page.goto(f"{live}/watchlist")
    mark_page(page)
    page.on("dialog", lambda dialog: dialog.accept())
    expect(_count(page, "Total")).to_have_text("4")
    page.locator(".item", has_text="Show 0").get_by_role("button", name="Pause").click()
    expect(_count(page, "Paused")).to_have_text("1", timeout=5000)
    expect(_count(page, "Active")).to_have_text("3")
    page.locator(".item", has_text="Show 1").get_by_role("button", name="Delete").click()
    expect(page.locator(".item")).to_have_count(3, timeout=5000)
    expect(_count(page, "Total")).to_have_text("3", timeout=5000)
    for name in ("Show 2", "Show 3"):
        page.locator(".item", has_text=name).locator("input[name=ids]").check()
    page.get_by_role("button", name="Delete selected").click()
    expect(page.locator(".item")).to_have_count(1, timeout=5000)
    expect(_count(page, "Total")).to_have_text("1")
    expect(_count(page, "Paused")).to_have_text("1")
    assert not_reloaded(page)
