"""The calendar in Chromium (issue 17): a week of released and expected episodes seeded by
real checks and downloads of the fixture site, moved through with htmx (no reload, the
URL follows), an entry opening the anime; at 390 px the week is a list of days and no
page scrolls sideways. Screenshots: calendar-week.png and calendar-phone.png."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import DESKTOP, PHONE, SCREENSHOTS, log_in, mark_page, not_reloaded
from tests.calendar_helpers import (
    irregular_slots,
    prediction_of,
    release_on,
    watch_new_show,
    weekly_slots,
)

pytestmark = pytest.mark.browser


def _seed(app: Any, site: Any, redis_conn: Any, owner: Any) -> tuple[Any, Any]:
    """Alice's weekly show (downloaded as it came out) and an irregular one."""
    from webapp.extensions import db
    from webapp.models import User

    with app.app_context():
        db.session.get(User, owner.id).scheduler_enabled = True
        db.session.commit()
        _item, source, key = watch_new_show(site, owner.id, "weekly-show")
        slots = weekly_slots(6)
        release_on(app, site, redis_conn, source, key, slots, downloads=True)
        _odd, odd_source, odd_key = watch_new_show(site, owner.id, "odd-show",
                                                   auto_download=False)
        release_on(app, site, redis_conn, odd_source, odd_key, irregular_slots())
        return slots[-1], prediction_of(source)[0]


def _fits(page: Any) -> bool:
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    return width <= inner


def test_the_calendar_week_at_desktop_and_phone_width(page: Any, live: str, app: Any,
                                                      users: dict, fixture_site: Any,
                                                      redis_conn: Any) -> None:
    last, expected = _seed(app, fixture_site, redis_conn, users["alice"])
    log_in(page, live)
    page.goto(f"{live}/calendar?start={expected.date().isoformat()}")
    predicted = page.locator("#calendar .cal-entry.predicted")
    expect(predicted).to_have_count(1)
    expect(predicted).to_contain_text("Weekly Show S01E07")
    expect(predicted).to_contain_text("expected")
    days = page.locator("#calendar .cal-day")
    expect(days).to_have_count(7)
    first, seventh = days.nth(0).bounding_box(), days.nth(6).bounding_box()
    assert abs(first["y"] - seventh["y"]) < 2, "the desktop week is not one row of days"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "calendar-week.png"), full_page=True)
    page.set_viewport_size(PHONE)
    assert _fits(page), "the calendar week scrolls sideways at 390 px"
    first, seventh = days.nth(0).bounding_box(), days.nth(6).bounding_box()
    assert first["x"] == seventh["x"] and seventh["y"] > first["y"], \
        "on a phone the week is not a list of days"
    page.screenshot(path=str(SCREENSHOTS / "calendar-phone.png"), full_page=True)

    page.set_viewport_size(DESKTOP)
    mark_page(page)
    page.get_by_role("link", name="← Previous").click()
    page.wait_for_url("**/calendar?view=week&start=*")
    released = page.locator("#calendar .cal-entry.released", has_text="Weekly Show S01E06")
    expect(released).to_have_count(1)
    expect(released).to_contain_text("in library")
    assert not_reloaded(page), "moving to the previous week reloaded the page"
    page.set_viewport_size(PHONE)
    page.get_by_role("link", name="Month").click()
    monday = last.date() - timedelta(days=last.weekday())   # the month of that week
    expect(page.locator("#cal-title")).to_have_text(monday.strftime("%B %Y"))
    assert _fits(page), "the calendar month scrolls sideways at 390 px"
    page.set_viewport_size(DESKTOP)
    page.locator("#calendar .cal-entry.released a", has_text="Weekly Show").first.click()
    page.wait_for_url("**/watchlist/*")
    expect(page.locator(".next-expected")).to_contain_text("from the weekly pattern")
