"""The statistics page (`/stats`): charts of what the library did, drawn as SVG.

`?days=` picks the period (30, 90 or 365 from the page's links; any whole number 1–365).
Its numbers are those of `GET /api/stats/history`: both call
`webapp.watchlist.stats_history.stats_history`; this module only regroups its days into
weeks (Monday to Sunday, UTC; the first and last may be partial) and scales the axes.

The charts are inline SVG drawn by our own small Jinja macros (templates/stats/
_charts.html), not by a chart library such as pygal: the app's Content-Security-Policy
forbids inline scripts and styles, and pygal's SVGs embed both (a script for their
tooltips, a style sheet for their themes); the web process is also kept lean (issue 16)
and these charts are a few rectangles and lines. So they work without JavaScript,
tooltips are `<title>` elements inside the shapes, the figures are also written as text
and in a table, and a `viewBox` lets every chart shrink to a phone's width.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask import request
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.pages import bp
from webapp.pages.common import provider_name
from webapp.pages.filters import duration, filesize
from webapp.pages.htmx import page_or_fragment
from webapp.pages.stats_charts import (
    Row,
    RowsChart,
    Series,
    TimeChart,
    scaled,
    size_unit,
    time_unit,
)
from webapp.watchlist.stats_history import (
    DEFAULT_DAYS,
    History,
    check_days,
    episodes_per_anime,
    percentile,
    stats_history,
)

PERIODS = (30, 90, 365)
TOP_ANIME = 10


@dataclass
class Week:
    """The days of one week in the period, added up."""

    start: date
    end: date
    downloads: int = 0
    bytes: int = 0
    failed: int = 0
    latencies: list[float] = field(default_factory=list)
    library_bytes: int = 0      # the library's size at the end of the week

    @property
    def label(self) -> str:
        """`30 Nov`: the week's first day in the period."""
        return f"{self.start.day} {self.start.strftime('%b')}"

    @property
    def median(self) -> float | None:
        """Median latency of the week's downloads, in seconds."""
        return percentile(self.latencies, 0.5)

    @property
    def p90(self) -> float | None:
        """90th percentile of the same."""
        return percentile(self.latencies, 0.9)


def weeks_of(history: History) -> list[Week]:
    """The history's days added up by week, oldest first, with the library's size at the
    end of each week (today's size less what was downloaded after that week)."""
    weeks: list[Week] = []
    for day in history.days:
        monday = day.date - timedelta(days=day.date.weekday())
        if not weeks or weeks[-1].start < monday:
            weeks.append(Week(start=day.date, end=day.date))
        week = weeks[-1]
        week.end = day.date
        week.downloads += day.downloads
        week.bytes += day.bytes
        week.failed += day.failed
        week.latencies.extend(day.latencies)
    later = 0
    for week in reversed(weeks):
        week.library_bytes = max(0, history.library_bytes - later)
        later += week.bytes
    return weeks


