"""One item's sources in order (SPEC §4 "Backup sources"): list, add, remove, reorder.

A source's `id` is its `sources` row id: the same whatever its position, position 0 (the
item's own source) included, so `PUT {"order": [ids]}` and `DELETE .../sources/{id}` work
the same on every entry. Reordering another source to position 0 makes it the item's own:
`source_id`, `anime_url`, `provider_id` and `lang` follow, and `langs` starts with it.
Removing the item's own source promotes the next one; the last one cannot go (409).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from webapp.clock import utcnow
from webapp.errors import Conflict, Invalid, NotFound
from webapp.extensions import db
from webapp.models import ItemSource, Source, WatchlistItem
from webapp.schemas.item_sources import ItemSourceCreate
from webapp.watchlist.language_sources import (
    MAX_SOURCES,
    backup_rows,
    display_url,
    refresh_langs,
    renumber,
)
from webapp.watchlist.manager import WatchlistManager, conflict
from webapp.watchlist.sources import find_source_id, resolve, source_id_for


def source_dict(item: WatchlistItem, source: Source, position: int,
                last_error: str | None) -> dict[str, Any]:
    """One entry of the list as the API shows it."""
    own = position == 0
    return {"id": source.id,
            "anime_url": item.anime_url if own else display_url(item, source),
            "provider_id": source.provider_id, "lang": source.lang, "position": position,
            "last_error": last_error}


class ItemSources:
    """The sources of one user's items; every query is scoped to that user."""

    def __init__(self, user_id: int) -> None:
        self.user_id = user_id
        self.manager = WatchlistManager(user_id)

    def list(self, item_id: str) -> list[dict[str, Any]]:
        """The item's sources, its own first (position 0)."""
        return self._render(self.manager.get_item(item_id))

    def _render(self, item: WatchlistItem) -> list[dict[str, Any]]:
        own = db.session.get(Source, item.source_id)
        return [source_dict(item, own, 0, item.last_error)] + [
            source_dict(item, source, row.position, row.last_error)
            for row, source in backup_rows(item.id)]

    def add(self, item_id: str, data: ItemSourceCreate) -> dict[str, Any]:
        """Add a backup source after the others (checked like a new item's URL); the item
        is due at once so the new source is read soon."""
        item = self.manager.get_item(item_id)
        resolved = resolve(data.anime_url, data.provider_id, data.lang)
        rows = backup_rows(item.id)
        source_id = find_source_id(resolved)
        if source_id is not None and (source_id == item.source_id
                                      or any(r.source_id == source_id for r, _s in rows)):
            raise Conflict("This source is already one of the item's sources.",
                           [{"field": "anime_url", "source_id": source_id}])
        if len(rows) + 1 >= MAX_SOURCES:
            raise Conflict(f"An item has at most {MAX_SOURCES} sources.",
                           [{"field": "anime_url", "message": "too many sources"}])
        source_id = source_id or source_id_for(resolved)
        row = ItemSource(item_id=item.id, source_id=source_id, position=len(rows) + 1)
        db.session.add(row)
        source = db.session.get(Source, source_id)
        refresh_langs(item, [*rows, (row, source)])
        now = utcnow()
        if item.next_check_at is None or item.next_check_at > now:
            item.next_check_at = now
        self._commit(item)
        return source_dict(item, source, row.position, None)

    def remove(self, item_id: str, source_id: int) -> None:
        """Remove a source; removing the item's own promotes the next (never the last)."""
        item = self.manager.get_item(item_id)
        rows = backup_rows(item.id)
        if source_id == item.source_id:
            if not rows:
                raise Conflict("The last remaining source of an item cannot be removed.",
                               [{"field": "source_id", "source_id": source_id}])
            self._order(item, [r.source_id for r, _s in rows] + [source_id], drop_last=True)
            return
        row = next((r for r, _s in rows if r.source_id == source_id), None)
        if row is None:
            raise NotFound("source of this item")
        db.session.delete(row)
        rest = [(r, s) for r, s in rows if r is not row]
        renumber([r for r, _s in rest])
        refresh_langs(item, rest)
        self._commit(item)

    def reorder(self, item_id: str, order: list[int]) -> list[dict[str, Any]]:
        """Put the item's sources in this order (every id once); the first is its own."""
        item = self.manager.get_item(item_id)
        current = [item.source_id] + [r.source_id for r, _s in backup_rows(item.id)]
        if len(order) != len(set(order)) or set(order) != set(current):
            message = "must list every source id of the item exactly once"
            raise Invalid(f"order {message}.", [{"field": "order", "message": message,
                                                 "ids": current}])
        self._order(item, order)
        return self._render(item)

    def _order(self, item: WatchlistItem, order: list[int], drop_last: bool = False) -> None:
        """Apply an order of the item's source ids (the same set it has); `drop_last`
        removes the last one."""
        rows = {r.source_id: (r, s) for r, s in backup_rows(item.id)}
        if order[0] != item.source_id:
            self._make_own(item, order[0], rows)
        ordered = [rows[sid] for sid in order[1:]]
        if drop_last:
            db.session.delete(ordered.pop()[0])
        renumber([r for r, _s in ordered])
        refresh_langs(item, ordered)
        self._commit(item)

    def _make_own(self, item: WatchlistItem, source_id: int,
                  rows: dict[int, tuple[ItemSource, Source]]) -> None:
        """The backup `source_id` becomes the item's own; its own becomes that row."""
        taken = db.session.scalar(select(WatchlistItem.id).where(
            WatchlistItem.user_id == self.user_id, WatchlistItem.source_id == source_id))
        if taken is not None:
            raise conflict(taken)
        row, source = rows.pop(source_id)
        old = db.session.get(Source, item.source_id)
        url = display_url(item, source)
        row.source_id, row.last_error, item.last_error = old.id, item.last_error, row.last_error
        rows[old.id] = (row, old)
        item.source_id, item.provider_id, item.lang = source.id, source.provider_id, source.lang
        item.anime_url = url

    def _commit(self, item: WatchlistItem) -> None:
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            raise Conflict("The item's sources changed meanwhile; try again.") from None
