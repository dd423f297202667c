"""The RFC 5545 calendar of released and predicted episodes (`/feeds/calendar.ics`).

One VEVENT per episode of the token owner's items first seen on the site in the last
PAST_DAYS days (DTSTART = `first_seen_at`) and one per expected episode (DTSTART =
`next_episode_expected_at`, from PREDICTION_GRACE ago — a late episode stays expected —
to FUTURE_DAYS ahead). UIDs are stable (`<kind>-<source>-<episode>@…`), times UTC, the
summary `<Title> S01E05` (`… S01E06 (expected)` for a prediction), URL and DESCRIPTION
link to the anime's page.

Writing thousands of events with `icalendar` takes seconds, while reading the rows takes
milliseconds, and calendar apps poll the same feed again and again. So every request
reads the rows (two queries) and digests them: the digest is the feed's ETag (a 304 when
the app has it), and the body built from those rows is kept in Redis with it; a feed is
built again only when its rows changed, and then only its new or changed events are
written (each event's bytes are kept too, by a fingerprint of what it says). Nothing in
an event depends on the time of the request (DTSTAMP is when its facts last changed, the
windows move by whole days), so the same rows always give the same bytes.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING

import redis
from flask import Response, request, url_for
from sqlalchemy import Row

from webapp.clock import utcnow
from webapp.extensions import get_redis
from webapp.feeds import bp, feed_user_id
from webapp.infra import keys
from webapp.watchlist.calendar import (
    PREDICTED,
    CalendarEntry,
    predicted_rows,
    predicted_to_entries,
    released_rows,
    released_to_entries,
)

if TYPE_CHECKING:  # icalendar (~10 MB) is imported only by a process that writes the feed
    from icalendar import Event

log = logging.getLogger(__name__)

PAST_DAYS = 90
FUTURE_DAYS = 60
PREDICTION_GRACE = timedelta(days=14)
CACHE_TTL = timedelta(days=1)
EVENT_LENGTH = timedelta(minutes=30)
UID_DOMAIN = "anime-watchlist.calendar"
PRODID = "-//Anime Watchlist//Calendar feed//EN"


def event_uid(entry: CalendarEntry) -> str:
    """The event's UID, the same in every fetch of the feed."""
    kind = "expected" if entry.kind == PREDICTED else "released"
    return f"{kind}-{entry.source_id}-{entry.episode:g}@{UID_DOMAIN}"


def _event(entry: CalendarEntry, link: str, today: datetime) -> Event:
    from icalendar import Event

    event = Event()
    event.add("uid", event_uid(entry))
    event.add("dtstart", entry.at)
    event.add("duration", EVENT_LENGTH)
    if entry.kind == PREDICTED:
        origin = "the site's schedule" if entry.prediction_source == "schedule" \
            else "the weekly pattern"
        event.add("dtstamp", today)
        event.add("summary", f"{entry.anime_title} {entry.code} (expected)")
        event.add("status", "TENTATIVE")
        event.add("description", f"Expected (a prediction from {origin}). {link}")
    else:
        state = "In the library." if entry.in_library else "Not in the library yet."
        event.add("dtstamp", max(entry.at, entry.in_library_at or entry.at))
        event.add("summary", f"{entry.anime_title} {entry.code}")
        event.add("status", "CONFIRMED")
        event.add("description", f"First seen on the site. {state} {link}")
    event.add("url", link)
    event.add("transp", "TRANSPARENT")
    return event


def _frame() -> tuple[bytes, bytes]:
    """The calendar's own lines, before and after its events."""
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "Anime watchlist")
    text = cal.to_ical()
    cut = text.rindex(b"END:VCALENDAR")
    return text[:cut], text[cut:]


def build_calendar(entries: Sequence[CalendarEntry], today: datetime,
                   known: Mapping[str, bytes] | None = None) -> tuple[bytes, dict[str, bytes]]:
    """The feed of these entries as ICS bytes, and each event's bytes by a fingerprint of
    what it says; an event whose fingerprint is in `known` is taken from there."""
    known = known or {}
    head, tail = _frame()
    links: dict[str, str] = {}
    events: dict[str, bytes] = {}
    for entry in entries:
        link = links.get(entry.item_id)
        if link is None:
            link = links[entry.item_id] = url_for("pages.item_detail", item_id=entry.item_id,
                                                  _external=True)
        stamp = today.isoformat() if entry.kind == PREDICTED else ""
        mark = hashlib.sha1(f"{link}|{stamp}|{entry!r}".encode()).hexdigest()[:24]
        events[mark] = known.get(mark) or _event(entry, link, today).to_ical()
    return head + b"".join(events.values()) + tail, events


@dataclass(frozen=True)
class FeedRows:
    """The rows a feed is built from (two queries), the day its windows count from, and
    their digest (the feed's ETag)."""

    released: list[Row]
    predicted: list[Row]
    today: datetime
    tag: str

    @classmethod
    def read(cls, user_id: int, now: datetime, root: str) -> FeedRows:
        """Read the user's rows for the feed as of `now`, served from `root`."""
        today = datetime.combine(now.astimezone(UTC).date(), time(), tzinfo=UTC)
        released = released_rows(user_id, today - timedelta(days=PAST_DAYS), now)
        predicted = predicted_rows(user_id, today - PREDICTION_GRACE,
                                   today + timedelta(days=FUTURE_DAYS))
        text = "\n".join(map(repr, map(tuple, (*released, *predicted))))
        tag = hashlib.sha256(f"{root}\n{today.isoformat()}\n{text}".encode()).hexdigest()
        return cls(released, predicted, today, tag[:32])

    def entries(self) -> list[CalendarEntry]:
        """The rows as calendar entries."""
        return released_to_entries(self.released) + predicted_to_entries(self.predicted)


def _body(user_id: int, rows: FeedRows) -> bytes:
    """The feed built from these rows: Redis's copy when it was built from the same."""
    key, events_key = keys.calendar_feed(user_id), keys.calendar_feed_events(user_id)
    ttl = int(CACHE_TTL.total_seconds())
    try:
        conn = get_redis()
        kept = conn.hmget(key, "digest", "body")
        if kept[0] is not None and kept[0].decode() == rows.tag:
            return kept[1]
        known = {k.decode(): v for k, v in conn.hgetall(events_key).items()}
        body, events = build_calendar(rows.entries(), rows.today, known)
        pipe = conn.pipeline()
        pipe.delete(events_key)
        if events:
            pipe.hset(events_key, mapping=events)
            pipe.expire(events_key, ttl)
        pipe.hset(key, mapping={"digest": rows.tag, "body": body})
        pipe.expire(key, ttl)
        pipe.execute()
        return body
    except redis.RedisError as exc:  # the feed still works without Redis, only slower
        log.info("calendar feed cache unavailable: %s", exc)
        return build_calendar(rows.entries(), rows.today)[0]


@bp.get("/calendar.ics")
def calendar_ics() -> Response:
    """The owner's released and expected episodes as an iCalendar feed."""
    user_id = feed_user_id()
    rows = FeedRows.read(user_id, utcnow(), request.url_root)
    if request.if_none_match.contains(rows.tag):
        resp = Response(status=304)
    else:
        resp = Response(_body(user_id, rows), content_type="text/calendar; charset=utf-8")
        resp.headers["Content-Disposition"] = 'inline; filename="calendar.ics"'
    resp.set_etag(rows.tag)
    resp.headers["Cache-Control"] = "private, no-cache"
    return resp
