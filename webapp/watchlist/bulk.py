"""Several items at once: batch add (one outcome per entry) and bulk changes of selected items.

Both go through `WatchlistManager`, the path of the single-item calls, so a bulk status
change records its activity and a resume makes the item due at once, exactly as one
update does. Every id is looked up for the user: another user's ids, unknown ones and
repeats are skipped and counted, never touched.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from redis.exceptions import RedisError
from sqlalchemy import select

from webapp.checking.enqueue import enqueue_item_checks
from webapp.errors import Conflict, DomainError, Invalid, NotFound, ServiceUnavailable, http_status
from webapp.extensions import db
from webapp.models import WatchlistItem
from webapp.schemas import WatchlistItemCreate, WatchlistItemUpdate
from webapp.watchlist.manager import ITEM_ID_RE, WatchlistManager

BulkAction = Literal["delete", "check"]
# What makes one item of a bulk change skipped rather than the whole call fail.
SKIPPED_ERRORS = (NotFound, Invalid, Conflict)


@dataclass(frozen=True)
class EntryOutcome:
    """One batch entry: the item created (201), or the error that stopped it (409, 422)."""

    index: int
    status: int
    item: WatchlistItem | None = None
    error: DomainError | None = None


@dataclass(frozen=True)
class BulkOutcome:
    """How many selected ids were changed, and how many skipped."""

    updated: int
    skipped: int


def batch_create(user_id: int,
                 entries: Sequence[WatchlistItemCreate | DomainError]) -> list[EntryOutcome]:
    """Create each valid entry on its own; an entry that is already an error (its body did
    not validate) or that fails (a duplicate, a URL of no provider) only gets its outcome."""
    manager = WatchlistManager(user_id)
    outcomes = []
    for index, entry in enumerate(entries):
        if isinstance(entry, DomainError):
            outcomes.append(EntryOutcome(index, http_status(entry), error=entry))
            continue
        try:
            item = manager.create_item(entry)
        except (Conflict, Invalid) as exc:
            db.session.rollback()
            outcomes.append(EntryOutcome(index, http_status(exc), error=exc))
        else:
            outcomes.append(EntryOutcome(index, 201, item=item))
    return outcomes


def _unique(ids: Iterable[str]) -> list[str]:
    """The well-formed ids, each once, in the order given."""
    return [item_id for item_id in dict.fromkeys(ids) if ITEM_ID_RE.match(item_id or "")]


def bulk_update(user_id: int, ids: Sequence[str], changes: WatchlistItemUpdate) -> BulkOutcome:
    """Apply the same update to each of the user's items, one by one, as a single update
    would; an item the change does not fit (a language its site lacks) is skipped."""
    manager = WatchlistManager(user_id)
    updated = 0
    for item_id in _unique(ids):
        try:
            manager.update_item(item_id, changes)
        except SKIPPED_ERRORS:
            db.session.rollback()
            continue
        updated += 1
    return BulkOutcome(updated, len(ids) - updated)


def bulk_delete(user_id: int, ids: Sequence[str]) -> BulkOutcome:
    """Remove each of the user's items (downloaded files stay on disk)."""
    manager = WatchlistManager(user_id)
    deleted = 0
    for item_id in _unique(ids):
        try:
            manager.delete_item(item_id)
        except NotFound:
            continue
        deleted += 1
    return BulkOutcome(deleted, len(ids) - deleted)


def selected_items(user_id: int, ids: Sequence[str]) -> list[WatchlistItem]:
    """The user's items among `ids`, by title (the others are not there)."""
    wanted = _unique(ids)
    if not wanted:
        return []
    return list(db.session.scalars(select(WatchlistItem).where(
        WatchlistItem.user_id == user_id, WatchlistItem.id.in_(wanted))
        .order_by(WatchlistItem.anime_title, WatchlistItem.id)))


def bulk_check(user_id: int, ids: Sequence[str]) -> BulkOutcome:
    """Check each of the user's items now (paused ones too), as "check all" does: one
    manual check job per item. ServiceUnavailable when Redis does not answer."""
    items = selected_items(user_id, ids)
    try:
        job_ids = enqueue_item_checks(user_id, [(item.id, item.source_id) for item in items])
    except RedisError:
        raise ServiceUnavailable("Checks need Redis, which does not answer right now; "
                                 "try again in a moment.") from None
    return BulkOutcome(len(job_ids), len(ids) - len(job_ids))


def bulk_action(user_id: int, ids: Sequence[str], action: BulkAction) -> BulkOutcome:
    """Run `delete` or `check` on the selected items."""
    return bulk_delete(user_id, ids) if action == "delete" else bulk_check(user_id, ids)
