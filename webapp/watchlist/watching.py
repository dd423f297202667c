"""How an item's new episodes are looked for: the `watched_by` field of the API item.

An item is watched by its owner's interval checks (the upper bound between two checks),
by the site's recently-added page when the provider has one, the admin left it on and the
owner's `fast_detection` is on, and around its expected release when a prediction brought
its next check earlier than the interval would (SPEC §4, §5).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from webapp.infra.site_access import get_registry
from webapp.infra.site_settings import site_feeds_off

# A next check earlier than the interval by more than this came from the expected release.
_EARLIER_SLACK = timedelta(minutes=1)


def site_feed_providers() -> set[str]:
    """The providers whose recently-added page triggers checks on this install."""
    off = site_feeds_off()
    return {p.id for p in get_registry().providers if p.has_site_feed and p.id not in off}


def _as_time(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def next_check_reason(next_check_at: Any, last_checked_at: Any, interval_hours: int,
                      expected_at: Any) -> str:
    """`expected_release` when the next check was brought before the interval's end by a
    predicted release, else `interval`."""
    next_check, last_check = _as_time(next_check_at), _as_time(last_checked_at)
    if expected_at is None or next_check is None or last_check is None:
        return "interval"
    if next_check < last_check + timedelta(hours=interval_hours) - _EARLIER_SLACK:
        return "expected_release"
    return "interval"


def watched_by(provider_id: str, fast_detection: bool, interval_hours: int,
               feeds: set[str], next_check_at: Any = None, last_checked_at: Any = None,
               expected_at: Any = None) -> dict[str, Any]:
    """The `watched_by` object of one item."""
    return {"site_feed": bool(fast_detection) and provider_id in feeds,
            "interval_hours": interval_hours,
            "next_check_reason": next_check_reason(next_check_at, last_checked_at,
                                                   interval_hours, expected_at)}
