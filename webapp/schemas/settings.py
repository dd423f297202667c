"""Settings, stats and the backup document (export/import)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, StringConstraints

from webapp.schemas.base import (
    IntervalHours,
    MaxConcurrent,
    Quality,
    ResponseModel,
    Status,
    StrictBody,
    UpdateBody,
    clean_text,
)
from webapp.schemas.item_sources import ItemSourceCreate
from webapp.schemas.items import FollowNewSeasons, UpgradeLanguage, WatchlistItemCreate

Weeks = Annotated[int, Field(ge=0, le=520)]


class WatchlistSettings(ResponseModel):
    """The user's watchlist settings."""

    check_interval_hours: int
    auto_download_enabled: bool
    max_concurrent_auto_downloads: int
    notify_on_new_episodes: bool
    include_completed_anime: bool
    metadata_files: bool
    fast_detection: bool = Field(True, description="The site's recently-added page "
                                                   "triggers checks of your items.")
    complete_after_weeks: int = Field(0, description="Mark an item completed after so "
                                                     "many weeks without a new episode "
                                                     "(0 = never).")
    archive_after_weeks: int = Field(0, description="Archive a completed item after so "
                                                    "many weeks (0 = never).")
    notify_season_complete: bool = Field(True, description="One 'season complete' message "
                                                           "instead of one per episode.")


SETTINGS_FIELDS = tuple(WatchlistSettings.model_fields)


class WatchlistSettingsUpdate(UpdateBody):
    """Body of PUT /api/watchlist/settings: any subset of the settings."""

    check_interval_hours: IntervalHours = None  # type: ignore[assignment]
    auto_download_enabled: bool = None  # type: ignore[assignment]
    max_concurrent_auto_downloads: MaxConcurrent = None  # type: ignore[assignment]
    notify_on_new_episodes: bool = None  # type: ignore[assignment]
    include_completed_anime: bool = None  # type: ignore[assignment]
    metadata_files: bool = None  # type: ignore[assignment]
    fast_detection: bool = None  # type: ignore[assignment]
    complete_after_weeks: Weeks = None  # type: ignore[assignment]
    archive_after_weeks: Weeks = None  # type: ignore[assignment]
    notify_season_complete: bool = None  # type: ignore[assignment]


def settings_to_dict(settings: Any) -> dict[str, Any]:
    """The API JSON of a UserSettings row."""
    return {name: getattr(settings, name) for name in SETTINGS_FIELDS}


class WatchlistStats(ResponseModel):
    """Counts of the user's items by status, auto-download and provider."""

    total: int
    active: int
    paused: int
    completed: int
    archived: int
    auto_download_enabled: int
    providers: dict[str, int]


# --- export / import ----------------------------------------------------------------------


class ExportSource(ResponseModel):
    """One of an item's backup sources in a backup, as `POST .../sources` takes it."""

    anime_url: str
    provider_id: str
    lang: str


class ExportItem(ResponseModel):
    """One item in a backup: its create body plus status and progress."""

    anime_title: str
    anime_url: str
    provider_id: str
    lang: str
    auto_download: bool
    quality_preference: Quality
    poster_image: str | None
    synopsis: str | None
    genres: list[str]
    last_episode_downloaded: float
    status: Status
    langs: list[str] = Field(default_factory=list)
    follow_new_seasons: FollowNewSeasons = "notify"
    upgrade_language: UpgradeLanguage = "keep_both"
    notify: bool = True
    sources: list[ExportSource] = Field(
        default_factory=list,
        description="The item's backup sources in order, other than its other languages "
                    "(`langs` brings those back).")


# The item columns an export reads (`sources` comes from the item's backup rows).
EXPORT_ITEM_FIELDS = tuple(name for name in ExportItem.model_fields if name != "sources")


class WatchlistExport(ResponseModel):
    """A backup of the user's watchlist and settings."""

    version: Literal[1]
    exported_at: datetime
    settings: WatchlistSettings
    items: list[ExportItem]


class ImportItem(WatchlistItemCreate):
    """One item of an imported backup."""

    status: Status = "active"
    sources: Annotated[list[ItemSourceCreate], Field(max_length=9)] = Field(
        default_factory=list)


class WatchlistImport(StrictBody):
    """Body of POST /api/watchlist/import: a document from the export endpoint."""

    version: Literal[1]
    exported_at: Annotated[str, StringConstraints(max_length=64),
                           AfterValidator(clean_text)] | None = None
    settings: WatchlistSettingsUpdate | None = None
    items: Annotated[list[ImportItem], Field(max_length=100_000)]


class ImportResult(ResponseModel):
    """What an import did."""

    created: int
    skipped: int
