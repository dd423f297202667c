"""WatchlistManager: one user's items and settings (create, read, update, delete, backup)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from webapp.clock import precise_utcnow, utcnow
from webapp.errors import Conflict, NotFound
from webapp.extensions import db
from webapp.models import UserSettings, WatchlistItem
from webapp.schemas import (
    WatchlistImport,
    WatchlistItemCreate,
    WatchlistItemUpdate,
    WatchlistSettingsUpdate,
)
from webapp.watchlist import backup, language_sources, listing
from webapp.watchlist.history import record_status
from webapp.watchlist.sources import (
    ResolvedSource,
    find_source_id,
    resolve,
    resolve_preferred,
    source_id_for,
)

ITEM_ID_RE = re.compile(r"^[0-9a-f]{32}$")


def conflict(item_id: str) -> Conflict:
    """The conflict raised when the user already tracks this anime URL + lang."""
    return Conflict("This anime (same URL and language) is already on your watchlist.",
                    [{"field": "anime_url", "item_id": item_id}])


class WatchlistManager:
    """Every watchlist operation of one user; all queries are scoped to that user."""

    def __init__(self, user_id: int) -> None:
        self.user_id = user_id

    # --- reading -----------------------------------------------------------------------

    def list_items(self, status: str | None = None, provider_id: str | None = None,
                   q: str | None = None, limit: int | None = None, offset: int = 0,
                   sort: str | None = None, order: str | None = None) -> list[WatchlistItem]:
        """The user's items, filtered by status, provider and title, sorted (`listing.SORTS`;
        newest first by default)."""
        return listing.list_items(self.user_id, status=status, provider_id=provider_id, q=q,
                                  limit=limit, offset=offset, sort=sort, order=order)

    def list_item_dicts(self, status: str | None = None, provider_id: str | None = None,
                        q: str | None = None, limit: int | None = None, offset: int = 0,
                        sort: str | None = None,
                        order: str | None = None) -> list[dict[str, Any]]:
        """Like list_items, already rendered as API JSON (the fast path of the API)."""
        return listing.list_item_dicts(self.user_id, status=status, provider_id=provider_id,
                                       q=q, limit=limit, offset=offset, sort=sort,
                                       order=order)

    def count_items(self, status: str | None = None, provider_id: str | None = None,
                    q: str | None = None) -> int:
        """How many of the user's items match the filters."""
        return listing.count_items(self.user_id, status=status, provider_id=provider_id, q=q)

    def get_item(self, item_id: str) -> WatchlistItem:
        """One of the user's items; NotFound for unknown ids and other users' items."""
        if not ITEM_ID_RE.match(item_id or ""):
            raise NotFound("watchlist item")
        item = db.session.scalar(select(WatchlistItem).where(
            WatchlistItem.id == item_id, WatchlistItem.user_id == self.user_id))
        if item is None:
            raise NotFound("watchlist item")
        return item

    def stats(self) -> dict[str, Any]:
        """Counts of the user's items by status, auto-download and provider."""
        return listing.stats(self.user_id)

    # --- writing -----------------------------------------------------------------------

    def _existing_item_id(self, source_id: int) -> str | None:
        return db.session.scalar(select(WatchlistItem.id).where(
            WatchlistItem.user_id == self.user_id, WatchlistItem.source_id == source_id))

    def _claim_source(self, resolved: ResolvedSource) -> int:
        """The source id for a new item of this user; Conflict when the user already has it."""
        source_id = find_source_id(resolved)
        if source_id is not None:
            existing = self._existing_item_id(source_id)
            if existing is not None:
                raise conflict(existing)
            return source_id
        return source_id_for(resolved)

    def _commit_item(self, item: WatchlistItem) -> WatchlistItem:
        """Commit an item whose source may have been taken by a concurrent request."""
        source_id = item.source_id
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            existing = self._existing_item_id(source_id)
            if existing is None:
                raise
            raise conflict(existing) from None
        return item

    def create_item(self, data: WatchlistItemCreate) -> WatchlistItem:
        """Add an anime: check its URL, share its source, and make it due at once."""
        resolved = resolve_preferred(data.anime_url, data.provider_id, data.lang, data.langs)
        source_id = self._claim_source(resolved)
        item = backup.new_item(self.user_id, source_id, resolved, data, precise_utcnow())
        db.session.add(item)
        item = self._commit_item(item)
        if len(item.langs or []) > 1:
            language_sources.sync_langs(item)  # the other languages: backup sources
        return item

    def update_item(self, item_id: str, data: WatchlistItemUpdate) -> WatchlistItem:
        """Change the fields sent; a new lang moves the item to that language's source."""
        item = self.get_item(item_id)
        changes = data.changes()
        lang = changes.pop("lang", None)
        langs = changes.pop("langs", None)
        if langs is not None:
            resolve_preferred(item.anime_url, item.provider_id, lang, langs)
            lang = langs[0]
        if lang is not None:
            self._change_lang(item, lang)
            item.langs = backup.item_langs(item.lang, langs or item.langs)
        status = changes.get("status")
        if status == "active" and item.status != "active":
            item.next_check_at = utcnow()
        old_status = item.status
        for name, value in changes.items():
            setattr(item, name, value)
        item = self._commit_item(item)  # a lang change may conflict: history after it
        if record_status(item, old_status, item.status):
            db.session.commit()
        if lang is not None:
            language_sources.sync_langs(item)
        return item

    def _change_lang(self, item: WatchlistItem, lang: str) -> None:
        resolved = resolve(item.anime_url, item.provider_id, lang)
        if resolved.lang == item.lang:
            return
        item.source_id = self._claim_source(resolved)
        item.lang = resolved.lang
        item.anime_url = resolved.display_url
        # A different source: nothing is known about it yet, so check it at once.
        item.last_episode_available = None
        item.last_checked_at = item.last_attempt_at = item.last_success_at = None
        item.last_error = None
        item.next_check_at = utcnow()

    def delete_item(self, item_id: str) -> None:
        """Remove the item (its downloads rows go with it; files stay on disk)."""
        item = self.get_item(item_id)
        db.session.execute(delete(WatchlistItem).where(
            WatchlistItem.id == item.id, WatchlistItem.user_id == self.user_id))
        record_status(item, item.status, "deleted")
        db.session.commit()

    def pause(self, item_id: str) -> WatchlistItem:
        """Stop checking the item until it is resumed."""
        item = self.get_item(item_id)
        old_status, item.status = item.status, "paused"
        record_status(item, old_status, "paused")
        db.session.commit()
        return item

    def resume(self, item_id: str) -> WatchlistItem:
        """Track the item again and make it due at once (an item already active keeps
        its schedule)."""
        item = self.get_item(item_id)
        if item.status == "active":
            return item
        old_status, item.status = item.status, "active"
        item.next_check_at = utcnow()
        record_status(item, old_status, "active")
        db.session.commit()
        return item

    # --- settings ----------------------------------------------------------------------

    def get_settings(self) -> UserSettings:
        """The user's settings (created with the defaults when missing)."""
        settings = db.session.get(UserSettings, self.user_id)
        if settings is None:
            settings = UserSettings(user_id=self.user_id)
            db.session.add(settings)
            db.session.flush()
        return settings

    def update_settings(self, data: WatchlistSettingsUpdate, *,
                        commit: bool = True) -> UserSettings:
        """Change the settings sent; a new interval reschedules the user's checkable items."""
        settings = self.get_settings()
        changes = data.changes()
        interval_changed = changes.get("check_interval_hours", settings.check_interval_hours) \
            != settings.check_interval_hours
        for name, value in changes.items():
            setattr(settings, name, value)
        if interval_changed:
            self._reschedule(settings)
        if commit:
            db.session.commit()
        return settings

    def _reschedule(self, settings: UserSettings) -> None:
        """next_check_at = last_checked_at + interval, or now when that has passed (SPEC §5)."""
        statuses = ["active"] + (["completed"] if settings.include_completed_anime else [])
        interval = timedelta(hours=settings.check_interval_hours)
        now = utcnow()
        rows = db.session.execute(select(WatchlistItem.id, WatchlistItem.last_checked_at).where(
            WatchlistItem.user_id == self.user_id, WatchlistItem.status.in_(statuses),
            WatchlistItem.last_checked_at.is_not(None)))
        moves = [{"id": item_id, "next_check_at": max(checked + interval, now)}
                 for item_id, checked in rows]
        if moves:
            db.session.execute(update(WatchlistItem), moves)

    # --- backup ------------------------------------------------------------------------

    def export(self) -> dict[str, Any]:
        """The user's settings and items as one JSON document."""
        return backup.export_document(self.user_id, self.get_settings())

    def import_(self, doc: WatchlistImport) -> tuple[int, int]:
        """Restore a document from export: (created, skipped); importing twice adds nothing."""
        resolved, backups = backup.resolve_items(doc)
        if doc.settings is not None:
            self.update_settings(doc.settings, commit=False)
            db.session.commit()
        counts = backup.import_items(self.user_id, doc, resolved)
        language_sources.sync_imported(self.user_id)
        backup.import_backup_sources(self.user_id, resolved, backups)
        return counts
