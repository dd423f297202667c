"""What a user's own changes add to the activity: an item paused, resumed, completed,
archived or deleted (written in the transaction of the change)."""

from __future__ import annotations

from webapp.models import WatchlistItem
from webapp.notifications.activity import record

WORDS = {"active": "resumed", "paused": "paused", "completed": "marked completed",
         "archived": "archived", "deleted": "removed from the watchlist"}


def record_status(item: WatchlistItem, old: str, new: str) -> bool:
    """Add a `status_changed` event when the status really changed (the caller commits)."""
    if old == new:
        return False
    return record(item.user_id, "status_changed",
                  f"{item.anime_title} {WORDS.get(new, new)}.", item_id=item.id,
                  anime_title=item.anime_title, **{"from": old, "to": new})
