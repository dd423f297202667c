"""Watchlist items: create/update bodies, the item response, list filters, rendering."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, RootModel, StringConstraints

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

FollowNewSeasons = Literal["off", "notify", "add"]
UpgradeLanguage = Literal["keep_both", "replace", "ignore"]
Langs = Annotated[list[Lang], Field(min_length=1, max_length=8,
                                    description="Languages in order of preference; the "
                                                "first is the item's `lang`.")]


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
    langs: Langs | None = None
    follow_new_seasons: FollowNewSeasons = "notify"
    upgrade_language: UpgradeLanguage = "keep_both"
    notify: bool = True


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
    langs: Langs = None  # type: ignore[assignment]
    follow_new_seasons: FollowNewSeasons = None  # type: ignore[assignment]
    upgrade_language: UpgradeLanguage = None  # type: ignore[assignment]
    notify: bool = None  # type: ignore[assignment]


class WatchedBy(ResponseModel):
    """How the item's new episodes are looked for (SPEC §4 `watched_by`)."""

    site_feed: bool = Field(description="The site's recently-added page triggers checks.")
    interval_hours: int = Field(description="The owner's check interval, the upper bound.")
    next_check_reason: Literal["interval", "expected_release", "site_feed"]


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
    next_episode_expected_at: datetime | None = Field(
        None, description="When the next episode is expected (null: no prediction).")
    prediction_source: Literal["schedule", "history"] | None = Field(
        None, description="`schedule`: the site's planning page; `history`: the weekly "
                          "cadence of the episodes' first sight.")
    langs: list[str] = Field(default_factory=list)
    follow_new_seasons: FollowNewSeasons = "notify"
    upgrade_language: UpgradeLanguage = "keep_both"
    notify: bool = True
    watched_by: WatchedBy | None = None


class WatchlistItemList(RootModel[list[WatchlistItem]]):
    """The user's items, newest first."""


def episode_number(value: float | None) -> int | float | None:
    """Render 12.0 as 12 and keep 12.5 (episode numbers are floats in the database)."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


# Fields computed from the row, its source and its owner's settings rather than read from
# a column of the item's own (webapp.watchlist.listing adds them).
COMPUTED_ITEM_FIELDS = ("poster_url", "next_episode_expected_at", "prediction_source",
                        "watched_by")
ITEM_FIELDS = tuple(f for f in WatchlistItem.model_fields if f not in COMPUTED_ITEM_FIELDS)


def poster_url(item_id: str) -> str:
    """Where the app serves an item's poster (webapp.pages.posters)."""
    return f"/posters/{item_id}"


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
