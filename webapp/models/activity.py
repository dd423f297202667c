"""Activity: the history of what happened to a user's items (checks, downloads, statuses)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.clock import utcnow
from webapp.database import Base, UTCDateTime

ACTIVITY_KINDS = (
    "check_found", "check_nothing", "check_failed", "download_queued", "download_started",
    "download_completed", "download_failed", "download_retried", "download_cancelled",
    "status_changed", "season_found", "completed", "archived",
)


class Activity(Base):
    """One event of one user's history; it outlives its item (`item_id` is no foreign key)."""

    __tablename__ = "activity"
    __table_args__ = (
        Index("ix_activity_user_id", "user_id", "id"),
        Index("ix_activity_user_item", "user_id", "item_id", "id"),
        Index("ix_activity_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    item_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    anime_title: Mapped[str] = mapped_column(String(500), default="")
    episode: Mapped[float | None] = mapped_column(Float, nullable=True)
    message: Mapped[str] = mapped_column(Text)
    data: Mapped[str] = mapped_column(Text, default="{}")   # a JSON object
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
