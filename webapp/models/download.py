"""Downloads: one row per (item, episode), ever; and in-app notifications."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.clock import utcnow
from webapp.database import Base, UTCDateTime
from webapp.models.item import WatchlistItem

DOWNLOAD_STATUSES = ("pending", "queued", "running", "completed", "failed", "cancelled")
ACTIVE_DOWNLOAD_STATUSES = ("pending", "queued", "running")


class Download(Base):
    """One episode of one item being fetched into the library."""

    __tablename__ = "downloads"
    __table_args__ = (
        UniqueConstraint("item_id", "episode", name="uq_download_item_episode"),
        Index("ix_downloads_status_created", "status", "created_at"),
        Index("ix_downloads_user_status", "user_id", "status"),
        Index("ix_downloads_source_episode", "source_id", "episode"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("watchlist_items.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    episode: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    player: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    bytes_done: Mapped[int] = mapped_column(BigInteger, default=0)
    bytes_total: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    path: Mapped[str | None] = mapped_column(String(4000), nullable=True)
    # The height of the video the download got (1080, 720, ...), when known
    resolution: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Set by "clear" on the downloads page: hidden from the list; the file and history stay.
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    item: Mapped[WatchlistItem] = relationship()


class Notification(Base):
    """An in-app message to one user; `delivered_at` is set once sent through Apprise."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text)
    item_id: Mapped[str | None] = mapped_column(
        ForeignKey("watchlist_items.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
