"""UTC time helpers: one clock for the whole app and the ISO 8601 `Z` format of the API."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime (microseconds dropped)."""
    return datetime.now(UTC).replace(microsecond=0)


def precise_utcnow() -> datetime:
    """Return the current aware UTC time with microseconds (for ordering)."""
    return datetime.now(UTC)


def isoformat(value: datetime | None) -> str | None:
    """Format an aware or naive-UTC datetime as `2026-01-29T12:00:00Z`."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.replace(microsecond=0).isoformat() + "Z"
