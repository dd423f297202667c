"""Geometry of the statistics page's SVG charts: series over weeks, axes with round ticks,
units, and rows of horizontal bars. templates/stats/_charts.html draws them.

Coordinates are in the chart's own `viewBox` units (WIDTH × HEIGHT); the SVG scales to
the width of its card, so a chart drawn once fits a phone and a desktop alike.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

WIDTH, HEIGHT = 400, 210          # a time chart; 1:1 on a phone, ×1.2 on a desktop card
LEFT, RIGHT, TOP, BOTTOM = 40, 22, 12, 28
ROWS_WIDTH, ROW_HEIGHT = 360, 44   # rows of horizontal bars
CHAR_WIDTH = 7.4                   # an average character at font-size 13, for cutting labels
X_LABELS = 6       # at most this many week labels under a chart
STEPS = 4          # horizontal grid lines above zero

SIZE_UNITS = ((1024 ** 4, "TB"), (1024 ** 3, "GB"), (1024 ** 2, "MB"), (1024, "KB"))
TIME_UNITS = ((2 * 86400, 86400, "days"), (2 * 3600, 3600, "hours"), (0, 60, "minutes"))


def size_unit(peak: float) -> tuple[int, str]:
    """(divisor, name) of the largest unit the peak reaches (GB when nothing)."""
    if peak <= 0:
        return 1024 ** 3, "GB"
    return next(((div, name) for div, name in SIZE_UNITS if peak >= div), (1, "bytes"))


def time_unit(peak_seconds: float) -> tuple[int, str]:
    """(divisor, name): days past 2 days, hours past 2 hours (or nothing), else minutes."""
    if peak_seconds <= 0:
        return 3600, "hours"
    return next((div, name) for floor_, div, name in TIME_UNITS if peak_seconds >= floor_)


def scaled(value: float | None, divisor: float) -> float | None:
    """`value / divisor`, None kept."""
    return None if value is None else value / divisor


def nice_step(peak: float, whole: bool = False) -> float:
    """A round step (1, 2, 2.5 or 5 × 10^k) so that STEPS of them reach `peak`."""
    if peak <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(peak / STEPS))
    for m in (1, 2, 2.5, 5, 10, 20):
        step = m * magnitude
        if whole and (step < 1 or step != int(step)):
            continue
        if step * STEPS >= peak:
            return step
    return peak / STEPS  # unreachable: 10 × magnitude × STEPS ≥ peak


def tick_text(value: float) -> str:
    """A tick's label: `2`, `0.25`, `1.5`."""
    return f"{value:.2f}".rstrip("0").rstrip(".") if value else "0"


@dataclass
class Series:
    """One series over the weeks: its name, CSS class, values (None: no data) and tips."""

    name: str
    css: str
    values: list[float | None]
    tips: list[str]


@dataclass
class TimeChart:
    """A chart over the weeks: bars (one series) or lines (one or two)."""

    id: str
    title: str
    kind: str                   # "bars" or "lines"
    labels: list[str]
    series: list[Series]
    summary: str
    whole: bool = False         # counts: ticks are whole numbers
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP

    @cached_property
    def step(self) -> float:
        peak = max((v for s in self.series for v in s.values if v is not None), default=0)
        return nice_step(peak, self.whole)

    @property
    def bottom(self) -> float:
        return self.height - BOTTOM

    @property
    def right(self) -> float:
        return self.width - RIGHT

    def y(self, value: float) -> float:
        """The y coordinate of a value."""
        span = self.bottom - TOP
        return round(self.bottom - span * value / (self.step * STEPS), 1)

    @property
    def slot(self) -> float:
        return (self.right - LEFT) / max(1, len(self.labels))

    def x(self, index: int) -> float:
        """The x coordinate of the middle of a week's slot."""
        return round(LEFT + self.slot * (index + 0.5), 1)

    @property
    def ticks(self) -> list[tuple[float, str]]:
        """(y, label) of the horizontal grid lines, zero first."""
        return [(self.y(k * self.step), tick_text(k * self.step)) for k in range(STEPS + 1)]

    @property
    def x_labels(self) -> list[tuple[float, str]]:
        """(x, label) of the weeks named under the chart (the newest always)."""
        every = max(1, math.ceil(len(self.labels) / X_LABELS))
        last = len(self.labels) - 1
        return [(self.x(i), label) for i, label in enumerate(self.labels)
                if (last - i) % every == 0]

    def bars(self, series: Series) -> list[dict]:
        """One rectangle per week with a value (at least a hairline above zero)."""
        width = round(max(1.0, self.slot * 0.7), 1)
        out = []
        for i, (value, tip) in enumerate(zip(series.values, series.tips, strict=True)):
            if value is None:
                continue
            top = self.y(value)
            height = round(self.bottom - top, 1)
            if value > 0 and height < 1:
                top, height = self.bottom - 1, 1
            out.append({"x": round(self.x(i) - width / 2, 1), "y": top, "w": width,
                        "h": height, "tip": tip, "value": value})
        return out

    def points(self, series: Series) -> list[dict]:
        """The points of a line, each with its tip."""
        return [{"x": self.x(i), "y": self.y(value), "tip": tip}
                for i, (value, tip) in enumerate(zip(series.values, series.tips, strict=True))
                if value is not None]

    def paths(self, series: Series) -> list[str]:
        """`points` attributes of the polylines: a week without data breaks the line."""
        runs: list[list[str]] = [[]]
        for i, value in enumerate(series.values):
            if value is None:
                runs.append([])
            else:
                runs[-1].append(f"{self.x(i)},{self.y(value)}")
        return [" ".join(run) for run in runs if len(run) > 1]


@dataclass
class Row:
    """One horizontal bar: a label, how full (0–1), its figures and a tooltip."""

    label: str
    fraction: float
    text: str
    tip: str

    def short(self, width: float) -> str:
        """The label cut to fit in `width` beside its figures."""
        room = max(6, int((width - 16) / CHAR_WIDTH) - len(self.text))
        return self.label if len(self.label) <= room else self.label[:room - 1].rstrip() + "…"


@dataclass
class RowsChart:
    """Horizontal bars, one per row (a provider, a host, an anime)."""

    id: str
    title: str
    rows: list[Row]
    empty: str
    width: int = ROWS_WIDTH
    row_height: int = ROW_HEIGHT

    @property
    def height(self) -> int:
        return max(1, len(self.rows)) * self.row_height

    @property
    def track(self) -> float:
        return self.width - 2

    def bar_width(self, row: Row) -> float:
        """The filled part of a row's bar (a hairline when not empty)."""
        width = round(self.track * max(0.0, min(1.0, row.fraction)), 1)
        return max(width, 2.0) if row.fraction > 0 else 0.0
