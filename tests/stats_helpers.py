"""Helpers for the statistics tests: a library history made by real checks of the fixture
site and real downloads, on days chosen with time-machine (`check_at`, `download_at`).

`seed_history` gives its owner, over the two days before today (UTC):
- day -2: a check of "Alpha" finds episodes 1–2 at 08:00; both are downloaded at 10:00
  (latency 2 h each);
- day -1: a check of "Beta" finds episodes 1–2 at 09:00; at 12:00 episode 1 is downloaded
  (latency 3 h) and episode 2 fails (its file answers 404, no retries); at 13:00 Alpha is
  checked again (nothing new) and at 14:00 its check fails (the site answers 500).
So: 3 downloads, 1 failed, 4 checks of the `directory` provider of which 1 failed, every
file from the fixture site's host (127.0.0.1).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from tests.check_helpers import configure, new_show, watch
from tests.download_helpers import run_worker
from webapp.extensions import db
from webapp.models import WatchlistItem

FILE_SIZE = 96 * 1024
LATENCIES = {"alpha": 2 * 3600, "beta": 3 * 3600}   # first seen -> in the library, seconds


@dataclass(frozen=True)
class Seeded:
    """What seed_history made: the item ids and the two days it used."""

    alpha: str
    beta: str
    day_before: date      # today - 2
    yesterday: date       # today - 1


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def check_at(item_id: str, when: datetime) -> Any:
    """The real check of the item's source, with the clock at `when` (an app context)."""
    import time_machine

    from webapp.checking.checker import EpisodeChecker

    source_id = db.session.get(WatchlistItem, item_id).source_id
    with time_machine.travel(when, tick=True):
        result = EpisodeChecker().check_source(source_id)
        db.session.remove()
    return result


def download_at(redis_conn: Any, when: datetime) -> None:
    """Dispatch the pending downloads and run them to the end, with the clock at `when`."""
    import time_machine

    from webapp.downloading.dispatch import dispatch_pending

    with time_machine.travel(when, tick=True):
        dispatch_pending()
        run_worker(redis_conn)
        db.session.remove()


def _fast_site(app: Any, site: Any) -> None:
    configure(app)
    app.config.update(DOWNLOAD_RETRY_INTERVALS=(), HTTP_RETRIES=0, HTTP_TIMEOUT=(5.0, 5.0))
    site.media_size = FILE_SIZE


def seed_history(app: Any, site: Any, redis_conn: Any, owner_id: int) -> Seeded:
    """Checks and downloads of two shows for `owner_id` (see the module docstring)."""
    _fast_site(app, site)
    today = datetime.now(UTC).date()
    before, yesterday = today - timedelta(days=2), today - timedelta(days=1)
    with app.app_context():
        alpha = watch(owner_id, new_show(site, "alpha", episodes=2), "Alpha")
        beta = watch(owner_id, new_show(site, "beta", episodes=2), "Beta")
        site.fail("/dir/nginx/beta/Beta - 02", status=404)
        assert check_at(alpha, _at(before, 8)).error is None
        download_at(redis_conn, _at(before, 10))
        assert check_at(beta, _at(yesterday, 9)).error is None
        download_at(redis_conn, _at(yesterday, 12))
        site.publish_episode("/dir/nginx/alpha/", 0)
        assert check_at(alpha, _at(yesterday, 13)).error is None
        site.fail("/dir/nginx/alpha/", status=500)
        assert check_at(alpha, _at(yesterday, 14)).error
        site.clear_rules()
    return Seeded(alpha, beta, before, yesterday)


def seed_weekly(app: Any, site: Any, redis_conn: Any, owner_id: int, weeks: int = 8) -> str:
    """A show with two new episodes a week for `weeks` weeks (before the last three days),
    each checked on release and downloaded 1 to 8 hours later; returns the item id."""
    _fast_site(app, site)
    first = datetime.combine(datetime.now(UTC).date(), time(17), tzinfo=UTC) \
        - timedelta(days=3 + 7 * (weeks - 1))
    with app.app_context():
        item = watch(owner_id, new_show(site, "weekly-show", episodes=2), "Weekly Show")
        for week in range(weeks):
            at = first + timedelta(days=7 * week)
            if week:
                site.publish_episode("/dir/nginx/weekly-show/", 2)
            assert check_at(item, at).error is None
            download_at(redis_conn, at + timedelta(hours=1 + (week * 5) % 8))
    return item
