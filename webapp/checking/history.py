"""What a check adds to its items' activity: found N new, nothing new, or failed and why."""

from __future__ import annotations

from typing import Any

from webapp.checking.messages import format_numbers
from webapp.notifications.activity import Event, record_many


def _event(item: Any, result: dict[str, Any]) -> Event:
    """The activity event of one item's check result (an AutoDownloadResult)."""
    base = {"user_id": item.user_id, "item_id": item.id, "anime_title": item.anime_title}
    data = {"episodes_available": result["episodes_available"],
            "new_episodes": result["new_episodes"],
            "downloads_queued": result["downloads_queued"]}
    if result["error"]:
        return Event(kind="check_failed", message=f"Check failed: {result['error']}",
                     data={**data, "error": result["error"]}, **base)
    new = result["new_episodes"]
    if new:
        plural = "s" if len(new) != 1 else ""
        queued = result["downloads_queued"]
        tail = f"; {len(queued)} queued for download" if queued else ""
        return Event(kind="check_found", data=data, **base,
                     message=f"Found {len(new)} new episode{plural}: "
                             f"{format_numbers(new)}{tail}.")
    available = result["episodes_available"]
    have = f" ({available} episodes listed)" if available is not None else ""
    return Event(kind="check_nothing", data=data, **base,
                 message=f"Checked: nothing new{have}.")


def record_check(items: list[Any], outcome: Any) -> int:
    """Add one event per item the check counted for, in the check's transaction."""
    events = []
    for item in items:
        if item.id in outcome.checked:
            result = outcome.result(item.id)
            if result is not None:
                events.append(_event(item, result))
    return record_many(events)
