"""`GET /feeds/calendar.ics` read back with `icalendar`, over episodes seeded by real checks
of the fixture site (time-machine moving the clock): one event per released episode at its
first sighting, one for the expected next Saturday, stable UIDs, UTC, links back to the
app; only the token owner's data; a feeds token only (401/403 otherwise)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from tests.api_helpers import assert_error
from tests.calendar_helpers import (
    irregular_slots,
    prediction_of,
    release_on,
    user_id,
    watch_new_show,
    weekly_slots,
)
from webapp.extensions import db
from webapp.models import SourceEpisode, WatchlistItem

ICS = "/feeds/calendar.ics"


@pytest.fixture
def seeded(app, make_api, fixture_site, redis_conn):
    """Alice (feeds token) with a weekly show and an irregular one; Bob with nothing."""
    alice, bob = make_api("alice", scopes="feeds"), make_api("bob", scopes="feeds")
    with app.app_context():
        owner = user_id("alice")
        weekly, weekly_source, key = watch_new_show(fixture_site, owner, "weekly-show",
                                                    auto_download=False)
        release_on(app, fixture_site, redis_conn, weekly_source, key, weekly_slots(6))
        odd, odd_source, odd_key = watch_new_show(fixture_site, owner, "odd-show",
                                                  auto_download=False)
        release_on(app, fixture_site, redis_conn, odd_source, odd_key, irregular_slots())
        expected, _origin = prediction_of(weekly_source)
        seen = {(row.anime_title, row.number): row.first_seen_at for row in db.session.execute(
            select(WatchlistItem.anime_title, SourceEpisode.number,
                   SourceEpisode.first_seen_at)
            .join(SourceEpisode, SourceEpisode.source_id == WatchlistItem.source_id))}
    return {"alice": alice, "bob": bob, "weekly": weekly, "odd": odd, "odd_show": (odd_source,
            odd_key), "expected": expected, "seen": seen}


def feed(client, token: str) -> tuple[object, Calendar]:
    resp = client.get(ICS, query_string={"token": token})
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    return resp, Calendar.from_ical(resp.data)


def events(cal: Calendar) -> dict[str, dict]:
    """SUMMARY -> the event's fields (start in UTC)."""
    return {str(e["SUMMARY"]): {"uid": str(e["UID"]), "start": e.decoded("DTSTART"),
                                "url": str(e["URL"]), "description": str(e["DESCRIPTION"])}
            for e in cal.walk("VEVENT")}


def test_released_and_expected_episodes_as_calendar_events(client, seeded):
    resp, cal = feed(client, seeded["alice"].token)
    assert resp.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert str(cal["VERSION"]) == "2.0" and cal["PRODID"]
    found = events(cal)
    weekly = {s: e for s, e in found.items() if s.startswith("Weekly Show")}
    assert sorted(weekly) == [f"Weekly Show S01E0{n}" for n in range(1, 7)] + [
        "Weekly Show S01E07 (expected)"]
    for n in range(1, 7):
        event = weekly[f"Weekly Show S01E0{n}"]
        assert event["start"] == seeded["seen"][("Weekly Show", n)]
        assert event["start"].tzinfo is not None and event["start"].utcoffset().seconds == 0
        assert event["url"] == f"http://localhost/watchlist/{seeded['weekly']}"
        assert event["url"] in event["description"]
    predicted = weekly["Weekly Show S01E07 (expected)"]
    assert predicted["start"] == seeded["expected"].astimezone(UTC)
    assert predicted["start"].weekday() == 5
    assert "weekly pattern" in predicted["description"]
    odd = sorted(s for s in found if s.startswith("Odd Show"))
    assert odd == [f"Odd Show S01E0{n}" for n in range(1, 7)]  # released, nothing expected
    assert len({e["uid"] for e in found.values()}) == len(found)


def test_uids_are_stable_an_unchanged_feed_answers_304_and_a_change_shows(
        app, client, redis_conn, fixture_site, seeded):
    first, cal = feed(client, seeded["alice"].token)
    redis_conn.flushdb()  # built again from the database, not served from the cache
    again, cal_again = feed(client, seeded["alice"].token)
    assert {s: e["uid"] for s, e in events(cal).items()} == \
        {s: e["uid"] for s, e in events(cal_again).items()}
    assert first.headers["ETag"] == again.headers["ETag"] and first.data == again.data
    cached = client.get(ICS, query_string={"token": seeded["alice"].token},
                        headers={"If-None-Match": again.headers["ETag"]})
    assert cached.status_code == 304 and cached.data == b""
    # A new episode changes the rows: the next fetch has it, whatever Redis kept.
    source_id, key = seeded["odd_show"]
    fixture_site.publish_episode(key)
    with app.app_context():
        release_on(app, fixture_site, redis_conn, source_id, key,
                   [datetime.now(UTC) - timedelta(minutes=5)])
    changed, cal_changed = feed(client, seeded["alice"].token)
    assert changed.headers["ETag"] != again.headers["ETag"]
    assert "Odd Show S01E07" in events(cal_changed) and "Odd Show S01E07" not in events(cal)


def test_another_users_token_sees_none_of_it(client, seeded):
    _resp, cal = feed(client, seeded["bob"].token)
    assert list(cal.walk("VEVENT")) == []


def test_only_a_feeds_token_opens_the_feed(app, client, make_api, seeded):
    reader = make_api("carol", scopes="read,write")
    assert_error(client.get(ICS, query_string={"token": reader.token}), 403, "forbidden")
    assert_error(client.get(ICS), 401, "unauthorized")
    assert_error(client.get(ICS, query_string={"token": "not-a-token"}), 401, "unauthorized")
    # A feeds token in the header instead of the query string does not open it either.
    assert_error(client.get(ICS, headers={"Authorization": f"Bearer {seeded['alice'].token}"}),
                 401, "unauthorized")
