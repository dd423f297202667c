"""Lists that come from or go to elsewhere: shared read-only links and list-site imports."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.clock import utcnow
from webapp.database import Base, UTCDateTime


class ShareLink(Base):
    """A user's published read-only watchlist link (one per user; only its hash is kept)."""

    __tablename__ = "share_links"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ListImport(Base):
    """A list brought from MyAnimeList, AniList or a shared link, waiting for the user to
    confirm the proposed matches (`entries` is the JSON array the API shows)."""

    __tablename__ = "list_imports"

    id: Mapped[str] = mapped_column(String(32), primary_key=True,
                                    default=lambda: uuid.uuid4().hex)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    origin: Mapped[str] = mapped_column(String(16))   # mal | anilist | shared
    entries: Mapped[str] = mapped_column(Text, default="[]")
    created_count: Mapped[int] = mapped_column(Integer, default=0)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
