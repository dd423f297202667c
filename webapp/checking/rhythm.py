"""Polling by rhythm: when an item is next checked, given its source's expected release.

Between the site feed's signals (SPEC §5 fast detection), a source is checked more often
around the time its next episode is expected and no more often than its owner asked far
from it:

- no prediction: the owner's interval, as before;
- the release is more than `EARLY_WINDOW` ahead: a check when that window opens, unless
  the interval ends first (a prediction made from coarse checks is late by up to their
  interval, so the real release is often before the expected time);
- within the window: each check halves the distance to the expected time (never under
  `MIN_GAP`), and once it is past, checks spread out again as the episode gets later,
  until `LATE_WINDOW` has passed — then the interval again.

Measured on a simulated week (tests/bench/bench_release_week.py): the median time from
release to download falls from 181 to 40 minutes for 5 % more requests than 6-hourly
polling.

Never more often than once per `MIN_GAP` per source, never less often than the interval.
Times are aware or naive UTC alike, as long as all three agree.
"""

from __future__ import annotations

from datetime import datetime, timedelta

MIN_GAP = timedelta(minutes=10)
EARLY_WINDOW = timedelta(hours=3)
LATE_WINDOW = timedelta(hours=12)


def next_check_at(now: datetime, interval: timedelta,
                  expected_at: datetime | None) -> datetime:
    """When to check next (see the module docstring)."""
    latest = now + interval
    if expected_at is None:
        return latest
    if expected_at - now > EARLY_WINDOW:
        return min(latest, expected_at - EARLY_WINDOW)
    distance = abs(now - expected_at)
    if now > expected_at and distance > LATE_WINDOW:
        return latest
    return min(latest, now + max(MIN_GAP, distance / 2))
