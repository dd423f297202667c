"""Read-only queries over one user's items: filtered lists, counts and stats.

The API list is one statement returning plain rows (no ORM objects, no per-row
validation), with timestamps already formatted as ISO 8601 by the database: a list of a
thousand items costs one round trip and little Python.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, func, select

from webapp.extensions import db
from webapp.models import STATUSES, Source, SourceEpisode, UserSettings, WatchlistItem
from webapp.models.user import SETTING_DEFAULTS
from webapp.schemas import ITEM_FIELDS, episode_number, poster_url
from webapp.watchlist.watching import site_feed_providers, watched_by

NEWEST_FIRST = (WatchlistItem.created_at.desc(), WatchlistItem.id.desc())
_TIME_FIELDS = {"last_checked_at", "next_check_at", "created_at", "updated_at",
                "last_attempt_at", "last_success_at"}
# The sort keys of a list (SPEC §4 `sort`) and the order each one reads best in.
SORTS = ("added", "title", "next_check", "last_new_episode")
DEFAULT_ORDER = {"added": "desc", "title": "asc", "next_check": "asc",
                 "last_new_episode": "desc"}
_list_columns: dict[str, list[ColumnElement]] = {}


def iso_utc(column: Any, dialect: str) -> ColumnElement:
    """A UTC timestamp column formatted by the database as `2026-01-29T12:00:00Z`."""
    if dialect == "sqlite":
        return func.strftime("%Y-%m-%dT%H:%M:%SZ", column)
    return func.to_char(column, 'YYYY-MM-DD"T"HH24:MI:SS"Z"')


# What the list reads beside the item's own columns: its source's prediction and its
# owner's settings that say how it is watched.
_EXTRA_FIELDS = ("next_episode_expected_at", "prediction_source", "fast_detection",
                 "check_interval_hours")


def _columns() -> list[ColumnElement]:
    """The item fields in API order, then _EXTRA_FIELDS, timestamps formatted in SQL."""
    dialect = db.engine.dialect.name
    if dialect not in _list_columns:
        _list_columns[dialect] = [
            iso_utc(getattr(WatchlistItem, name), dialect).label(name)
            if name in _TIME_FIELDS else getattr(WatchlistItem, name)
            for name in ITEM_FIELDS] + [
            iso_utc(Source.next_episode_expected_at, dialect).label("next_episode_expected_at"),
            Source.prediction_source,
            func.coalesce(UserSettings.fast_detection,
                          SETTING_DEFAULTS["fast_detection"]).label("fast_detection"),
            func.coalesce(UserSettings.check_interval_hours,
                          SETTING_DEFAULTS["check_interval_hours"]).label("check_interval_hours"),
        ]
    return _list_columns[dialect]


def _select_items() -> Select:
    return (select(*_columns())
            .join(Source, Source.id == WatchlistItem.source_id)
            .outerjoin(UserSettings, UserSettings.user_id == WatchlistItem.user_id))


def _render(row: Any, feeds: set[str]) -> dict[str, Any]:
    data = dict(zip(ITEM_FIELDS + _EXTRA_FIELDS, row, strict=True))
    fast, interval = data.pop("fast_detection"), data.pop("check_interval_hours")
    data["last_episode_downloaded"] = episode_number(data["last_episode_downloaded"])
    data["last_episode_available"] = episode_number(data["last_episode_available"])
    data["poster_url"] = poster_url(data["id"])
    data["langs"] = list(data["langs"] or [data["lang"]])
    if data["prediction_source"] is None:
        data["next_episode_expected_at"] = None
    data["watched_by"] = watched_by(data["provider_id"], fast, interval, feeds,
                                    data["next_check_at"], data["last_checked_at"],
                                    data["next_episode_expected_at"])
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


def _last_new_episode() -> Any:
    """When the item's source last showed a new episode (its newest `first_seen_at`)."""
    return (select(func.max(SourceEpisode.first_seen_at))
            .where(SourceEpisode.source_id == WatchlistItem.source_id)
            .correlate(WatchlistItem).scalar_subquery())


def _sort_key(sort: str) -> Any:
    if sort == "title":
        return func.lower(WatchlistItem.anime_title)
    if sort == "next_check":
        return WatchlistItem.next_check_at
    if sort == "last_new_episode":
        return _last_new_episode()
    return WatchlistItem.created_at


def ordering(sort: str | None = None, order: str | None = None) -> tuple[Any, ...]:
    """ORDER BY of a list: `sort` (one of SORTS, default added) in `order` (asc/desc,
    default the key's natural one); items without a value last; ties newest first."""
    sort = sort if sort in SORTS else "added"
    order = order if order in ("asc", "desc") else DEFAULT_ORDER[sort]
    key = _sort_key(sort)
    key = (key.asc() if order == "asc" else key.desc()).nulls_last()
    return (key, *NEWEST_FIRST)


def _page(stmt: Select, limit: int | None, offset: int, sort: str | None = None,
          order: str | None = None) -> Select:
    stmt = stmt.order_by(*ordering(sort, order))
    if limit is not None:
        stmt = stmt.limit(limit)
    if offset:
        stmt = stmt.offset(offset)
    return stmt


def list_items(user_id: int, *, status: str | None = None, provider_id: str | None = None,
               q: str | None = None, limit: int | None = None, offset: int = 0,
               sort: str | None = None, order: str | None = None) -> list[WatchlistItem]:
    """The user's items as ORM objects, newest first unless sorted otherwise."""
    stmt = filtered(select(WatchlistItem), user_id, status, provider_id, q)
    return list(db.session.scalars(_page(stmt, limit, offset, sort, order)))


def list_item_dicts(user_id: int, *, status: str | None = None, provider_id: str | None = None,
                    q: str | None = None, limit: int | None = None, offset: int = 0,
                    sort: str | None = None, order: str | None = None
                    ) -> list[dict[str, Any]]:
    """The user's items as API JSON, newest first unless sorted otherwise, in one query."""
    stmt = filtered(_select_items(), user_id, status, provider_id, q)
    rows = db.session.connection().execute(_page(stmt, limit, offset, sort, order))
    feeds = site_feed_providers()
    return [_render(row, feeds) for row in rows]


def item_dict(user_id: int, item_id: str) -> dict[str, Any] | None:
    """One of the user's items as API JSON (the list's rendering), None when not theirs."""
    stmt = filtered(_select_items(), user_id).where(WatchlistItem.id == item_id)
    row = db.session.connection().execute(stmt).first()
    return None if row is None else _render(row, site_feed_providers())


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
