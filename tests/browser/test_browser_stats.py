"""The statistics page in Chromium (issue 17): charts drawn from real checks and downloads
of the fixture site, the period changed by htmx (no reload, the URL follows), no sideways
scroll at 390 px. Screenshots: stats.png (desktop) and stats-phone.png."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import PHONE, SCREENSHOTS, log_in, mark_page, not_reloaded
from tests.stats_helpers import seed_history, seed_weekly

pytestmark = pytest.mark.browser
CHARTS = ("downloads", "size", "latency", "library", "providers", "hosts", "anime")


def _fits(page: Any) -> bool:
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    return width <= inner


def test_the_statistics_page_at_desktop_and_phone_width(page: Any, live: str, app: Any,
                                                        users: dict, fixture_site: Any,
                                                        redis_conn: Any) -> None:
    owner = users["alice"].id
    seed_weekly(app, fixture_site, redis_conn, owner)
    seed_history(app, fixture_site, redis_conn, owner)
    log_in(page, live)
    page.goto(f"{live}/stats?days=90")
    expect(page.locator("#stat-downloads")).to_have_text("19")     # 8 weeks × 2, and 3
    expect(page.locator("#stat-failed")).to_have_text("1")
    for name in CHARTS:
        expect(page.locator(f"#chart-{name} svg")).to_be_visible()
    bars = page.locator("#chart-downloads rect.bar")
    assert bars.count() >= 9
    assert "downloaded" in bars.last.locator("title").text_content()
    expect(page.locator("#chart-latency polyline")).to_have_count(2)   # median and p90
    expect(page.locator("#chart-anime")).to_contain_text("Weekly Show")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "stats.png"), full_page=True)

    mark_page(page)
    page.get_by_role("link", name="30 days").click()
    page.wait_for_url("**/stats?days=30")
    expect(page.locator("#stats-period")).to_contain_text("The last 30 days")
    expect(page.get_by_role("link", name="30 days")).to_have_attribute("aria-current", "page")
    assert not_reloaded(page), "changing the period reloaded the page"

    page.set_viewport_size(PHONE)
    page.goto(f"{live}/stats?days=90")
    assert _fits(page), "the statistics page scrolls sideways at 390 px"
    for name in CHARTS:
        box = page.locator(f"#chart-{name} svg").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], name
    page.screenshot(path=str(SCREENSHOTS / "stats-phone.png"), full_page=True)
