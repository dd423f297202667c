"""The database side of a check: a constant number of statements whatever the item count.

Each function issues one statement (an executemany counts as one), so checking a source
watched by 5 or 5,000 users costs the same number of round trips to the database.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import String, bindparam, func, insert, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from webapp.models import Download, Source, SourceEpisode, User, UserSettings, WatchlistItem
from webapp.models.user import SETTING_DEFAULTS
from webapp.sites.types import Episode

ITEMS = WatchlistItem.__table__
SOURCES = Source.__table__
DOWNLOADS = Download.__table__
ROW_COLUMNS = ("item_id", "user_id", "source_id", "episode")   # of each new download
NEW_DOWNLOAD = {"status": "pending", "attempts": 0, "bytes_done": 0}
SHARED_COLUMNS = (*NEW_DOWNLOAD, "created_at")                  # the same for all of them
# The settings a check reads, with their defaults for a user whose settings row is missing.
CHECK_SETTINGS = {name: SETTING_DEFAULTS[name] for name in (
    "check_interval_hours", "auto_download_enabled", "notify_on_new_episodes",
    "include_completed_anime", "fast_detection")}


class ItemState(NamedTuple):
    """One item of the source with the owner's settings that decide what a check does
    (a tuple: built 40 times per check of a popular source, and cheap to build)."""

    id: str
    user_id: int
    anime_title: str
    status: str
    auto_download: bool
    last_episode_downloaded: float
    last_episode_available: float | None
    scheduler_enabled: bool
    user_disabled: bool
    check_interval_hours: int
    auto_download_enabled: bool
    notify_on_new_episodes: bool
    include_completed_anime: bool
    fast_detection: bool


class SourceState(NamedTuple):
    """What a check reads of its source row (written back with `save_source`)."""

    id: int
    provider_id: str
    url: str
    lang: str
    etag: str | None
    last_modified: str | None
    consecutive_failures: int | None


@dataclass(frozen=True)
class StoredEpisode:
    """An episode row already in `source_episodes`."""

    id: int
    number: float
    title: str | None
    players: list
    library_season: int | None = None
    library_number: float | None = None


@dataclass
class EpisodeChanges:
    """What a fetch changes in `source_episodes`."""

    new: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)


@functools.cache
def _source_row() -> Any:
    return select(*(SOURCES.c[name] for name in SourceState._fields)).where(
        SOURCES.c.id == bindparam("source_id"))


def load_source(session: Session, source_id: int) -> SourceState | None:
    """The source's fields a check needs, or None when it is gone (one query)."""
    row = session.execute(_source_row(), {"source_id": source_id}).first()
    return None if row is None else SourceState(*row)


@functools.cache
def _source_update(columns: tuple[str, ...]) -> Any:
    """UPDATE of these columns of :source_id (a check writes one of a few column sets)."""
    return (update(SOURCES).where(SOURCES.c.id == bindparam("source_id"))
            .values({name: bindparam(name, type_=SOURCES.c[name].type) for name in columns}))


def save_source(session: Session, source_id: int, values: dict[str, Any]) -> None:
    """Write a check's result to the source row (one statement)."""
    session.execute(_source_update(tuple(sorted(values))), {**values, "source_id": source_id})


@functools.cache
def _items_of_source() -> Any:
    """The items of :source_id with their owners' settings, one ItemState per row: the
    defaults of a missing setting filled in by SQL (built once, then reused)."""
    return _item_states().where(WatchlistItem.source_id == bindparam("source_id"))


def _item_states() -> Any:
    return (
        select(WatchlistItem.id, WatchlistItem.user_id, WatchlistItem.anime_title,
               WatchlistItem.status, WatchlistItem.auto_download,
               WatchlistItem.last_episode_downloaded, WatchlistItem.last_episode_available,
               User.scheduler_enabled, User.disabled,
               *(func.coalesce(getattr(UserSettings, name), default).label(name)
                 for name, default in CHECK_SETTINGS.items()))
        .join(User, User.id == WatchlistItem.user_id)
        .outerjoin(UserSettings, UserSettings.user_id == WatchlistItem.user_id)
        .order_by(WatchlistItem.user_id)
    )


