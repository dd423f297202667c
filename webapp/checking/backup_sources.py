"""Backup sources at check time: one item, several sources in order (SPEC §4).

An item's own source is position 0; `item_sources` rows add positions 1, 2, ... (the
item's other languages are such rows too: webapp.watchlist.language_sources). After every
check of a source, `apply_check` settles the items that have backup sources and count
this source among theirs (an item without backups costs this one indexed query):

- the check's error, or None, goes to this source's `item_sources.last_error`;
- `last_episode_available` is the highest episode any of the item's sources lists;
- an episode above `last_episode_downloaded` with no download yet is downloaded from the
  first source, by position, that lists it and whose last check worked;
- a pending download never tried yet follows a better source that lists its episode now;
  a failed one moves on to the next working source that lists its episode;
- a completed download from a later source in another language is fetched again from the
  preferred source when that source lists the episode for the first time after the
  download was made and was already the item's then — unless `upgrade_language` is
  `ignore` (`keep_both`: the library names the files apart by their language suffix;
  `replace`: the old file goes once the new one is in place, webapp.downloading.finish).

Downloads follow the item's rules: created only when the check counts fully for it
(`counts`) and both the item's and its owner's auto-download are on.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, union, update
from sqlalchemy.orm import Session

from webapp.checking import store
from webapp.models import Download, ItemSource, Source, SourceEpisode, WatchlistItem

NOT_A_SOURCE = 1 << 30          # the position of a download's source the item dropped


@dataclass(frozen=True)
class Slot:
    """One of an item's sources, in its place."""

    source_id: int
    position: int
    lang: str
    healthy: bool
    linked_at: datetime | None


@dataclass
class Plan:
    """What one item's sources call for after a check."""

    available: float | None = None
    new: list[tuple[int, float]] = field(default_factory=list)        # (source, episode)
    switch: list[tuple[int, int]] = field(default_factory=list)       # (download, source)
    retry: list[tuple[int, int]] = field(default_factory=list)
    upgrade: list[tuple[int, int]] = field(default_factory=list)


def involved_items(session: Session, source_id: int) -> list[str]:
    """Items with backup sources among which (or as whose own) this source is."""
    as_backup = select(ItemSource.item_id).where(ItemSource.source_id == source_id)
    as_own = (select(ItemSource.item_id)
              .join(WatchlistItem, WatchlistItem.id == ItemSource.item_id)
              .where(WatchlistItem.source_id == source_id))
    return sorted(set(session.scalars(union(as_backup, as_own))))


def item_slots(session: Session, item_ids: list[str]) -> dict[str, list[Slot]]:
    """Each item's sources in order: its own first, then its item_sources rows."""
    slots: dict[str, list[Slot]] = defaultdict(list)
    own = session.execute(
        select(WatchlistItem.id, WatchlistItem.source_id, WatchlistItem.created_at,
               Source.lang, Source.last_error)
        .join(Source, Source.id == WatchlistItem.source_id)
        .where(WatchlistItem.id.in_(item_ids)))
    for item_id, source_id, created_at, lang, error in own:
        slots[item_id].append(Slot(source_id, 0, lang, error is None, created_at))
    backups = session.execute(
        select(ItemSource.item_id, ItemSource.source_id, ItemSource.position,
               ItemSource.created_at, Source.lang, Source.last_error)
        .join(Source, Source.id == ItemSource.source_id)
        .where(ItemSource.item_id.in_(item_ids))
        .order_by(ItemSource.item_id, ItemSource.position))
    for item_id, source_id, position, created_at, lang, error in backups:
        slots[item_id].append(Slot(source_id, position, lang, error is None, created_at))
    return slots


