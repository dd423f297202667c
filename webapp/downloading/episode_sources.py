"""Which of an item's sources lists each episode, in the item's order of sources.

An item's own source comes first, then its backup sources (`item_sources`) by position;
an episode belongs to the first of them that lists it. The episode list a user sees and
a download asked for by hand both follow this order (the check's own choice, which also
skips sources whose last check failed, is webapp.checking.backup_sources).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import ItemSource, SourceEpisode, WatchlistItem


@dataclass(frozen=True)
class Listing:
    """An episode as the first source listing it shows it."""

    number: float
    title: str | None
    first_seen_at: datetime | None
    source_id: int


def ordered_source_ids(item: WatchlistItem) -> list[int]:
    """The item's own source, then its backup sources by position."""
    backups = db.session.scalars(select(ItemSource.source_id)
                                 .where(ItemSource.item_id == item.id)
                                 .order_by(ItemSource.position))
    return [item.source_id, *(s for s in backups if s != item.source_id)]


def item_listings(item: WatchlistItem, number: float | None = None) -> list[Listing]:
    """Every episode the item's sources list (or only episode `number`), each once, from
    the first source listing it, in episode order."""
    order = ordered_source_ids(item)
    query = (select(SourceEpisode.number, SourceEpisode.title, SourceEpisode.first_seen_at,
                    SourceEpisode.source_id)
             .where(SourceEpisode.source_id.in_(order)))
    if number is not None:
        query = query.where(SourceEpisode.number == float(number))
    rank = {source_id: place for place, source_id in enumerate(order)}
    chosen: dict[float, Listing] = {}
    for row in db.session.execute(query):
        seen = chosen.get(float(row.number))
        if seen is None or rank[row.source_id] < rank[seen.source_id]:
            chosen[float(row.number)] = Listing(float(row.number), row.title,
                                                row.first_seen_at, row.source_id)
    return [chosen[n] for n in sorted(chosen)]