def load_items(session: Session, source_id: int) -> list[ItemState]:
    """Every item pointing at the source, with its owner's settings (one query)."""
    return [ItemState._make(row)
            for row in session.execute(_items_of_source(), {"source_id": source_id})]


def load_items_by_id(session: Session, item_ids: Iterable[str]) -> list[ItemState]:
    """These items with their owners' settings (one query; backup sources' items)."""
    stmt = _item_states().where(WatchlistItem.id.in_(list(item_ids)))
    return [ItemState._make(row) for row in session.execute(stmt)]


@functools.cache
def _episodes_of_source() -> Any:
    return (select(SourceEpisode.id, SourceEpisode.number, SourceEpisode.title,
                   SourceEpisode.players, SourceEpisode.library_season,
                   SourceEpisode.library_number)
            .where(SourceEpisode.source_id == bindparam("source_id"))
            .order_by(SourceEpisode.number))


def load_episodes(session: Session, source_id: int) -> list[StoredEpisode]:
    """The episodes stored for the source, in number order (one query)."""
    rows = session.execute(_episodes_of_source(), {"source_id": source_id})
    return [StoredEpisode(*row) for row in rows]


def episode_changes(source_id: int, stored: Sequence[StoredEpisode],
                    listed: Sequence[Episode], now: datetime) -> EpisodeChanges:
    """Rows to insert (first_seen_at = now) and rows whose players or title changed.

    Episodes the site no longer lists keep their row: `first_seen_at` is release history.
    """
    by_number = {e.number: e for e in stored}
    changes = EpisodeChanges()
    for episode in listed:
        players = [p.to_dict() for p in episode.players]
        placement = _placement(episode)
        old = by_number.get(float(episode.number))
        if old is None:
            changes.new.append({"source_id": source_id, "number": float(episode.number),
                                "title": episode.title, "players": players,
                                "first_seen_at": now, **placement})
        elif old.players != players or (episode.title and old.title != episode.title) or \
                (old.library_season, old.library_number) != tuple(placement.values()):
            changes.changed.append({"id": old.id, "players": players,
                                    "title": episode.title or old.title, **placement})
    return changes


def _placement(episode: Episode) -> dict[str, Any]:
    """Where the site's episode goes in the library when not (source season, number)."""
    number = episode.library_number
    return {"library_season": episode.library_season,
            "library_number": None if number is None else float(number)}


def save_episodes(session: Session, changes: EpisodeChanges) -> None:
    """Write the episode changes (at most two statements)."""
    if changes.new:
        session.execute(insert(SourceEpisode), changes.new)
    if changes.changed:
        session.execute(update(SourceEpisode), changes.changed)


@functools.cache
def _downloads_above() -> Any:
    return (select(Download.item_id, Download.episode)
            .where(Download.source_id == bindparam("source_id"),
                   Download.episode > bindparam("above")))


def existing_downloads(session: Session, source_id: int,
                       above: float) -> set[tuple[str, float]]:
    """(item, episode) pairs of the source's downloads above episode `above` (one indexed
    range query; a download kept from an item's earlier source is caught by the insert's
    conflict clause instead)."""
    rows = session.execute(_downloads_above(), {"source_id": source_id, "above": above})
    return {(item_id, float(episode)) for item_id, episode in rows}


def update_items(session: Session, rows: Iterable[dict[str, Any]]) -> None:
    """Update items by id: one statement per set of columns written (at most two a check).

    PostgreSQL gets one `UPDATE ... FROM unnest(arrays)` per set, the values every row
    shares bound once; a statement text depends only on which columns vary, so psycopg
    prepares it and the server runs one statement instead of one per item (measured: a
    quarter of the client CPU and two thirds of the server's of an executemany of 40
    rows). SQLite gets an executemany, a loop in C there.
    """
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(k for k in row if k != "id")), []).append(row)
    postgres = session.get_bind().dialect.name == "postgresql"
    for columns, batch in groups.items():
        if postgres:
            _update_items_unnest(session, columns, batch)
        else:
            session.execute(update(ITEMS).where(ITEMS.c.id == bindparam("item_id_")),
                            [{**row, "item_id_": row["id"]} for row in batch])