def plan_item(item: store.ItemState, slots: list[Slot],
              listed: dict[int, dict[float, datetime]], downloads: dict[float, Any],
              upgrade_language: str, wants: bool) -> Plan:
    """Which source each episode comes from, and what changes for the item's downloads."""
    plan = Plan()
    position = {s.source_id: s.position for s in slots}
    lang = {s.source_id: s.lang for s in slots}
    working = [s for s in slots if s.healthy]
    numbers = sorted({n for s in slots for n in listed.get(s.source_id, {})})
    plan.available = numbers[-1] if numbers else None
    for number in numbers:
        having = [s for s in working if number in listed.get(s.source_id, {})]
        if not having:
            continue
        best, row = having[0], downloads.get(number)
        if row is None:
            if wants and number > item.last_episode_downloaded:
                plan.new.append((best.source_id, number))
            continue
        at = position.get(row.source_id)
        if row.status == "failed":
            later = next((s for s in having if at is None or s.position > at), None)
            if wants and later is not None:
                plan.retry.append((row.id, later.source_id))
            continue
        if row.source_id == best.source_id:
            continue
        at = NOT_A_SOURCE if at is None else at
        if row.status == "pending" and row.error is None and not row.attempts \
                and at > best.position:
            plan.switch.append((row.id, best.source_id))
        elif (row.status == "completed" and wants and upgrade_language != "ignore"
              and at > best.position and row.source_id in lang
              and lang[row.source_id] != best.lang
              and listed[best.source_id][number] > row.created_at
              and (best.linked_at is None or best.linked_at <= row.created_at)):
            plan.upgrade.append((row.id, best.source_id))
    return plan


def _listed(session: Session, source_ids: set[int]) -> dict[int, dict[float, datetime]]:
    listed: dict[int, dict[float, datetime]] = defaultdict(dict)
    rows = session.execute(
        select(SourceEpisode.source_id, SourceEpisode.number, SourceEpisode.first_seen_at)
        .where(SourceEpisode.source_id.in_(source_ids)))
    for source_id, number, first_seen in rows:
        listed[source_id][float(number)] = first_seen
    return listed


def _downloads(session: Session, item_ids: list[str]) -> dict[str, dict[float, Any]]:
    found: dict[str, dict[float, Any]] = defaultdict(dict)
    rows = session.execute(
        select(Download.id, Download.item_id, Download.episode, Download.source_id,
               Download.status, Download.error, Download.attempts, Download.created_at)
        .where(Download.item_id.in_(item_ids)))
    for row in rows:
        found[row.item_id][float(row.episode)] = row
    return found


# The values a download row takes when it starts over from another source
AGAIN = {"status": "pending", "attempts": 0, "bytes_done": 0, "bytes_total": None,
         "started_at": None, "finished_at": None, "resolution": None}


def _move_downloads(session: Session, moves: list[tuple[int, int]], from_status: str,
                    values: dict[str, Any]) -> None:
    """Point these downloads at another source, if they are still `from_status`."""
    if not moves:
        return
    stmt = (update(Download.__table__)
            .where(Download.__table__.c.id == bindparam("download_id"),
                   Download.__table__.c.status == from_status)
            .values(source_id=bindparam("new_source"), **values))
    session.execute(stmt, [{"download_id": d, "new_source": s} for d, s in moves])


def apply_check(session: Session, source_id: int, error: str | None, now: datetime,
                counts: Callable[[store.ItemState], bool]) -> int:
    """Settle the items that have backup sources after a check of `source_id` (in the
    check's transaction); how many downloads it created."""
    item_ids = involved_items(session, source_id)
    if not item_ids:
        return 0
    session.execute(update(ItemSource).where(ItemSource.source_id == source_id)
                    .values(last_error=error).execution_options(synchronize_session=False))
    items = store.load_items_by_id(session, item_ids)
    slots = item_slots(session, item_ids)
    listed = _listed(session, {s.source_id for group in slots.values() for s in group})
    downloads = _downloads(session, item_ids)
    upgrades = dict(session.execute(select(WatchlistItem.id, WatchlistItem.upgrade_language)
                                    .where(WatchlistItem.id.in_(item_ids))).all())
    rows, new, switch, retry, upgrade = [], [], [], [], []
    for item in items:
        wants = counts(item) and item.auto_download and item.auto_download_enabled
        plan = plan_item(item, slots[item.id], listed, downloads[item.id],
                         upgrades.get(item.id, "keep_both"), wants)
        if plan.available is not None and plan.available != item.last_episode_available:
            rows.append({"id": item.id, "last_episode_available": plan.available,
                         "updated_at": now})
        new += [{"item_id": item.id, "user_id": item.user_id, "source_id": s, "episode": n}
                for s, n in plan.new]
        switch += plan.switch
        retry += plan.retry
        upgrade += plan.upgrade
    store.update_items(session, rows)
    _move_downloads(session, switch, "pending", {})
    _move_downloads(session, retry, "failed",
                    {**AGAIN, "error": "The source failed; trying the next one."})
    _move_downloads(session, upgrade, "completed", {**AGAIN, "error": None})
    return len(store.create_downloads(session, new, now))
