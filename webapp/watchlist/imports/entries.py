"""One anime of an imported list, as the MyAnimeList and AniList readers give it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

WATCHING = "watching"
PLAN_TO_WATCH = "plan_to_watch"
# The most entries one import may propose (a bigger list: import it in parts).
MAX_LIST_ENTRIES = 1000


@dataclass(frozen=True)
class ListEntry:
    """An anime the user watches or plans to watch on the list site.

    `titles` holds every title the site knows (the main one first: romaji on both sites,
    then English, native and synonyms on AniList); `progress` the episodes already
    watched; `kind` the site's format in lower case ("tv", "movie", ...).
    """

    title: str
    status: str
    titles: tuple[str, ...]
    progress: int = 0
    kind: str | None = None
    external_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The entry as stored in `list_imports.entries` (match and confidence added there)."""
        return {"title": self.title, "status": self.status, "titles": list(self.titles),
                "progress": self.progress, "kind": self.kind,
                "external_id": self.external_id}


def safe_int(value: Any, default: int = 0) -> int:
    """A non-negative whole number from a list site's field, `default` when it is not one."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return default
    return number if 0 <= number <= 100_000 else default


def unique_titles(*titles: str | None) -> tuple[str, ...]:
    """The non-empty titles, stripped, without repeats (case-insensitive), in order."""
    seen: dict[str, str] = {}
    for title in titles:
        text = (title or "").strip()
        if text and text.casefold() not in seen:
            seen[text.casefold()] = text
    return tuple(seen.values())
