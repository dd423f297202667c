"""Watchlist items: one user's tracking of one source."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.orm.base import NO_VALUE

from webapp.clock import precise_utcnow, utcnow
from webapp.database import Base, JSONList, UTCDateTime
from webapp.models.source import Source

STATUSES = ("active", "paused", "completed", "archived")
QUALITIES = ("auto", "1080p", "720p", "480p")
FOLLOW_NEW_SEASONS = ("off", "notify", "add")
UPGRADE_LANGUAGE = ("keep_both", "replace", "ignore")


def new_item_id() -> str:
    return uuid.uuid4().hex


class WatchlistItem(Base):
    """A user's tracking of one source, with the user's own title, options and progress."""

    __tablename__ = "watchlist_items"
    __table_args__ = (
        UniqueConstraint("user_id", "source_id", name="uq_item_user_source"),
        Index("ix_items_user_created", "user_id", "created_at"),
        Index("ix_items_due", "next_check_at", "status"),
        Index("ix_items_source", "source_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_item_id)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    anime_title: Mapped[str] = mapped_column(String(500))
    anime_url: Mapped[str] = mapped_column(String(2000))
    provider_id: Mapped[str] = mapped_column(String(32))
    lang: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="active")
    auto_download: Mapped[bool] = mapped_column(Boolean, default=True)
    quality_preference: Mapped[str] = mapped_column(String(8), default="auto")
    poster_image: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    synopsis: Mapped[str | None] = mapped_column(Text, nullable=True)
    genres: Mapped[list] = mapped_column(JSONList, default=list)
    last_episode_downloaded: Mapped[float] = mapped_column(Float, default=0)
    last_episode_available: Mapped[float | None] = mapped_column(Float, nullable=True)
    # The last check that read the source (kept equal to last_success_at for the API).
    last_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The last check that ran, whatever its outcome, and the last one that succeeded.
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    next_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The ordered language preference (lang is its first entry), what to do when the anime
    # gets a new season or a preferred language later, and whether this item notifies.
    langs: Mapped[list] = mapped_column(JSONList, default=list)
    follow_new_seasons: Mapped[str] = mapped_column(String(8), default="notify")
    upgrade_language: Mapped[str] = mapped_column(String(16), default="keep_both")
    notify: Mapped[bool] = mapped_column(Boolean, default=True)
    # When the status last changed (automatic completion and archival count from it)
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Microseconds kept so "newest first" is stable within one second.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=precise_utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    source: Mapped[Source] = relationship()


@event.listens_for(WatchlistItem.status, "set")
def _status_changed(item: WatchlistItem, value: str, old: Any, _initiator: Any) -> None:
    """Remember when the status changed (set through the ORM; bulk UPDATEs set it too)."""
    if value != old and old is not NO_VALUE and old is not None:
        item.status_changed_at = utcnow()
