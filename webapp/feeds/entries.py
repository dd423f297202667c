"""What the Atom feeds list, read in one query each: the owner's completed downloads with
their library files, and the episodes found on the sources of the owner's items.

Entries are titled `<Title> S01E05` — the item's title and the episode's place in the
library, as its file is named (a named special of a regular season is S00).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import and_, select

from webapp.downloading.files import library_file, media_type
from webapp.extensions import db
from webapp.library.layout import episode_code, placement_from
from webapp.models import Download, Source, SourceEpisode, WatchlistItem
from webapp.sites.providers.registry import PROVIDER_CLASSES

FEED_LIMIT = 100
SITE_NAMES = {cls.id: cls.name for cls in PROVIDER_CLASSES}


@dataclass(frozen=True)
class LibraryFile:
    """A completed download whose file is in the library."""

    download_id: int
    item_id: str
    title: str
    anime_title: str
    episode: float
    finished_at: datetime
    path: Path
    size: int
    media_type: str


@dataclass(frozen=True)
class FoundEpisode:
    """An episode a source of one of the owner's items lists, and its download's state."""

    source_episode_id: int
    item_id: str
    title: str
    anime_title: str
    episode: float
    episode_title: str | None
    first_seen_at: datetime
    site: str
    download_status: str | None

    @property
    def in_library(self) -> bool:
        """Whether the episode's download completed."""
        return self.download_status == "completed"


def episode_heading(anime_title: str, source: Source, number: float, episode_row: Any) -> str:
    """`<Title> S01E05` for episode `number` of `source` (`episode_row`: its SourceEpisode
    title and library place, None when the source no longer lists it)."""
    place = placement_from(source, number, episode_row)
    return f"{anime_title} {episode_code(place.season, place.number)}"


def _episode_columns() -> tuple[Any, ...]:
    return (SourceEpisode.title.label("title"),
            SourceEpisode.library_season.label("library_season"),
            SourceEpisode.library_number.label("library_number"))


def library_files(user_id: int, library: str | Path, limit: int = FEED_LIMIT) -> list[LibraryFile]:
    """The user's completed downloads whose file is still in the library, newest first."""
    rows = db.session.execute(
        select(Download.id, Download.item_id, Download.episode, Download.path,
               Download.finished_at, Download.created_at, WatchlistItem.anime_title, Source,
               *_episode_columns())
        .join(WatchlistItem, WatchlistItem.id == Download.item_id)
        .join(Source, Source.id == Download.source_id)
        .outerjoin(SourceEpisode, and_(SourceEpisode.source_id == Download.source_id,
                                       SourceEpisode.number == Download.episode))
        .where(Download.user_id == user_id, WatchlistItem.user_id == user_id,
               Download.status == "completed", Download.path.is_not(None))
        .order_by(Download.finished_at.desc(), Download.id.desc())
        .limit(limit)).all()
    found = []
    for row in rows:
        path = library_file(row.path, library)
        if path is None:
            continue  # the file was removed from the library since
        found.append(LibraryFile(
            download_id=row.id, item_id=row.item_id, anime_title=row.anime_title,
            title=episode_heading(row.anime_title, row.Source, row.episode, row),
            episode=row.episode, finished_at=row.finished_at or row.created_at, path=path,
            size=path.stat().st_size, media_type=media_type(path)))
    return found


def found_episodes(user_id: int, limit: int = FEED_LIMIT) -> list[FoundEpisode]:
    """Episodes listed by the sources of the user's items, newest first sight first."""
    rows = db.session.execute(
        select(SourceEpisode.id, SourceEpisode.number, SourceEpisode.first_seen_at,
               WatchlistItem.id.label("item_id"), WatchlistItem.anime_title, Source,
               Download.status, *_episode_columns())
        .join(WatchlistItem, WatchlistItem.source_id == SourceEpisode.source_id)
        .join(Source, Source.id == SourceEpisode.source_id)
        .outerjoin(Download, and_(Download.item_id == WatchlistItem.id,
                                  Download.episode == SourceEpisode.number))
        .where(WatchlistItem.user_id == user_id)
        .order_by(SourceEpisode.first_seen_at.desc(), SourceEpisode.id.desc(),
                  WatchlistItem.id)
        .limit(limit)).all()
    return [FoundEpisode(
        source_episode_id=row.id, item_id=row.item_id, anime_title=row.anime_title,
        title=episode_heading(row.anime_title, row.Source, row.number, row),
        episode=row.number, episode_title=row.title, first_seen_at=row.first_seen_at,
        site=SITE_NAMES.get(row.Source.provider_id, row.Source.provider_id),
        download_status=row.status) for row in rows]
