"""One user's library history, day by day: the numbers behind `/stats` and
`GET /api/stats/history` (SPEC §4).

For the last N UTC days (today included, oldest first, days without activity included):
downloads completed and their bytes, downloads failed, and the latency of the day's
completed downloads — an episode's first sight on the site (`SourceEpisode.first_seen_at`)
to its file in the library (`Download.finished_at`), as median and p90. Beside the days:
checks and failed checks per provider (the activity's check events, attributed to the
item's provider; events of deleted items are left out), completed and failed downloads per
video host (the host of the download's player URL, `unknown` when no player was reached),
and `library_bytes`, the sizes of all the user's completed downloads.

Six queries whatever the size of the library, on SQLite and PostgreSQL alike: aggregates
grouped in SQL (downloads by day and status, by host; check events by item, whose
providers one more query reads; the library's total) and one that reads the (day, latency
in seconds) pairs of the completed downloads, whose percentiles are taken here. A download
counts once, on the day it finished, in its current status.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, String, and_, case, extract, func, select

from webapp.errors import Invalid
from webapp.extensions import db
from webapp.models import Activity, Download, SourceEpisode, WatchlistItem
from webapp.sites.urls import host_of

MIN_DAYS, MAX_DAYS, DEFAULT_DAYS = 1, 365, 30
CHECK_KINDS = ("check_found", "check_nothing", "check_failed")
FINISHED = ("completed", "failed")
UNKNOWN_HOST = "unknown"


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The `fraction` percentile of `values`, linearly interpolated (None when empty)."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


@dataclass
class DayStats:
    """One UTC day: downloads completed and their bytes, failed, and the latencies."""

    date: date
    downloads: int = 0
    bytes: int = 0
    failed: int = 0
    latencies: list[float] = field(default_factory=list)  # seconds, one per download

    @property
    def latency_median_s(self) -> float | None:
        """Median seconds from first seen to in the library (None without downloads)."""
        return _rounded(percentile(self.latencies, 0.5))

    @property
    def latency_p90_s(self) -> float | None:
        """90th percentile of the same."""
        return _rounded(percentile(self.latencies, 0.9))

    def to_dict(self) -> dict[str, Any]:
        """The SPEC §4 shape of one day."""
        return {"date": self.date.isoformat(), "downloads": self.downloads,
                "bytes": self.bytes, "failed": self.failed,
                "latency_median_s": self.latency_median_s,
                "latency_p90_s": self.latency_p90_s}


@dataclass
class History:
    """The user's days (oldest first), per-provider checks, per-host downloads, library."""

    days: list[DayStats]
    providers: dict[str, dict[str, int]]
    hosts: dict[str, dict[str, int]]
    library_bytes: int

    def to_dict(self) -> dict[str, Any]:
        """The SPEC §4 shape of `GET /api/stats/history`."""
        return {"days": [day.to_dict() for day in self.days], "providers": self.providers,
                "hosts": self.hosts, "library_bytes": self.library_bytes}


def check_days(days: Any) -> int:
    """`days` as an int in 1–365, else Invalid (the page's query string; the API's model
    says the same)."""
    text = str(days).strip()
    if not (text.isascii() and text.isdigit()) or not MIN_DAYS <= int(text) <= MAX_DAYS:
        raise Invalid(f"days must be a whole number from {MIN_DAYS} to {MAX_DAYS}.",
                      [{"field": "days", "message": f"must be an integer {MIN_DAYS}-{MAX_DAYS}"}])
    return int(text)


# --- SQL expressions per dialect ----------------------------------------------------------


def _day(column: Any, dialect: str) -> ColumnElement:
    """The UTC date of a timestamp column as `YYYY-MM-DD` text (stored naive UTC)."""
    if dialect == "sqlite":
        return func.strftime("%Y-%m-%d", column)
    return func.to_char(column, "YYYY-MM-DD")


def _seconds_between(start: Any, end: Any, dialect: str) -> ColumnElement:
    """Seconds from `start` to `end`, computed by the database."""
    if dialect == "sqlite":
        return (func.julianday(end) - func.julianday(start)) * 86400.0
    return extract("epoch", end - start)


def _netloc(column: Any, dialect: str) -> ColumnElement:
    """What stands between `://` and the next `/` of a URL (the host, maybe with a port)."""
    if dialect == "sqlite":
        rest = func.substr(column, func.instr(column, "://") + 3, type_=String)
        return func.substr(rest, 1, func.instr(rest.concat("/"), "/") - 1)
    return func.split_part(column, "/", 3)


# --- queries ------------------------------------------------------------------------------


def _window(days: int, today: date) -> tuple[date, datetime]:
    first = today - timedelta(days=days - 1)
    return first, datetime.combine(first, time.min, tzinfo=UTC)


def _finished_since(user_id: int, since: datetime) -> Any:
    return and_(Download.user_id == user_id, Download.status.in_(FINISHED),
                Download.finished_at >= since)


def _size() -> ColumnElement:
    return func.coalesce(Download.bytes_total, Download.bytes_done, 0)


def _daily_counts(user_id: int, since: datetime, dialect: str) -> Iterable[Any]:
    """(day, status, count, bytes) of the user's finished downloads since `since`."""
    day = _day(Download.finished_at, dialect).label("day")
    return db.session.execute(
        select(day, Download.status, func.count(), func.sum(_size()))
        .where(_finished_since(user_id, since))
        .group_by(day, Download.status)).all()


