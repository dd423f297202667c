"""One user's calendar: episodes first seen on the site, and the ones expected next.

A released entry is an episode of one of the user's items at its `first_seen_at`, with
whether (and when) its file reached the library; a predicted entry is the next episode
of an item whose source has a prediction (`next_episode_expected_at`), marked with where
the prediction comes from. Two queries whatever the number of items: one for each kind.

`released_rows`/`predicted_rows` are the raw rows in a fixed order (the ICS feed digests
them before deciding to build anything) and `*_to_entries` turn them into entries;
`calendar_entries` gives one entry per episode; `group_batches` folds the episodes of one
item first seen at the same moment (a first check, a batch upload) into one entry, as the
calendar page shows them. `Period` is the week or month a page shows.
"""

from __future__ import annotations

import calendar as stdlib_calendar
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import groupby

from sqlalchemy import Row, and_, select

from webapp.extensions import db
from webapp.library.layout import season_of
from webapp.models import Download, Source, SourceEpisode, WatchlistItem

RELEASED, PREDICTED = "released", "predicted"
PREDICTED_STATUSES = ("active", "paused")   # a completed or archived item expects nothing
VIEWS = ("week", "month")


@dataclass(frozen=True)
class CalendarEntry:
    """An episode (or a batch of episodes, `last_episode`) of one item on the calendar."""

    kind: str                          # RELEASED or PREDICTED
    at: datetime                       # aware UTC: first seen, or expected
    item_id: str
    source_id: int
    anime_title: str
    season: int
    episode: float
    last_episode: float | None = None  # a batch: episode … last_episode
    episodes: int = 1                  # how many episodes the entry stands for
    in_library: int = 0                # how many of them have their file in the library
    in_library_at: datetime | None = None  # when the (last) file got there
    prediction_source: str | None = None   # PREDICTED: "schedule" or "history"

    @property
    def code(self) -> str:
        """`S01E05`, or `S01E05–E07` for a batch."""
        code = f"S{self.season:02d}E{_number(self.episode)}"
        if self.last_episode is not None and self.last_episode != self.episode:
            code += f"–E{_number(self.last_episode)}"
        return code


def _number(value: float) -> str:
    return f"{int(value):02d}" if float(value).is_integer() else f"{value:g}"


def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


_RELEASED = (
    select(WatchlistItem.id, WatchlistItem.anime_title, WatchlistItem.source_id,
           Source.provider_id, Source.url, SourceEpisode.number, SourceEpisode.first_seen_at,
           Download.status, Download.finished_at)
    .join(Source, Source.id == WatchlistItem.source_id)
    .join(SourceEpisode, SourceEpisode.source_id == WatchlistItem.source_id)
    .outerjoin(Download, and_(Download.item_id == WatchlistItem.id,
                              Download.episode == SourceEpisode.number))
    .order_by(SourceEpisode.first_seen_at, WatchlistItem.id, SourceEpisode.number))
_PREDICTED = (
    select(WatchlistItem.id, WatchlistItem.anime_title, WatchlistItem.source_id,
           Source.provider_id, Source.url, WatchlistItem.last_episode_available,
           Source.next_episode_expected_at, Source.prediction_source)
    .join(Source, Source.id == WatchlistItem.source_id)
    .where(WatchlistItem.status.in_(PREDICTED_STATUSES), Source.prediction_source.is_not(None))
    .order_by(Source.next_episode_expected_at, WatchlistItem.id))


def released_rows(user_id: int, start: datetime, end: datetime) -> list[Row]:
    """The rows of the user's episodes first seen in [start, end), in a fixed order (one
    query): item id, title, source id, provider, source key, number, first seen, download
    status and finish."""
    return list(db.session.execute(_RELEASED.where(
        WatchlistItem.user_id == user_id, SourceEpisode.first_seen_at >= start,
        SourceEpisode.first_seen_at < end)))


def predicted_rows(user_id: int, start: datetime, end: datetime) -> list[Row]:
    """The rows of the user's items whose next episode is expected in [start, end), in a
    fixed order (one query)."""
    return list(db.session.execute(_PREDICTED.where(
        WatchlistItem.user_id == user_id, Source.next_episode_expected_at >= start,
        Source.next_episode_expected_at < end)))


def _season(seasons: dict[tuple[str, str], int], row: Row) -> int:
    key = (row.provider_id, row.url)
    if key not in seasons:
        seasons[key] = season_of(row)
    return seasons[key]