def _day_text(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _week_tip(week: Week) -> str:
    """`30 Nov 2026 – 6 Dec 2026: ` (one day alone for a week of one day)."""
    if week.start == week.end:
        return f"{_day_text(week.start)}: "
    return f"{_day_text(week.start)} – {_day_text(week.end)}: "


def _time_charts(weeks: list[Week]) -> list[TimeChart]:
    """Downloads, size, latency and library size per week."""
    labels = [w.label for w in weeks]
    tips = [_week_tip(w) for w in weeks]
    size_div, size_name = size_unit(max((w.bytes for w in weeks), default=0))
    lib_div, lib_name = size_unit(max((w.library_bytes for w in weeks), default=0))
    lat_div, lat_name = time_unit(max((w.p90 or 0 for w in weeks), default=0))
    downloads = Series("Downloads", "bar", [w.downloads for w in weeks],
                       [f"{t}{w.downloads} downloaded, {w.failed} failed"
                        for t, w in zip(tips, weeks, strict=True)])
    sizes = Series(size_name, "bar alt", [w.bytes / size_div for w in weeks],
                   [f"{t}{filesize(w.bytes)}" for t, w in zip(tips, weeks, strict=True)])
    median = Series("Median", "line", [scaled(w.median, lat_div) for w in weeks],
                    [f"{t}median {duration(w.median)}" for t, w in zip(tips, weeks, strict=True)])
    p90 = Series("90th percentile", "line alt", [scaled(w.p90, lat_div) for w in weeks],
                 [f"{t}90% within {duration(w.p90)}" for t, w in zip(tips, weeks, strict=True)])
    library = Series(lib_name, "line", [w.library_bytes / lib_div for w in weeks],
                     [f"{t}{filesize(w.library_bytes)}" for t, w in zip(tips, weeks, strict=True)])
    total = sum(w.downloads for w in weeks)
    return [
        TimeChart("chart-downloads", "Downloads per week", "bars", labels, [downloads],
                  f"{total} episodes downloaded in {len(weeks)} weeks.", whole=True),
        TimeChart("chart-size", f"{size_name} downloaded per week", "bars", labels, [sizes],
                  f"{filesize(sum(w.bytes for w in weeks))} downloaded."),
        TimeChart("chart-latency", f"From the site to the library ({lat_name})", "lines",
                  labels, [median, p90],
                  "Time from an episode's first sight on the site to its file in the "
                  "library: median and 90th percentile per week."),
        TimeChart("chart-library", f"Library size ({lib_name})", "lines", labels, [library],
                  f"The library holds {filesize(weeks[-1].library_bytes if weeks else 0)} "
                  "of completed downloads."),
    ]


def _rate_rows(counts: dict[str, dict[str, int]], total_key: str | None, noun: str,
               name: Any = str) -> list[Row]:
    """Failure rate rows: failed out of `total_key` (or out of downloads + failed)."""
    rows = []
    for key, entry in counts.items():
        total = entry[total_key] if total_key else entry["downloads"] + entry["failed"]
        failed = entry["failed"]
        rate = failed / total if total else 0.0
        text = f"{round(100 * rate)}% · {failed} of {total} {noun} failed"
        rows.append(Row(name(key), rate, text, f"{name(key)}: {text}"))
    return sorted(rows, key=lambda r: (-r.fraction, r.label))


def _episodes(count: int) -> str:
    return f"{count} episode{'s' if count != 1 else ''}"


def _rows_charts(history: History, user_id: int, days: int) -> list[RowsChart]:
    """Failure rate per provider and per video host, episodes per anime."""
    anime = episodes_per_anime(user_id, days, TOP_ANIME)
    most = max((a.episodes for a in anime), default=0) or 1
    return [
        RowsChart("chart-providers", "Failed checks per provider",
                  _rate_rows(history.providers, "checks", "checks", provider_name),
                  "No check in this period."),
        RowsChart("chart-hosts", "Failed downloads per video host",
                  _rate_rows(history.hosts, None, "downloads"),
                  "No download finished in this period."),
        RowsChart("chart-anime", f"Episodes per anime (top {TOP_ANIME})",
                  [Row(a.anime_title, a.episodes / most, _episodes(a.episodes),
                       f"{a.anime_title}: {_episodes(a.episodes)}") for a in anime],
                  "No episode reached the library in this period."),
    ]


def _summary(history: History) -> dict[str, Any]:
    latencies = [s for day in history.days for s in day.latencies]
    downloads = sum(d.downloads for d in history.days)
    failed = sum(d.failed for d in history.days)
    return {"downloads": downloads, "bytes": sum(d.bytes for d in history.days),
            "failed": failed, "median": percentile(latencies, 0.5),
            "p90": percentile(latencies, 0.9), "library_bytes": history.library_bytes,
            "failure_rate": failed / (downloads + failed) if downloads + failed else None}


@bp.get("/stats")
def stats() -> Response:
    """Charts of the user's downloads, latency, failures and library for the period."""
    days = check_days(request.args.get("days") or DEFAULT_DAYS)
    history = stats_history(current_user.id, days)
    weeks = weeks_of(history)
    return page_or_fragment("stats/page.html", "stats/_stats.html", days=days,
                            periods=PERIODS, weeks=weeks, summary=_summary(history),
                            time_charts=_time_charts(weeks),
                            rows_charts=_rows_charts(history, current_user.id, days))
