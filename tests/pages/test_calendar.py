"""The calendar page and the detail page's "next episode expected", over episodes seeded by
real checks (and real downloads) of the fixture site with the clock moved by time-machine:
released episodes with their library state, the predicted one marked as expected, each
linking to the anime; only the user's own; week and month views; bad input is a 422."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.calendar_helpers import (
    irregular_slots,
    prediction_of,
    release_on,
    user_id,
    watch_new_show,
    weekly_slots,
)
from tests.page_helpers import quick_user, session_login
from webapp.extensions import db
from webapp.models import User
from webapp.watchlist.calendar import Period

HX = {"HX-Request": "true"}


@pytest.fixture
def seeded(app, alice, fixture_site, redis_conn):
    """Alice's weekly show (downloaded as it came out) and irregular show."""
    with app.app_context():
        owner = user_id("alice")
        db.session.get(User, owner).scheduler_enabled = True  # checks queue her downloads
        db.session.commit()
        weekly, weekly_source, key = watch_new_show(fixture_site, owner, "weekly-show")
        slots = weekly_slots(6)
        release_on(app, fixture_site, redis_conn, weekly_source, key, slots, downloads=True)
        odd, odd_source, odd_key = watch_new_show(fixture_site, owner, "odd-show",
                                                  auto_download=False)
        release_on(app, fixture_site, redis_conn, odd_source, odd_key, irregular_slots())
        expected, _origin = prediction_of(weekly_source)
    return {"weekly": weekly, "odd": odd, "slots": slots, "expected": expected}


def page(client, **args):
    resp = client.get("/calendar", query_string=args)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    return resp.get_data(as_text=True)


def entries(html: str) -> list[str]:
    """Each calendar entry's text, tags removed, spaces collapsed."""
    found = re.findall(r'<li class="cal-entry (\w+)">(.*?)</li>', html, re.S)
    return [f"{kind}: " + " ".join(re.sub(r"<[^>]+>", " ", body).split())
            for kind, body in found]


def test_a_week_shows_released_episodes_with_their_library_state(client, alice, seeded):
    session_login(client, alice)
    last = seeded["slots"][-1]
    html = page(client, start=last.date().isoformat())
    week = entries(html)
    assert len(week) == 1
    assert week[0].startswith(f"released: Weekly Show S01E06 seen {last:%H:%M} · in library")
    assert f'href="/watchlist/{seeded["weekly"]}"' in html
    # The first week: the one episode the show had when it was first checked.
    first = entries(page(client, start=seeded["slots"][0].date().isoformat()))
    assert [e.split(" seen")[0] for e in first] == ["released: Weekly Show S01E01"]


def test_the_next_saturday_is_shown_as_expected_on_the_calendar_and_the_detail_page(
        client, alice, seeded):
    session_login(client, alice)
    expected = seeded["expected"]
    assert expected.weekday() == 5
    week = entries(page(client, start=expected.date().isoformat()))
    assert [e for e in week if "Weekly Show" in e] == [
        f"predicted: Weekly Show S01E07 expected around {expected:%H:%M} "
        "(from the weekly pattern)"]
    assert not [e for e in week if "Odd Show" in e and e.startswith("predicted")]
    detail = client.get(f"/watchlist/{seeded['weekly']}").get_data(as_text=True)
    text = " ".join(re.sub(r"<[^>]+>", " ", detail).split())
    assert (f"Next episode expected Sat {expected.day} {expected:%b} around {expected:%H:%M} "
            "UTC (from the weekly pattern)") in text
    odd = client.get(f"/watchlist/{seeded['odd']}").get_data(as_text=True)
    assert "Next episode expected" not in odd


def test_the_month_view_lists_the_month_and_moves_by_months(client, alice, seeded):
    session_login(client, alice)
    last = seeded["slots"][-1]
    html = page(client, view="month", start=last.date().isoformat())
    assert f"{last:%B %Y}" in html
    shown = [e for e in entries(html) if "Weekly Show" in e and e.startswith("released")]
    grid = Period.of("month", last.date())  # whole weeks: a few days of the months around
    assert grid.first.day <= 7 or grid.first.month != last.month
    assert len(shown) == len([s for s in seeded["slots"]
                              if grid.first <= s.date() <= grid.last])
    nxt = last.replace(day=1) + timedelta(days=32)
    assert f'href="/calendar?view=month&amp;start={nxt:%Y-%m}-01"' in html
    prev = last.replace(day=1) - timedelta(days=1)
    assert f'href="/calendar?view=month&amp;start={prev:%Y-%m}-01"' in html
    # Each link works as a plain link, and as an htmx swap of the calendar alone.
    fragment = client.get("/calendar", query_string={"view": "month",
                                                      "start": f"{nxt:%Y-%m}-01"}, headers=HX)
    body = fragment.get_data(as_text=True)
    assert body.lstrip().startswith('<section id="calendar"') and "<html" not in body
    assert "HX-Request" in fragment.headers["Vary"]


def test_another_user_sees_none_of_it(app, client, seeded):
    bob = quick_user(app, "bob")
    session_login(client, bob)
    for start in (seeded["slots"][-1], seeded["expected"]):
        html = page(client, start=start.date().isoformat())
        assert entries(html) == [] and "Weekly Show" not in html
    assert client.get(f"/watchlist/{seeded['weekly']}").status_code == 404


@pytest.mark.parametrize("args", [{"view": "year"}, {"start": "2026-13-01"},
                                  {"start": "yesterday"}, {"start": "9999-12-31"},
                                  {"start": "2026-1-1"}])
def test_a_bad_view_or_date_is_a_clear_error(logged, args):
    resp = logged.get("/calendar", query_string=args)
    assert resp.status_code == 422
    assert "calendar" in resp.get_data(as_text=True).lower()


def test_the_page_needs_a_login_and_defaults_to_this_week(client, alice):
    assert client.get("/calendar").status_code == 302
    session_login(client, alice)
    html = page(client)
    assert 'class="badge running">today</span>' in html
    assert "No episode was first seen or is expected this week" in html
    assert html.count('<li class="cal-day') == 7