def _latencies(user_id: int, since: datetime, dialect: str) -> Iterable[Any]:
    """(day, seconds) of every completed download since `since` whose episode is listed."""
    return db.session.execute(
        select(_day(Download.finished_at, dialect),
               _seconds_between(SourceEpisode.first_seen_at, Download.finished_at, dialect))
        .join(SourceEpisode, and_(SourceEpisode.source_id == Download.source_id,
                                  SourceEpisode.number == Download.episode))
        .where(Download.user_id == user_id, Download.status == "completed",
               Download.finished_at >= since)).all()


def _hosts(user_id: int, since: datetime, dialect: str) -> dict[str, dict[str, int]]:
    """{host: {"downloads", "failed"}} of the finished downloads since `since`."""
    netloc = _netloc(Download.player, dialect).label("netloc")
    rows = db.session.execute(
        select(netloc, func.sum(case((Download.status == "completed", 1), else_=0)),
               func.sum(case((Download.status == "failed", 1), else_=0)))
        .where(_finished_since(user_id, since)).group_by(netloc)).all()
    hosts: dict[str, dict[str, int]] = defaultdict(lambda: {"downloads": 0, "failed": 0})
    for loc, completed, failed in rows:
        entry = hosts[(host_of(f"http://{loc}") if loc else "") or UNKNOWN_HOST]
        entry["downloads"] += int(completed or 0)
        entry["failed"] += int(failed or 0)
    return dict(sorted(hosts.items()))


def _providers(user_id: int, since: datetime) -> dict[str, dict[str, int]]:
    """{provider id: {"checks", "failed"}} of the user's check events since `since`.

    Counted per item first (the activity table alone, in the order of its (user, item)
    index), then added up by the provider of each item: cheaper than a join per event."""
    rows = db.session.execute(
        select(Activity.item_id, func.count(),
               func.sum(case((Activity.kind == "check_failed", 1), else_=0)))
        .where(Activity.user_id == user_id, Activity.kind.in_(CHECK_KINDS),
               Activity.created_at >= since)
        .group_by(Activity.item_id)).all()
    if not rows:
        return {}
    provider_of = dict(db.session.execute(
        select(WatchlistItem.id, WatchlistItem.provider_id)
        .where(WatchlistItem.user_id == user_id)).all())
    providers: dict[str, dict[str, int]] = defaultdict(lambda: {"checks": 0, "failed": 0})
    for item_id, checks, failed in rows:
        provider = provider_of.get(item_id)
        if provider is not None:   # a deleted item's events name no provider any more
            providers[provider]["checks"] += int(checks)
            providers[provider]["failed"] += int(failed or 0)
    return dict(sorted(providers.items()))


def library_bytes(user_id: int) -> int:
    """The sizes of all the user's completed downloads."""
    return int(db.session.scalar(
        select(func.sum(_size())).where(Download.user_id == user_id,
                                        Download.status == "completed")) or 0)


@dataclass(frozen=True)
class AnimeEpisodes:
    """How many episodes of one item reached the library in the period."""

    item_id: str
    anime_title: str
    episodes: int


def episodes_per_anime(user_id: int, days: int = DEFAULT_DAYS, limit: int = 10,
                       today: date | None = None) -> list[AnimeEpisodes]:
    """The user's items with the most downloads completed in the last `days` UTC days."""
    _first, since = _window(check_days(days), today or datetime.now(UTC).date())
    count = func.count().label("episodes")
    rows = db.session.execute(
        select(WatchlistItem.id, WatchlistItem.anime_title, count)
        .select_from(Download).join(WatchlistItem, WatchlistItem.id == Download.item_id)
        .where(Download.user_id == user_id, Download.status == "completed",
               Download.finished_at >= since)
        .group_by(WatchlistItem.id, WatchlistItem.anime_title)
        .order_by(count.desc(), WatchlistItem.anime_title).limit(limit)).all()
    return [AnimeEpisodes(item_id, title, int(episodes)) for item_id, title, episodes in rows]


def stats_history(user_id: int, days: int = DEFAULT_DAYS,
                  today: date | None = None) -> History:
    """The user's last `days` UTC days (today included) and the totals beside them."""
    days = check_days(days)
    today = today or datetime.now(UTC).date()
    first, since = _window(days, today)
    dialect = db.engine.dialect.name
    by_day = {first + timedelta(days=k): DayStats(first + timedelta(days=k))
              for k in range(days)}
    for day_text, status, count, size in _daily_counts(user_id, since, dialect):
        day = by_day.get(date.fromisoformat(day_text))
        if day is None:
            continue   # finished after today (a clock ahead): not in the window
        if status == "completed":
            day.downloads += int(count)
            day.bytes += int(size or 0)
        else:
            day.failed += int(count)
    for day_text, seconds in _latencies(user_id, since, dialect):
        day = by_day.get(date.fromisoformat(day_text))
        if day is not None and seconds is not None:
            day.latencies.append(max(0.0, round(float(seconds), 3)))  # julianday: ±1 ms
    return History(days=list(by_day.values()), providers=_providers(user_id, since),
                        hosts=_hosts(user_id, since, dialect),
                        library_bytes=library_bytes(user_id))
