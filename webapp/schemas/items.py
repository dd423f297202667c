"""Watchlist items: create/update bodies, the item response, list filters, rendering."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, RootModel, StringConstraints

from webapp.clock import isoformat
from webapp.schemas.base import (
    MAX_DB_INT,
    AnimeUrl,
    EpisodeNumber,
    Genres,
    ImageUrl,
    Lang,
    ProviderId,
    Quality,
    QueryModel,
    ResponseModel,
    Status,
    StrictBody,
    Synopsis,
    Title,
    UpdateBody,
    clean_text,
)


class WatchlistItemCreate(StrictBody):
    """Body of POST /api/watchlist."""

    model_config = ConfigDict(openapi_extra={"example": {  # type: ignore[typeddict-unknown-key]
        "anime_title": "Frieren",
        "anime_url": "https://anime-sama.si/catalogue/frieren/saison1/vostfr/",
        "provider_id": "animesama", "lang": "vostfr", "auto_download": True,
        "quality_preference": "auto", "poster_image": None, "synopsis": None, "genres": [],
    }})

    anime_title: Title
    anime_url: AnimeUrl
    provider_id: ProviderId | None = None
    lang: Lang | None = None
    auto_download: bool = True
    quality_preference: Quality = "auto"
    poster_image: ImageUrl | None = None
    synopsis: Synopsis | None = None
    genres: Genres = Field(default_factory=list)
    last_episode_downloaded: EpisodeNumber = 0


class WatchlistItemUpdate(UpdateBody):
    """Body of PUT /api/watchlist/{item_id}: any subset; null only where a value may be null."""

    # A default of None without Optional: an explicit null is refused (422).
    anime_title: Title = None  # type: ignore[assignment]
    auto_download: bool = None  # type: ignore[assignment]
    quality_preference: Quality = None  # type: ignore[assignment]
    status: Status = None  # type: ignore[assignment]
    last_episode_downloaded: EpisodeNumber = None  # type: ignore[assignment]
    lang: Lang = None  # type: ignore[assignment]
    poster_image: ImageUrl | None = None
    synopsis: Synopsis | None = None
    genres: Genres = None  # type: ignore[assignment]


class WatchlistItem(ResponseModel):
    """One watchlist item as the API shows it."""

    id: str
    anime_title: str
    anime_url: str
    provider_id: str
    lang: str
    status: Status
    auto_download: bool
    quality_preference: Quality
    poster_image: str | None
    synopsis: str | None
    genres: list[str]
    last_episode_downloaded: float
    last_episode_available: float | None
    last_checked_at: datetime | None
    next_check_at: datetime | None
    last_error: str | None
    created_at: datetime
    updated_at: datetime
    last_attempt_at: datetime | None = Field(
        None, description="The last check that ran, whatever its outcome.")
    last_success_at: datetime | None = Field(
        None, description="The last check that read the source (= last_checked_at).")
    poster_url: str = Field(
        "", description="The app's own URL of the cached poster (or of a generated "
                        "placeholder), never the site's.")


class WatchlistItemList(RootModel[list[WatchlistItem]]):
    """The user's items, newest first."""


def episode_number(value: float | None) -> int | float | None:
    """Render 12.0 as 12 and keep 12.5 (episode numbers are floats in the database)."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


# Fields computed from the row rather than read from a column of their own.
COMPUTED_ITEM_FIELDS = ("poster_url",)
ITEM_FIELDS = tuple(f for f in WatchlistItem.model_fields if f not in COMPUTED_ITEM_FIELDS)


def poster_url(item_id: str) -> str:
    """Where the app serves an item's poster (webapp.pages.posters)."""
    return f"/posters/{item_id}"
_ITEM_TIMES = ("last_checked_at", "next_check_at", "created_at", "updated_at",
               "last_attempt_at", "last_success_at")


def item_to_dict(item: Any) -> dict[str, Any]:
    """The API JSON of an item (an ORM object or a row with the same attribute names)."""
    data = {name: getattr(item, name) for name in ITEM_FIELDS}
    for name in _ITEM_TIMES:
        data[name] = isoformat(data[name])
    data["last_episode_downloaded"] = episode_number(data["last_episode_downloaded"])
    data["last_episode_available"] = episode_number(data["last_episode_available"])
    data["genres"] = list(data["genres"] or [])
    data["poster_url"] = poster_url(data["id"])
    return data


# --- queries and paths --------------------------------------------------------------------


class WatchlistQuery(QueryModel):
    """Filters of GET /api/watchlist (query strings: not strict)."""

    status: Status | None = None
    provider_id: ProviderId | None = None
    q: Annotated[str, StringConstraints(max_length=200), AfterValidator(clean_text)] | None = \
        Field(None, description="Case-insensitive search in titles.")
    limit: int | None = Field(None, ge=1, le=10_000)
    offset: int = Field(0, ge=0, le=MAX_DB_INT)
    sort: Literal["title", "next_check", "last_new_episode", "added"] | None = Field(
        None, description="Sort key (default `added`, newest first).")
    order: Literal["asc", "desc"] | None = Field(
        None, description="Sort order (default: title and next_check asc, the others desc).")


class ItemPath(BaseModel):
    """The item id in the path."""

    item_id: str