def _update_items_unnest(session: Session, columns: tuple[str, ...],
                         batch: list[dict[str, Any]]) -> None:
    varying = tuple(c for c in columns if len({row[c] for row in batch}) > 1)
    constant = tuple(c for c in columns if c not in varying)
    params = {"ids": [row["id"] for row in batch],
              **{f"{c}_values": [row[c] for row in batch] for c in varying},
              **{f"set_{c}": batch[0][c] for c in constant}}
    session.execute(_unnest_update(constant, varying), params)


@functools.cache
def _unnest_update(constant: tuple[str, ...], varying: tuple[str, ...]) -> Any:
    """UPDATE watchlist_items SET <constant> = :set_<c>, <varying> = changed.<c>
    FROM unnest(:ids, :<c>_values...) AS changed(id, <c>...) WHERE id = changed.id."""
    changed = func.unnest(
        bindparam("ids", type_=postgresql.ARRAY(ITEMS.c.id.type)),
        *(bindparam(f"{c}_values", type_=postgresql.ARRAY(ITEMS.c[c].type)) for c in varying),
    ).table_valued("id", *varying).render_derived(name="changed")
    values = {c: bindparam(f"set_{c}", type_=ITEMS.c[c].type) for c in constant}
    values.update({c: changed.c[c] for c in varying})
    return update(ITEMS).where(ITEMS.c.id == changed.c.id).values(values)


def _insert_ignoring_duplicates(dialect_insert: Any, rows: Any) -> Any:
    """INSERT INTO downloads SELECT <rows' columns>, <shared values> ON CONFLICT DO
    NOTHING RETURNING (item, episode): one statement whatever the row count."""
    return (dialect_insert(DOWNLOADS)
            .from_select([*ROW_COLUMNS, *SHARED_COLUMNS], rows)
            .on_conflict_do_nothing(index_elements=["item_id", "episode"])
            .returning(DOWNLOADS.c.item_id, DOWNLOADS.c.episode))


def _shared_values() -> list[Any]:
    """The columns every new download shares, bound once per statement (typed: the
    psycopg dialect renders `::type` on each; no CAST, which on SQLite would turn
    a time into a number)."""
    return [bindparam(name, type_=DOWNLOADS.c[name].type) for name in SHARED_COLUMNS]


@functools.cache
def _insert_from_json() -> Any:
    """SQLite: the rows as one JSON array of arrays, read with json_each (a multi-row
    VALUES would be split by SQLite's limit on bound variables)."""
    each = func.json_each(bindparam("rows", type_=String)).table_valued("value")
    columns = (func.json_extract(each.c.value, f"$[{i}]") for i in range(len(ROW_COLUMNS)))
    rows = select(*columns, *_shared_values()).where(true())  # WHERE: SQLite upsert syntax
    return _insert_ignoring_duplicates(sqlite.insert, rows)


@functools.cache
def _insert_from_arrays() -> Any:
    """PostgreSQL: the rows as one array per column, read with unnest.

    A multi-row VALUES statement is a new text for every row count, so psycopg parses it
    anew each time (its query cache skips long statements) and the server plans it anew;
    this one is the same text every time, prepared by psycopg after a few uses.
    """
    arrays = func.unnest(*(
        bindparam(f"{name}s", type_=postgresql.ARRAY(DOWNLOADS.c[name].type))
        for name in ROW_COLUMNS)).table_valued(*ROW_COLUMNS).render_derived(name="listed")
    return _insert_ignoring_duplicates(
        postgresql.insert, select(*arrays.c, *_shared_values()))


def create_downloads(session: Session, rows: Sequence[dict[str, Any]],
                     now: datetime) -> set[tuple[str, float]]:
    """Insert pending downloads (one statement); a row someone else created meanwhile is
    skipped. Returns the (item, episode) pairs this call created.
    """
    if not rows:
        return set()
    shared = {**NEW_DOWNLOAD, "created_at": now}
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        arrays = {f"{name}s": [r[name] for r in rows] for name in ROW_COLUMNS}
        result = session.execute(_insert_from_arrays(), {**arrays, **shared})
    elif dialect == "sqlite":
        table = json.dumps([[r[name] for name in ROW_COLUMNS] for r in rows])
        result = session.execute(_insert_from_json(), {"rows": table, **shared})
    else:
        raise RuntimeError(f"unsupported database {dialect!r}")
    return {(r.item_id, float(r.episode)) for r in result}