def released_to_entries(rows: Iterable[Row]) -> list[CalendarEntry]:
    """One released entry per row of `released_rows`."""
    seasons: dict[tuple[str, str], int] = {}
    entries = []
    for row in rows:
        done = row.status == "completed"
        entries.append(CalendarEntry(
            kind=RELEASED, at=_aware(row.first_seen_at), item_id=row.id,
            source_id=row.source_id, anime_title=row.anime_title,
            season=_season(seasons, row), episode=float(row.number), in_library=int(done),
            in_library_at=_aware(row.finished_at) if done else None))
    return entries


def predicted_to_entries(rows: Iterable[Row]) -> list[CalendarEntry]:
    """One predicted entry per row of `predicted_rows`: the episode after the last one."""
    seasons: dict[tuple[str, str], int] = {}
    return [CalendarEntry(
        kind=PREDICTED, at=_aware(row.next_episode_expected_at), item_id=row.id,
        source_id=row.source_id, anime_title=row.anime_title, season=_season(seasons, row),
        episode=float(int(row.last_episode_available or 0) + 1),
        prediction_source=row.prediction_source) for row in rows]


def released_entries(user_id: int, start: datetime, end: datetime) -> list[CalendarEntry]:
    """The user's episodes first seen in [start, end), one entry each (one query)."""
    return released_to_entries(released_rows(user_id, start, end))


def predicted_entries(user_id: int, start: datetime, end: datetime) -> list[CalendarEntry]:
    """The next episode of each of the user's items expected in [start, end) (one query)."""
    return predicted_to_entries(predicted_rows(user_id, start, end))


def calendar_entries(user_id: int, start: datetime, end: datetime) -> list[CalendarEntry]:
    """Released and predicted entries of the user in [start, end), in time order."""
    entries = released_entries(user_id, start, end) + predicted_entries(user_id, start, end)
    return sorted(entries, key=lambda e: (e.at, e.kind, e.anime_title.lower(), e.item_id,
                                          e.episode))


def group_batches(entries: Iterable[CalendarEntry]) -> list[CalendarEntry]:
    """Fold the released episodes of one item seen at the same moment into one entry."""
    grouped = []
    for (kind, _item, _at), run in groupby(entries, key=lambda e: (e.kind, e.item_id, e.at)):
        batch = list(run)
        if kind != RELEASED or len(batch) == 1:
            grouped.extend(batch)
            continue
        times = [e.in_library_at for e in batch if e.in_library_at is not None]
        grouped.append(replace(
            batch[0], last_episode=max(e.episode for e in batch), episodes=len(batch),
            in_library=sum(e.in_library for e in batch),
            in_library_at=max(times) if times else None))
    return grouped


@dataclass(frozen=True)
class Period:
    """The days a calendar page shows: a week (Monday first) or a month's whole weeks."""

    view: str
    anchor: date          # the Monday of the week, or the 1st of the month
    first: date           # first day shown
    last: date            # last day shown

    @classmethod
    def of(cls, view: str, day: date) -> Period:
        """The week or month containing `day`."""
        if view == "month":
            anchor = day.replace(day=1)
            length = stdlib_calendar.monthrange(anchor.year, anchor.month)[1]
            month_end = anchor.replace(day=length)
            return cls(view, anchor, _monday(anchor), _monday(month_end) + timedelta(days=6))
        anchor = _monday(day)
        return cls("week", anchor, anchor, anchor + timedelta(days=6))

    @property
    def previous(self) -> date:
        """The first day of the period before."""
        if self.view == "month":
            return (self.anchor - timedelta(days=1)).replace(day=1)
        return self.anchor - timedelta(days=7)

    @property
    def next(self) -> date:
        """The first day of the period after."""
        if self.view == "month":
            return (self.anchor + timedelta(days=31)).replace(day=1)
        return self.anchor + timedelta(days=7)

    @property
    def days(self) -> list[date]:
        """Every day shown, in order."""
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) in UTC."""
        start = datetime.combine(self.first, time(), tzinfo=UTC)
        return start, datetime.combine(self.last + timedelta(days=1), time(), tzinfo=UTC)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class CalendarDay:
    """One day of a calendar page with its entries."""

    day: date
    entries: list[CalendarEntry]
    in_period: bool       # False: a day of the month before or after, shown to fill a week
    today: bool


def calendar_days(user_id: int, period: Period, today: date) -> list[CalendarDay]:
    """The period's days, each with the user's entries of that (UTC) day, batches folded."""
    by_day: dict[date, list[CalendarEntry]] = {}
    for entry in group_batches(calendar_entries(user_id, *period.bounds())):
        by_day.setdefault(entry.at.astimezone(UTC).date(), []).append(entry)
    return [CalendarDay(day, by_day.get(day, []),
                        period.view == "week" or day.month == period.anchor.month, day == today)
            for day in period.days]
