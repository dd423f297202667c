"""Users, their settings and their API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.clock import utcnow
from webapp.database import Base, JSONList, UTCDateTime


class User(Base):
    """A person who logs in; owns a watchlist, settings, downloads and notifications."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    scheduler_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    settings: Mapped[UserSettings] = relationship(
        back_populates="user", uselist=False, cascade="all, delete-orphan", lazy="joined"
    )

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return not self.disabled

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)


# The defaults of a user's watchlist settings (SPEC §4): the columns use them, and so do
# the statements that read a user whose settings row is missing.
SETTING_DEFAULTS: dict[str, int | bool] = {
    "check_interval_hours": 6,
    "auto_download_enabled": True,
    "max_concurrent_auto_downloads": 2,
    "notify_on_new_episodes": False,
    "include_completed_anime": False,
    "metadata_files": True,
    "fast_detection": True,
    "complete_after_weeks": 0,
    "archive_after_weeks": 0,
    "notify_season_complete": True,
}


def _setting(column_type: Any, name: str) -> Any:
    return mapped_column(column_type, default=SETTING_DEFAULTS[name])


class UserSettings(Base):
    """The five watchlist settings of SPEC §4, plus notification targets (Apprise URLs)."""

    __tablename__ = "user_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    check_interval_hours: Mapped[int] = _setting(Integer, "check_interval_hours")
    auto_download_enabled: Mapped[bool] = _setting(Boolean, "auto_download_enabled")
    max_concurrent_auto_downloads: Mapped[int] = _setting(Integer, "max_concurrent_auto_downloads")
    notify_on_new_episodes: Mapped[bool] = _setting(Boolean, "notify_on_new_episodes")
    include_completed_anime: Mapped[bool] = _setting(Boolean, "include_completed_anime")
    # NFO files and posters beside the files in the library (SPEC §5)
    metadata_files: Mapped[bool] = _setting(Boolean, "metadata_files")
    # The site's recently-added page triggers this user's checks (SPEC §5 fast detection)
    fast_detection: Mapped[bool] = _setting(Boolean, "fast_detection")
    # Completion and archival after so many quiet weeks (0 = never), season-complete messages
    complete_after_weeks: Mapped[int] = _setting(Integer, "complete_after_weeks")
    archive_after_weeks: Mapped[int] = _setting(Integer, "archive_after_weeks")
    notify_season_complete: Mapped[bool] = _setting(Boolean, "notify_season_complete")
    notification_urls: Mapped[list] = mapped_column(JSONList, default=list)

    user: Mapped[User] = relationship(back_populates="settings")


class ApiToken(Base):
    """A personal API token: only its SHA-256 is stored; the prefix helps tell tokens apart."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    scopes: Mapped[str] = mapped_column(String(64), default="read,write")
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()

    @property
    def scope_set(self) -> set[str]:
        return {s for s in self.scopes.split(",") if s}


class SiteSetting(Base):
    """Install-wide settings an admin changes from the pages (open sign-up, mirrors)."""

    __tablename__ = "site_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")
