"""Export and import of a user's watchlist (SPEC §4 "Backup"); import is idempotent."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from webapp.clock import isoformat, precise_utcnow, utcnow
from webapp.errors import Invalid
from webapp.extensions import db
from webapp.models import ItemSource, Source, UserSettings, WatchlistItem
from webapp.schemas import (
    EXPORT_ITEM_FIELDS,
    ImportItem,
    WatchlistImport,
    WatchlistItemCreate,
    episode_number,
    settings_to_dict,
)
from webapp.watchlist.language_sources import (
    MAX_SOURCES,
    backup_rows,
    display_url,
    is_language_row,
    refresh_langs,
)
from webapp.watchlist.sources import (
    ResolvedSource,
    find_source_id,
    resolve,
    resolve_preferred,
    source_id_for,
)

MAX_REPORTED_ERRORS = 50
LOOKUP_CHUNK = 300
SourceKey = tuple[str, str, str]


def item_langs(first: str, langs: list[str] | None) -> list[str]:
    """The ordered language preference of an item whose language is `first`."""
    rest = [lang for lang in (langs or []) if lang != first]
    return list(dict.fromkeys([first, *rest]))


def new_item(user_id: int, source_id: int, resolved: ResolvedSource, data: WatchlistItemCreate,
             created_at: datetime, status: str = "active") -> WatchlistItem:
    """A new item from a create body: never checked yet, so due at once."""
    return WatchlistItem(
        langs=item_langs(resolved.lang, data.langs), follow_new_seasons=data.follow_new_seasons,
        upgrade_language=data.upgrade_language, notify=data.notify,
        user_id=user_id, source_id=source_id, anime_title=data.anime_title,
        anime_url=resolved.display_url, provider_id=resolved.provider_id, lang=resolved.lang,
        status=status, auto_download=data.auto_download,
        quality_preference=data.quality_preference, poster_image=data.poster_image,
        synopsis=data.synopsis, genres=list(data.genres),
        last_episode_downloaded=data.last_episode_downloaded, last_episode_available=None,
        last_checked_at=None, next_check_at=created_at, created_at=created_at)


def export_document(user_id: int, settings: UserSettings) -> dict[str, Any]:
    """Settings plus every item (oldest first, so an import keeps the order)."""
    columns = [getattr(WatchlistItem, name) for name in EXPORT_ITEM_FIELDS]
    rows = db.session.execute(select(WatchlistItem.id, *columns)
                              .where(WatchlistItem.user_id == user_id)
                              .order_by(WatchlistItem.created_at, WatchlistItem.id))
    backups = _backup_sources(user_id)
    items = []
    for row in rows:
        item = {name: getattr(row, name) for name in EXPORT_ITEM_FIELDS}
        item["last_episode_downloaded"] = episode_number(item["last_episode_downloaded"])
        item["genres"] = list(item["genres"] or [])
        item["langs"] = list(item["langs"] or [item["lang"]])
        item["sources"] = [{"anime_url": display_url(row, source),
                            "provider_id": source.provider_id, "lang": source.lang}
                           for source in backups.get(row.id, [])
                           if not is_language_row(row, source)]
        items.append(item)
    return {"version": 1, "exported_at": isoformat(utcnow()),
            "settings": settings_to_dict(settings), "items": items}


def _backup_sources(user_id: int) -> dict[str, list[Source]]:
    """Each of the user's items' backup sources, in order."""
    found: dict[str, list[Source]] = {}
    rows = db.session.execute(
        select(ItemSource.item_id, Source).join(Source, Source.id == ItemSource.source_id)
        .join(WatchlistItem, WatchlistItem.id == ItemSource.item_id)
        .where(WatchlistItem.user_id == user_id)
        .order_by(ItemSource.item_id, ItemSource.position, ItemSource.id))
    for item_id, source in rows:
        found.setdefault(item_id, []).append(source)
    return found


def resolve_items(doc: WatchlistImport) -> tuple[list[ResolvedSource],
                                                 list[list[ResolvedSource]]]:
    """Check every item's URL and its backup sources' first, so a bad document imports
    nothing; (each item's source, each item's backup sources)."""
    resolved: list[ResolvedSource] = []
    backups: list[list[ResolvedSource]] = []
    errors: list[dict[str, Any]] = []
    for index, item in enumerate(doc.items):
        try:
            resolved.append(resolve_preferred(item.anime_url, item.provider_id, item.lang,
                                              item.langs, field_prefix=f"items.{index}."))
            backups.append([resolve(extra.anime_url, extra.provider_id, extra.lang,
                                    field_prefix=f"items.{index}.sources.{place}.")
                            for place, extra in enumerate(item.sources)])
        except Invalid as exc:
            errors.extend(exc.details)
            if len(errors) >= MAX_REPORTED_ERRORS:
                break
    if errors:
        raise Invalid("Some items of the document are invalid; nothing was imported.", errors)
    return resolved, backups


def _key(resolved: ResolvedSource) -> SourceKey:
    return (resolved.provider_id, resolved.key, resolved.lang)


def _source_ids(keys: list[SourceKey]) -> dict[SourceKey, int]:
    """Find the sources of every key in a few queries, creating the missing ones."""
    wanted = set(keys)
    found: dict[SourceKey, int] = {}
    for start in range(0, len(keys), LOOKUP_CHUNK):
        urls = {key[1] for key in keys[start:start + LOOKUP_CHUNK]}
        rows = db.session.execute(select(Source.id, Source.provider_id, Source.url, Source.lang)
                                  .where(Source.url.in_(urls)))
        for source_id, provider_id, url, lang in rows:
            if (provider_id, url, lang) in wanted:
                found[(provider_id, url, lang)] = source_id
    missing = [key for key in keys if key not in found]
    if not missing:
        return found
    sources = [Source(provider_id=p, url=u, lang=lang) for p, u, lang in missing]
    db.session.add_all(sources)
    try:
        db.session.commit()
        found.update({key: source.id for key, source in zip(missing, sources, strict=True)})
    except IntegrityError:
        db.session.rollback()  # a concurrent request created some: take them one by one
        for p, u, lang in missing:
            found[(p, u, lang)] = source_id_for(ResolvedSource(p, u, lang, u))
    return found


def import_items(user_id: int, doc: WatchlistImport,
                 resolved: list[ResolvedSource]) -> tuple[int, int]:
    """Add the items the user does not have yet; (created, skipped)."""
    keys = list(dict.fromkeys(_key(r) for r in resolved))
    source_ids = _source_ids(keys)
    owned = set(db.session.scalars(select(WatchlistItem.source_id)
                                   .where(WatchlistItem.user_id == user_id)))
    base = precise_utcnow()
    planned: list[tuple[int, ResolvedSource, ImportItem, datetime]] = []
    for index, (item, res) in enumerate(zip(doc.items, resolved, strict=True)):
        source_id = source_ids[_key(res)]
        if source_id not in owned:
            owned.add(source_id)
            # One microsecond apart: the document's order survives as "newest first".
            planned.append((source_id, res, item, base + timedelta(microseconds=index)))
    skipped = len(doc.items) - len(planned)
    db.session.add_all([new_item(user_id, sid, res, item, at, item.status)
                        for sid, res, item, at in planned])
    try:
        db.session.commit()
        return len(planned), skipped
    except IntegrityError:
        db.session.rollback()  # a concurrent import of the same items: add them one by one
    created = 0
    for sid, res, item, at in planned:
        db.session.add(new_item(user_id, sid, res, item, at, item.status))
        try:
            db.session.commit()
            created += 1
        except IntegrityError:
            db.session.rollback()
    return created, len(doc.items) - created


def import_backup_sources(user_id: int, resolved: list[ResolvedSource],
                          backups: list[list[ResolvedSource]]) -> int:
    """Give the user's items of the document the backup sources it names that they lack
    (after their language rows, in the document's order); how many were added."""
    added = 0
    for res, sources in zip(resolved, backups, strict=True):
        if not sources:
            continue
        item = db.session.scalar(select(WatchlistItem).where(
            WatchlistItem.user_id == user_id, WatchlistItem.source_id == find_source_id(res)))
        if item is None:
            continue
        rows = backup_rows(item.id)
        present = {item.source_id, *(row.source_id for row, _s in rows)}
        for extra in sources:
            source_id = source_id_for(extra)
            if source_id in present or len(present) >= MAX_SOURCES:
                continue
            present.add(source_id)
            row = ItemSource(item_id=item.id, source_id=source_id, position=len(rows) + 1)
            db.session.add(row)
            rows.append((row, db.session.get(Source, source_id)))
            added += 1
        refresh_langs(item, rows)
        db.session.commit()
    return added
