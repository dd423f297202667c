"""An item's episodes as its owner sees them: what its sources list, and each one's download."""

from __future__ import annotations

from typing import Any

import redis
from sqlalchemy import select

from webapp.clock import isoformat
from webapp.downloading.episode_sources import item_listings
from webapp.downloading.serialize import download_to_dict, live_progress
from webapp.extensions import db
from webapp.models import Download, WatchlistItem
from webapp.schemas import episode_number


def episode_states(item: WatchlistItem,
                   conn: redis.Redis | None = None) -> list[dict[str, Any]]:
    """`[{"number", "title", "first_seen_at", "source_id", "download"}]` in episode order:
    every episode the item's sources list, as the first source listing it shows it.

    `conn` gives running downloads their live figures (None: database figures only).
    """
    episodes = item_listings(item)
    rows = list(db.session.scalars(select(Download).where(Download.item_id == item.id)))
    live = live_progress(conn, rows)
    downloads = {float(d.episode): download_to_dict(d, live.get(d.id)) for d in rows}
    return [{"number": episode_number(e.number), "title": e.title,
             "first_seen_at": isoformat(e.first_seen_at), "source_id": e.source_id,
             "download": downloads.get(float(e.number))}
            for e in episodes]
