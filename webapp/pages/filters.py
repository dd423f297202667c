"""Jinja filters of the pages: relative times, sizes, speeds and episode numbers."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import Flask


def ago(value: datetime | str | None, now: datetime | None = None) -> str:
    """`5 min ago` / `in 3 h` / `2 d ago`: a short relative time for a UTC time (or ISO text)."""
    if not value:
        return "—"
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    delta = ((now or datetime.now(UTC)) - value).total_seconds()
    future, seconds = delta < 0, abs(delta)
    if seconds < 45:
        return "in a moment" if future else "just now"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size or unit == "min":
            amount = round(seconds / size)
            return f"in {amount} {unit}" if future else f"{amount} {unit} ago"
    return ""  # unreachable


def until(value: datetime | None) -> str:
    """When something is due: `in 3 h`, or `due now` once the time has passed."""
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return "due now" if value <= datetime.now(UTC) else ago(value)


def filesize(value: int | float | None) -> str:
    """Bytes in a readable unit: `734.0 MB`."""
    if value is None:
        return "?"
    size = float(value)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return ""  # unreachable


def duration(seconds: int | float | None) -> str:
    """A short duration: `1 h 05 min`, `3 min 10 s`, `42 s`."""
    if seconds is None:
        return "?"
    s = int(seconds)
    if s >= 3600:
        return f"{s // 3600} h {s % 3600 // 60:02d} min"
    if s >= 60:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s} s"


def episode(value: float | int | None) -> str:
    """An episode number without a useless `.0`: 12 and 12.5."""
    if value is None:
        return "—"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def http_url(value: str | None) -> str | None:
    """The URL when it is http(s), else None (site data never becomes a `javascript:` link)."""
    if value and urlsplit(value).scheme.lower() in ("http", "https"):
        return value
    return None


def quality(value: str | None) -> str:
    """A quality preference in words: `auto` reads "best available" on every page."""
    return "best available" if value in (None, "", "auto") else value


def register_filters(app: Flask) -> None:
    """Add the filters to the app's Jinja environment (and trim template whitespace)."""
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.add_template_filter(ago, "ago")
    app.add_template_filter(until, "until")
    app.add_template_filter(filesize, "filesize")
    app.add_template_filter(duration, "duration")
    app.add_template_filter(episode, "episode")
    app.add_template_filter(http_url, "http_url")
    app.add_template_filter(quality, "quality")
