"""The pages in a real browser: log in, search and add, pause/resume without reloading,
the interval moving the next run, the bell, another user's item, and hostile site text."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import log_in, mark_page, not_reloaded, screenshot
from tests.page_helpers import add_items, use_fixture_site

pytestmark = pytest.mark.browser
EVIL = '<script>alert("title")</script>"><img src=x onerror=alert("img")>'


def test_log_in_search_add_pause_and_resume(page: Any, live: str, app: Any, users: dict,
                                            fixture_site: Any) -> None:
    use_fixture_site(app, fixture_site)
    page.goto(live + "/login")
    screenshot(page, "login")
    log_in(page, live)
    page.click("text=+ Add anime")
    mark_page(page)
    page.fill("#search-q", "naruto")
    result = page.locator(".result", has_text="Naruto Shippuden").first
    expect(result).to_be_visible(timeout=10_000)
    result.get_by_role("link", name="Add to watchlist").click()
    season = result.locator("select[name=anime_url]")
    expect(season).to_be_visible()
    season.select_option(index=0)
    result.locator("select[name=quality_preference]").select_option("720p")
    screenshot(page, "add")
    result.get_by_role("button", name=re.compile("^Add ")).click()
    expect(result.get_by_text("✓ Added “Naruto Shippuden”")).to_be_visible()
    assert not_reloaded(page)

    page.goto(live + "/watchlist")
    mark_page(page)
    row = page.locator(".item", has_text="Naruto Shippuden")
    expect(row.locator(".badge.active")).to_be_visible()
    row.get_by_role("button", name="Pause").click()
    expect(row.locator(".badge.paused")).to_be_visible()
    row.get_by_role("button", name="Resume").click()
    expect(row.locator(".badge.active")).to_be_visible()
    assert not_reloaded(page)


def test_search_as_you_type_and_pages(page: Any, live: str, app: Any, users: dict) -> None:
    add_items(app, users["alice"], 60)
    log_in(page, live)
    mark_page(page)
    expect(page.locator(".item")).to_have_count(25)
    page.get_by_role("link", name="Next →").click()
    expect(page.get_by_text("page 2 of 3")).to_be_visible()
    page.fill("#q", "Show 4")
    expect(page.locator(".item")).to_have_count(11)  # Show 4 and Show 40..49
    assert "q=Show+4" in page.url and not_reloaded(page)
    page.select_option("#status", "paused")
    expect(page.get_by_text("Nothing matches these filters.")).to_be_visible()
    page.select_option("#status", "")
    page.fill("#q", "")
    expect(page.locator(".item")).to_have_count(25)
    screenshot(page, "watchlist")


def test_changing_the_interval_moves_the_next_run(page: Any, live: str, app: Any,
                                                  users: dict) -> None:
    from webapp.clock import utcnow
    from webapp.extensions import db
    from webapp.models import WatchlistItem

    (item_id,) = add_items(app, users["alice"], 1)
    with app.app_context():
        item = db.session.get(WatchlistItem, item_id)
        item.last_checked_at = utcnow() - timedelta(hours=1)
        item.next_check_at = item.last_checked_at + timedelta(hours=6)
        db.session.commit()
    log_in(page, live)
    page.goto(live + "/settings")
    mark_page(page)
    expect(page.locator("#next-run")).to_have_text("in 5 h")
    page.select_option("#check_interval_hours", "24")
    page.locator("#preferences").get_by_role("button", name="Save").click()
    expect(page.locator("#preferences").get_by_text("Saved.")).to_be_visible()
    expect(page.locator("#next-run")).to_have_text("in 23 h")
    assert not_reloaded(page)
    screenshot(page, "settings")


def test_the_bell_counts_new_notifications(page: Any, live: str, app: Any,
                                           users: dict) -> None:
    from webapp.extensions import db
    from webapp.notifications.inbox import notify

    log_in(page, live)
    mark_page(page)
    expect(page.locator("#bell .count")).to_have_count(0)
    with app.app_context():
        notify(users["alice"].id, "new_episodes", "2 new episodes of Frieren: 13, 14")
        notify(users["alice"].id, "download_failed", "Frieren episode 12 failed: host gone.")
        db.session.commit()
    expect(page.locator("#bell .count")).to_have_text("2", timeout=5_000)
    assert not_reloaded(page)
    page.click("#bell")
    expect(page.get_by_text("2 new episodes of Frieren: 13, 14")).to_be_visible()
    screenshot(page, "notifications")
    page.get_by_role("button", name="Mark all read").click()
    expect(page.locator("#bell .count")).to_have_count(0)


def test_another_users_item_is_a_404_page(page: Any, live: str, app: Any,
                                          users: dict) -> None:
    (bobs,) = add_items(app, users["bob"], 1, anime_title="Bob's private show")
    log_in(page, live)
    response = page.goto(f"{live}/watchlist/{bobs}")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(page.get_by_text("private")).to_have_count(0)
    screenshot(page, "not-found")


def test_hostile_site_text_renders_as_text(page: Any, live: str, app: Any, users: dict,
                                           fixture_site: Any) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    (item_id,) = add_items(app, users["alice"], 1, anime_title=EVIL, synopsis=EVIL,
                           genres=[EVIL])
    use_fixture_site(app, fixture_site)
    # neko-sama's search index is JSON: the hostile strings reach us exactly as they are.
    fixture_site.add_show("nekosama", "/anime/info/666-evil_vostfr", "Evil " + EVIL,
                          genres=(EVIL,))
    log_in(page, live)
    expect(page.locator(".item-title")).to_have_text(EVIL)
    page.goto(f"{live}/watchlist/{item_id}")
    expect(page.locator("h1")).to_have_text(EVIL)
    expect(page.locator(".synopsis-full")).to_have_text(EVIL)
    page.goto(live + "/add?q=evil&provider=nekosama")
    result = page.locator(".result", has_text="Evil")
    expect(result.locator(".item-title")).to_have_text("Evil " + EVIL)
    expect(result.locator(".tag")).to_have_text(EVIL)
    assert page.locator("img[src=x]").count() == 0
    assert dialogs == []
    screenshot(page, "hostile-text")
