"""An item's backup sources, and the anime pages (hubs) whose seasons are followed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp.clock import utcnow
from webapp.database import Base, JSONList, UTCDateTime


class ItemSource(Base):
    """One further source of an item, in the order it is tried (position 1, 2, ...;
    the item's own `source_id` is position 0)."""

    __tablename__ = "item_sources"
    __table_args__ = (UniqueConstraint("item_id", "source_id", name="uq_item_source"),
                      Index("ix_item_sources_source", "source_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("watchlist_items.id", ondelete="CASCADE"))
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    position: Mapped[int] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Hub(Base):
    """An anime's page on a provider, with the seasons it listed at its last read."""

    __tablename__ = "hubs"
    __table_args__ = (UniqueConstraint("provider_id", "url", name="uq_hub"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider_id: Mapped[str] = mapped_column(String(32))
    url: Mapped[str] = mapped_column(String(2000))
    title: Mapped[str | None] = mapped_column(String(500), nullable=True)
    seasons: Mapped[list] = mapped_column(JSONList, default=list)
    # What the page said at its last read: finished (True), airing (False), nothing (None).
    finished: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
