"""The activity history: record what happened to a user's items, and read it back.

`record` and `record_many` write in the caller's transaction, after the change they
describe, inside a SAVEPOINT: the event commits with the change, and an event that cannot
be written is logged and dropped — it never breaks the check or download it describes.
Call them after the change's own UPDATE, so the outer transaction is already open.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import SQLAlchemyError

from webapp.clock import isoformat, utcnow
from webapp.errors import Invalid
from webapp.extensions import db
from webapp.models import ACTIVITY_KINDS, Activity
from webapp.schemas import episode_number

log = logging.getLogger(__name__)

MAX_LIMIT = 200
TITLE_LENGTH = 500
MESSAGE_LENGTH = 2000
TABLE = Activity.__table__


@dataclass
class Event:
    """One event to record: whose, what kind, about which item and episode, and its data."""

    user_id: int
    kind: str
    message: str
    item_id: str | None = None
    anime_title: str = ""
    episode: float | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def row(self, now: datetime) -> dict[str, Any]:
        """The table row of the event (text cut to the column sizes)."""
        if self.kind not in ACTIVITY_KINDS:
            raise ValueError(f"unknown activity kind {self.kind!r}")
        return {"user_id": self.user_id, "kind": self.kind, "item_id": self.item_id,
                "anime_title": (self.anime_title or "")[:TITLE_LENGTH],
                "episode": None if self.episode is None else float(self.episode),
                "message": (self.message or "")[:MESSAGE_LENGTH],
                "data": json.dumps(self.data, default=str, separators=(",", ":")),
                "created_at": now}


def record_many(events: Iterable[Event]) -> int:
    """Add the events in the current transaction (one statement); never raises."""
    try:
        now = utcnow()
        rows = [event.row(now) for event in events]
    except (TypeError, ValueError) as exc:
        log.warning("activity not recorded: %s", exc)
        return 0
    if not rows:
        return 0
    session = db.session()
    session.flush()  # the caller's own pending changes fail (or not) as the caller's
    try:
        if _outer_transaction_open(session):
            with session.begin_nested():
                session.execute(insert(TABLE), rows)
        else:  # SQLite before any write: a SAVEPOINT would commit at its RELEASE
            session.execute(insert(TABLE), rows)
    except SQLAlchemyError as exc:
        log.warning("activity not recorded (%d events): %s", len(rows), exc)
        return 0
    return len(rows)


def _outer_transaction_open(session: Any) -> bool:
    """Whether the database transaction already began (pysqlite starts it at the first
    write; other drivers at the first statement, so always for them)."""
    raw = session.connection().connection.dbapi_connection
    return bool(getattr(raw, "in_transaction", True))


def record(user_id: int, kind: str, message: str, *, item_id: str | None = None,
           anime_title: str = "", episode: float | None = None,
           **data: Any) -> bool:
    """Add one event in the current transaction; False when it could not be written."""
    return record_many([Event(user_id, kind, message, item_id, anime_title, episode,
                              data)]) == 1


def episode_text(title: str, episode: float | None) -> str:
    """"Frieren episode 5" (or the title alone)."""
    if episode is None:
        return title or "An anime"
    return f"{title or 'An anime'} episode {episode_number(episode)}"


# --- reading -------------------------------------------------------------------------------


def _before_clause(before: str | None) -> Any:
    """`before` is an event id (digits) or an ISO time; None for no bound."""
    if not before:
        return None
    if before.isdigit():
        return Activity.id < int(before)
    try:
        moment = datetime.fromisoformat(before.replace("Z", "+00:00"))
    except ValueError:
        raise Invalid("before must be an event id or an ISO 8601 time",
                      [{"field": "before", "message": "must be an event id or an ISO 8601 time"}]
                      ) from None
    return Activity.created_at < moment


def list_activity(user_id: int, *, item_id: str | None = None, kind: str | None = None,
                  before: str | None = None, limit: int = 50) -> list[Activity]:
    """The user's events, newest first, optionally of one item or kind, older than `before`."""
    query = (select(Activity).where(Activity.user_id == user_id)
             .order_by(Activity.id.desc()).limit(max(1, min(limit, MAX_LIMIT))))
    if item_id:
        query = query.where(Activity.item_id == item_id)
    if kind:
        query = query.where(Activity.kind == kind)
    bound = _before_clause(before)
    if bound is not None:
        query = query.where(bound)
    return list(db.session.scalars(query))


def newest_id(user_id: int) -> int:
    """The id of the user's newest event (0 when there is none): the page's version."""
    return db.session.scalar(select(Activity.id).where(Activity.user_id == user_id)
                             .order_by(Activity.id.desc()).limit(1)) or 0


def activity_to_dict(event: Activity) -> dict[str, Any]:
    """The SPEC §4 shape of one event."""
    try:
        data = json.loads(event.data or "{}")
    except ValueError:
        data = {}
    return {"id": event.id, "kind": event.kind, "item_id": event.item_id,
            "anime_title": event.anime_title, "episode": episode_number(event.episode),
            "message": event.message, "created_at": isoformat(event.created_at),
            "data": data if isinstance(data, dict) else {}}

