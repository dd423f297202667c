"""Sources (one provider + anime URL + language) and the episodes each one lists."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp.clock import utcnow
from webapp.database import Base, JSONList, UTCDateTime


class Source(Base):
    """What a site publishes for one anime in one language; shared by every user's item."""

    __tablename__ = "sources"
    __table_args__ = (UniqueConstraint("provider_id", "url", "lang", name="uq_source"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider_id: Mapped[str] = mapped_column(String(32))
    # Normalised: a path for sites whose domain changes (anime-sama), else the full URL.
    url: Mapped[str] = mapped_column(String(2000))
    lang: Mapped[str] = mapped_column(String(16))
    title: Mapped[str | None] = mapped_column(String(500), nullable=True)
    poster_image: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    synopsis: Mapped[str | None] = mapped_column(Text, nullable=True)
    genres: Mapped[list] = mapped_column(JSONList, default=list)
    etag: Mapped[str | None] = mapped_column(String(500), nullable=True)
    last_modified: Mapped[str | None] = mapped_column(String(100), nullable=True)
    last_fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    # Set by the scheduler's tick when it enqueues a check of the source, cleared by the
    # check: a second tick leaves the source alone until then (or until the lease ends).
    check_claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # When the next episode is expected and from what (SPEC §4): "schedule" (the site's
    # planning page), "history" (the weekly cadence of first_seen_at) or None. Set by checks.
    next_episode_expected_at: Mapped[datetime | None] = mapped_column(UTCDateTime,
                                                                      nullable=True)
    prediction_source: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # The anime's page (hub) this season belongs to, where the site has one
    hub_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SourceEpisode(Base):
    """One episode a source lists, with its players in the site's order."""

    __tablename__ = "source_episodes"
    __table_args__ = (UniqueConstraint("source_id", "number", name="uq_source_episode"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    number: Mapped[float] = mapped_column(Float)
    title: Mapped[str | None] = mapped_column(String(500), nullable=True)
    players: Mapped[list] = mapped_column(JSONList, default=list)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Where the file goes when not (the source's season, number): a named special of a
    # regular season is filed under Specials/ (season 0) with its own number.
    library_season: Mapped[int | None] = mapped_column(Integer, nullable=True)
    library_number: Mapped[float | None] = mapped_column(Float, nullable=True)
