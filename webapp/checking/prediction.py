"""When the next episode of a source is expected, from the history of its releases.

Sites without an air-date database still publish on a rhythm: a weekly show comes out on
the same weekday at about the same hour. `predict_weekly` reads that rhythm from the
times episodes were first seen (`source_episodes.first_seen_at`) and gives the next
expected release with a confidence — or nothing when the history is too short, the
releases are irregular, or the show looks finished (nothing new for well over a week
past its slot).

Episodes that came out together (a batch, or a first check that found many) count as one
release: only the first of a group within `BATCH_GAP` is kept.

Where the site publishes its own weekly planning (anime-sama's `/planning/`),
`predict_from_schedule` gives the next slot it names, in the site's time zone.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from webapp.sites.types import ScheduledRelease

WEEK = timedelta(days=7)
BATCH_GAP = timedelta(hours=12)
MIN_RELEASES = 3                # releases needed before predicting anything
RECENT_RELEASES = 6             # the slot is read from the last ones
SLOT_TOLERANCE = timedelta(hours=3)
WEEKLY_SHARE = 0.7              # of the gaps must be a week (± a day) for a weekly show
FINISHED_AFTER = timedelta(days=9)  # past the expected slot with nothing new: finished/on break


@dataclass(frozen=True)
class Prediction:
    """The next expected release (naive UTC), how sure, and what it is based on."""

    expected_at: datetime
    confidence: float
    source: str = "history"


def releases(first_seen: Iterable[datetime]) -> list[datetime]:
    """The distinct release moments: sorted, a batch counted once (its first episode)."""
    moments: list[datetime] = []
    for seen in sorted(first_seen):
        if not moments or seen - moments[-1] >= BATCH_GAP:
            moments.append(seen)
    return moments


def _week_seconds(moment: datetime) -> float:
    return moment.weekday() * 86400 + moment.hour * 3600 + moment.minute * 60 + moment.second


def _circular_distance(a: float, b: float) -> float:
    week = WEEK.total_seconds()
    gap = abs(a - b) % week
    return min(gap, week - gap)


def _slot(moments: list[datetime]) -> tuple[float, float]:
    """The weekly slot (seconds into the week) nearest to every recent release, and the
    share of releases within SLOT_TOLERANCE of it."""
    points = [_week_seconds(m) for m in moments]
    best = min(points, key=lambda p: sum(_circular_distance(p, q) for q in points))
    near = [q for q in points if _circular_distance(best, q) <= SLOT_TOLERANCE.total_seconds()]
    # The slot is the mean of the near points, taken around `best` (no wrap-around error).
    week = WEEK.total_seconds()
    offsets = [((q - best + week / 2) % week) - week / 2 for q in near]
    return (best + statistics.fmean(offsets)) % week, len(near) / len(points)


def predict_weekly(first_seen: Iterable[datetime], now: datetime) -> Prediction | None:
    """The next weekly release after the last one, or None (see the module docstring)."""
    moments = releases(first_seen)
    if len(moments) < MIN_RELEASES:
        return None
    gaps = [b - a for a, b in zip(moments, moments[1:], strict=False)]
    weekly = [g for g in gaps if abs(g - WEEK) <= timedelta(days=1)]
    if len(weekly) / len(gaps) < WEEKLY_SHARE:
        return None
    slot, share = _slot(moments[-RECENT_RELEASES:])
    if share < WEEKLY_SHARE:
        return None
    last = moments[-1]
    week_start = (last - timedelta(days=last.weekday())).replace(hour=0, minute=0, second=0,
                                                                  microsecond=0)
    expected = week_start + timedelta(seconds=round(slot))
    while expected <= last + timedelta(days=3):
        expected += WEEK
    if now - expected > FINISHED_AFTER:
        return None
    confidence = round(min(share, len(weekly) / len(gaps)) * min(1.0, len(moments) / 6), 2)
    return Prediction(expected_at=expected.replace(microsecond=0), confidence=confidence)


SITE_ZONE = ZoneInfo("Europe/Paris")
UNKNOWN_HOUR = 12           # a planning without the hour: midday, with less confidence
LATE_GRACE = timedelta(hours=2)  # a slot this recent is still "expected" (being uploaded)


def predict_from_schedule(release: ScheduledRelease, now: datetime,
                          zone: ZoneInfo = SITE_ZONE) -> Prediction:
    """The next slot the site's planning names (a postponed week skipped), naive UTC."""
    local_now = now.replace(tzinfo=UTC).astimezone(zone)
    hour = UNKNOWN_HOUR if release.hour is None else release.hour
    day = local_now.date() + timedelta(days=(release.weekday - local_now.weekday()) % 7)
    slot = datetime(day.year, day.month, day.day, hour, release.minute, tzinfo=zone)
    if slot.astimezone(UTC).replace(tzinfo=None) < now - LATE_GRACE:
        slot += WEEK
    if release.postponed and slot - local_now < WEEK:
        slot += WEEK
    expected = slot.astimezone(UTC).replace(tzinfo=None)
    return Prediction(expected_at=expected, confidence=0.5 if release.hour is None else 0.9,
                      source="schedule")
