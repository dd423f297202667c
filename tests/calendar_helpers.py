"""Helpers for the prediction, calendar and ICS tests: shows that release episodes on a
rhythm, seeded through real checks of the fixture site with the clock moved by
time-machine (and, where asked, real downloads)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from tests.check_helpers import BurstWorker, configure, new_show, watch
from webapp.extensions import db
from webapp.infra import keys
from webapp.models import Source, User, WatchlistItem

WEEK = timedelta(days=7)
SATURDAY = 5
# Irregular gaps between releases (no weekly rhythm), and their hours.
IRREGULAR_GAPS = (timedelta(days=2, hours=5), timedelta(days=9, hours=1),
                  timedelta(days=4, hours=13), timedelta(days=12, hours=7),
                  timedelta(days=1, hours=20))


def last_saturday_slot(now: datetime | None = None) -> datetime:
    """The latest Saturday 17:00 UTC at least an hour before `now` (real time by default)."""
    now = now or datetime.now(UTC)
    day = (now - timedelta(hours=18)).date()
    day -= timedelta(days=(day.weekday() - SATURDAY) % 7)
    return datetime(day.year, day.month, day.day, 17, 0, tzinfo=UTC)


def weekly_slots(weeks: int = 6) -> list[datetime]:
    """`weeks` Saturdays around 17:00 UTC, the last one the latest past: a few minutes
    late some weeks, as a real upload is."""
    last = last_saturday_slot()
    return [last - WEEK * (weeks - 1 - k) + timedelta(minutes=(k * 7) % 12)
            for k in range(weeks)]


def irregular_slots() -> list[datetime]:
    """Six releases with no rhythm, the last one a day ago."""
    at = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    slots = [at]
    for gap in IRREGULAR_GAPS:
        slots.insert(0, slots[0] - gap)
    return slots


def user_id(name: str) -> int:
    """The id of a user by name."""
    return db.session.scalar(select(User.id).where(User.username == name))


def watch_new_show(site: Any, owner: int, name: str, **fields: Any) -> tuple[str, int, str]:
    """A new directory show on the site (1 episode) on the owner's list:
    (item id, source id, the show's key)."""
    url = new_show(site, name, episodes=1)
    item_id = watch(owner, url, title=name.replace("-", " ").title(), **fields)
    return item_id, db.session.get(WatchlistItem, item_id).source_id, f"/dir/nginx/{name}/"


def release_on(app: Any, site: Any, redis_conn: Any, source_id: int, key: str,
               slots: list[datetime], downloads: bool = False) -> None:
    """At each slot: one more episode on the site (the first slot: the show as it is), then
    the source's check through the real job (and the downloads it queued, if asked)."""
    import time_machine
    from rq import Queue

    from webapp.checking.enqueue import enqueue_source_check

    configure(app)
    for k, at in enumerate(slots):
        # Redis keeps its own (real) time: to it the source's last run (and the last
        # dispatch of downloads) is a moment old and would be reused (or skip this one).
        # Days have passed for the app: drop both.
        redis_conn.delete(keys.check_run(source_id), keys.CHECK_DISPATCHED)
        with time_machine.travel(at, tick=True):
            if k:
                site.publish_episode(key)
            enqueue_source_check(source_id)
            queues = ["checks", "downloads"] if downloads else ["checks"]
            BurstWorker([Queue(q, connection=redis_conn) for q in queues],
                        connection=redis_conn).work(burst=True)
            db.session.remove()


def prediction_of(source_id: int) -> tuple[datetime | None, str | None]:
    """(next_episode_expected_at, prediction_source) of the source as stored now."""
    db.session.expire_all()
    source = db.session.get(Source, source_id)
    return source.next_episode_expected_at, source.prediction_source
