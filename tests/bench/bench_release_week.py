"""A week of releases for 1,000 watched sources: how soon each new episode is noticed (and
its download queued, which happens in the same check) and how many requests the site
gets, for fixed-interval polling and for this app's design (issue 20).

The week is simulated on a controlled clock with the app's own decision code: checks of
the design are scheduled by `webapp.checking.rhythm.next_check_at` from the prediction
`webapp.checking.prediction.predict_weekly` makes out of the episodes' `first_seen_at` —
which, as in the app, is when a check first saw them, so a late detection feeds back into
the prediction. The site feed (anime-sama's recently-added page) is read once a minute by
the tick; a release on it is checked at the next read. What is not simulated: HTTP itself
(a check takes `CHECK_SECONDS`), a home page that drops entries (it lists far more than
the ~6 releases an hour of this week).

The anime: 70 % weekly (a weekday and hour, ±15 min jitter, one release in ten 1–6 h
late), 20 % irregular (random times, about one a week), 10 % finished (nothing).
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from webapp.checking.prediction import predict_weekly
from webapp.checking.rhythm import next_check_at

SOURCES = 1000
HISTORY_WEEKS = 6
START = datetime(2026, 3, 2, 0, 0)       # a Monday, naive UTC as the prediction takes it
WEEK = timedelta(days=7)
CHECK_SECONDS = 2
FEED_EVERY = timedelta(minutes=1)


@dataclass
class Anime:
    """One source's releases (history before START, the simulated week after it)."""

    kind: str
    releases: list[datetime] = field(default_factory=list)


def _anime(rng: random.Random) -> Anime:
    roll = rng.random()
    span_start = START - HISTORY_WEEKS * WEEK
    if roll < 0.7:
        slot = timedelta(days=rng.randrange(7), hours=rng.randrange(24),
                         minutes=rng.choice((0, 15, 30, 45)))
        out = []
        for week in range(HISTORY_WEEKS + 1):
            moment = span_start + week * WEEK + slot + timedelta(minutes=rng.gauss(0, 15))
            if rng.random() < 0.1:
                moment += timedelta(hours=rng.uniform(1, 6))
            out.append(moment)
        return Anime("weekly", out)
    if roll < 0.9:
        count = (HISTORY_WEEKS + 1) * 7 * 24
        return Anime("irregular", sorted(span_start + timedelta(hours=rng.uniform(0, count))
                                         for _ in range(HISTORY_WEEKS + 1)))
    return Anime("finished")


def _fixed(anime: Anime, every: timedelta, phase: timedelta) -> tuple[list[float], int]:
    """Latencies (s) of the week's releases and the checks made, polling every `every`."""
    checks = int(WEEK / every)
    latencies = []
    for release in anime.releases:
        if START <= release < START + WEEK:
            offset = (release - START - phase) % every
            latencies.append(((every - offset) % every).total_seconds() + CHECK_SECONDS)
    return latencies, checks


def _feed_read_after(release: datetime) -> datetime:
    """The tick's first read of the recently-added page after a release (each minute)."""
    return release.replace(second=0, microsecond=0) + FEED_EVERY


def _design(anime: Anime, interval: timedelta, phase: timedelta,
            feed: bool) -> tuple[list[float], int]:
    """Latencies and checks of the measured week when checks follow the rhythm (and the
    site feed, if any). The item was added when the history starts, so its `first_seen_at`
    are those this design recorded (warm-up weeks, not measured)."""
    begin = START - HISTORY_WEEKS * WEEK
    pending = [r for r in anime.releases if r >= begin]
    seen: list[datetime] = []
    latencies: list[float] = []
    checks = 0
    scheduled = begin + phase
    end = START + WEEK
    while True:
        triggered = _feed_read_after(pending[0]) if feed and pending else end
        now = min(scheduled, triggered)
        if now >= end:
            break
        if now >= START:
            checks += 1
        while pending and pending[0] <= now:
            release = pending.pop(0)
            if release >= START:
                latencies.append((now - release).total_seconds() + CHECK_SECONDS)
            seen.append(now)
        # a source the site feed watches needs no rhythm: the feed sees its release
        prediction = None if feed else predict_weekly(seen, now)
        expected = prediction.expected_at if prediction else None
        scheduled = next_check_at(now, interval, expected)
    return latencies, checks


def _run(policy: Callable[[Anime, random.Random], tuple[list[float], int]],
         animes: list[Anime], feed_reads: int) -> tuple[float, float, float]:
    rng = random.Random(7)
    latencies: list[float] = []
    checks = feed_reads
    for anime in animes:
        found, made = policy(anime, rng)
        latencies += found
        checks += made
    ordered = sorted(latencies)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    return statistics.median(ordered), p95, checks / (WEEK.total_seconds() / 3600)


def main() -> None:
    """Print the table of the README (issue 20)."""
    rng = random.Random(2026)
    animes = [_anime(rng) for _ in range(SOURCES)]
    six, quarter, day = timedelta(hours=6), timedelta(minutes=15), timedelta(days=1)
    week_feed_reads = int(WEEK / FEED_EVERY)

    def phase(r: random.Random, every: timedelta) -> timedelta:
        return timedelta(seconds=r.uniform(0, every.total_seconds()))

    rows = [
        ("fixed 6 h (before)", _run(lambda a, r: _fixed(a, six, phase(r, six)), animes, 0)),
        ("fixed 15 min (Sonarr's default)",
         _run(lambda a, r: _fixed(a, quarter, phase(r, quarter)), animes, 0)),
        ("rhythm, 6 h bound (site without a recent page)",
         _run(lambda a, r: _design(a, six, phase(r, six), feed=False), animes, 0)),
        ("site feed + 6 h interval (anime-sama)",
         _run(lambda a, r: _design(a, six, phase(r, six), feed=True), animes,
              week_feed_reads)),
        ("what if: site feed + 24 h safety net",
         _run(lambda a, r: _design(a, day, phase(r, day), feed=True), animes,
              week_feed_reads)),
    ]
    releases = sum(1 for a in animes for r in a.releases if START <= r < START + WEEK)
    print(f"{SOURCES} sources, {releases} releases in the week")
    print(f"{'policy':<50} {'median':>9} {'p95':>9} {'requests/h':>11}")
    for name, (median, p95, per_hour) in rows:
        print(f"{name:<50} {median / 60:>7.1f} m {p95 / 60:>7.1f} m {per_hour:>11.1f}")


if __name__ == "__main__":
    main()
