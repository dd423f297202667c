"""Typed SQLAlchemy 2 models; importing this package registers every table on Base."""

from webapp.models.activity import ACTIVITY_KINDS, Activity
from webapp.models.download import (
    ACTIVE_DOWNLOAD_STATUSES,
    DOWNLOAD_STATUSES,
    Download,
    Notification,
)
from webapp.models.item import QUALITIES, STATUSES, WatchlistItem
from webapp.models.lists import ListImport, ShareLink
from webapp.models.source import Source, SourceEpisode
from webapp.models.sources_extra import Hub, ItemSource
from webapp.models.user import ApiToken, SiteSetting, User, UserSettings

__all__ = [
    "ACTIVE_DOWNLOAD_STATUSES", "ACTIVITY_KINDS", "DOWNLOAD_STATUSES", "QUALITIES",
    "STATUSES", "Activity", "Hub", "ItemSource",
    "ApiToken", "Download", "ListImport", "Notification", "ShareLink", "SiteSetting",
    "Source", "SourceEpisode",
    "User", "UserSettings", "WatchlistItem",
]
