"""What a source's files are called in the library: its title, season and language suffix.

The title is the source's title as the site gives it, else the title of the first item
that tracks it; the season comes from the source (anime-sama's `saisonN` path segment,
films and OAVs as season 0, 1 for sites without seasons).
"""

from __future__ import annotations

import re

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Source, WatchlistItem
from webapp.providers import PROVIDER_CLASSES

SPECIAL_SEGMENTS = ("film", "films", "oav", "oavs", "ova", "ovas", "special", "specials")
SEASON_RE = re.compile(r"^saison(\d+)")
DEFAULT_LANGS = {cls.id: cls.default_lang for cls in PROVIDER_CLASSES}


def season_of(source: Source) -> int:
    """The season number of a source for library names (0: films, OAVs, specials)."""
    if source.provider_id != "animesama":
        return 1
    parts = [p for p in source.url.strip("/").split("/") if p]
    segment = parts[2].lower() if len(parts) >= 4 else ""
    if segment.startswith(SPECIAL_SEGMENTS):
        return 0
    match = SEASON_RE.match(segment)
    return int(match.group(1)) if match else 1


def library_title(source: Source) -> str:
    """The source's title as the site gives it, else the first item's title."""
    if source.title and source.title.strip():
        return source.title.strip()
    first = db.session.scalar(
        select(WatchlistItem.anime_title)
        .where(WatchlistItem.source_id == source.id)
        .order_by(WatchlistItem.created_at, WatchlistItem.id)
        .limit(1))
    return first or f"Source {source.id}"


def default_lang(provider_id: str) -> str:
    """The provider's default language (files in another language get a suffix)."""
    return DEFAULT_LANGS.get(provider_id, "")
