"""Read-only queries over one user's items: filtered lists, counts and stats.

The API list is one statement returning plain rows (no ORM objects, no per-row
validation), with timestamps already formatted as ISO 8601 by the database: a list of a
thousand items costs one round trip and little Python.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, func, select

from webapp.extensions import db
from webapp.models import STATUSES, WatchlistItem
from webapp.schemas import ITEM_FIELDS, episode_number

NEWEST_FIRST = (WatchlistItem.created_at.desc(), WatchlistItem.id.desc())
_TIME_FIELDS = {"last_checked_at", "next_check_at", "created_at", "updated_at"}
_list_columns: dict[str, list[ColumnElement]] = {}


def iso_utc(column: Any, dialect: str) -> ColumnElement:
    """A UTC timestamp column formatted by the database as `2026-01-29T12:00:00Z`."""
    if dialect == "sqlite":
        return func.strftime("%Y-%m-%dT%H:%M:%SZ", column)
    return func.to_char(column, 'YYYY-MM-DD"T"HH24:MI:SS"Z"')


def _columns() -> list[ColumnElement]:
    """The item fields in API order, timestamps formatted in SQL."""
    dialect = db.engine.dialect.name
    if dialect not in _list_columns:
        _list_columns[dialect] = [
            iso_utc(getattr(WatchlistItem, name), dialect).label(name)
            if name in _TIME_FIELDS else getattr(WatchlistItem, name)
            for name in ITEM_FIELDS]
    return _list_columns[dialect]


def _render(row: Any) -> dict[str, Any]:
    data = dict(zip(ITEM_FIELDS, row, strict=True))
    data["last_episode_downloaded"] = episode_number(data["last_episode_downloaded"])
    data["last_episode_available"] = episode_number(data["last_episode_available"])
    return data


def filtered(stmt: Select, user_id: int, status: str | None = None,
             provider_id: str | None = None, q: str | None = None) -> Select:
    """Scope a select to the user's items and apply the list filters."""
    stmt = stmt.where(WatchlistItem.user_id == user_id)
    if status:
        stmt = stmt.where(WatchlistItem.status == status)
    if provider_id:
        stmt = stmt.where(WatchlistItem.provider_id == provider_id)
    if q:
        stmt = stmt.where(WatchlistItem.anime_title.icontains(q, autoescape=True))
    return stmt


def _page(stmt: Select, limit: int | None, offset: int) -> Select:
    stmt = stmt.order_by(*NEWEST_FIRST)
    if limit is not None:
        stmt = stmt.limit(limit)
    if offset:
        stmt = stmt.offset(offset)
    return stmt


def list_items(user_id: int, *, status: str | None = None, provider_id: str | None = None,
               q: str | None = None, limit: int | None = None,
               offset: int = 0) -> list[WatchlistItem]:
    """The user's items as ORM objects, newest first."""
    stmt = filtered(select(WatchlistItem), user_id, status, provider_id, q)
    return list(db.session.scalars(_page(stmt, limit, offset)))


def list_item_dicts(user_id: int, *, status: str | None = None, provider_id: str | None = None,
                    q: str | None = None, limit: int | None = None,
                    offset: int = 0) -> list[dict[str, Any]]:
    """The user's items as API JSON, newest first, in one lean query."""
    stmt = filtered(select(*_columns()), user_id, status, provider_id, q)
    rows = db.session.connection().execute(_page(stmt, limit, offset))
    return [_render(row) for row in rows]


def count_items(user_id: int, *, status: str | None = None, provider_id: str | None = None,
                q: str | None = None) -> int:
    """How many of the user's items match the filters."""
    stmt = filtered(select(func.count()).select_from(WatchlistItem), user_id, status,
                    provider_id, q)
    return db.session.scalar(stmt) or 0


def stats(user_id: int) -> dict[str, Any]:
    """Counts by status, with auto-download on, and by provider, from one grouped query."""
    rows = db.session.execute(
        select(WatchlistItem.status, WatchlistItem.provider_id, WatchlistItem.auto_download,
               func.count())
        .where(WatchlistItem.user_id == user_id)
        .group_by(WatchlistItem.status, WatchlistItem.provider_id,
                  WatchlistItem.auto_download))
    result: dict[str, Any] = {"total": 0, **dict.fromkeys(STATUSES, 0),
                              "auto_download_enabled": 0, "providers": {}}
    providers: dict[str, int] = result["providers"]
    for status, provider_id, auto_download, count in rows:
        result["total"] += count
        if status in STATUSES:
            result[status] += count
        if auto_download:
            result["auto_download_enabled"] += count
        providers[provider_id] = providers.get(provider_id, 0) + count
    return result
