"""Pydantic models of the JSON API (SPEC §4): strict request bodies and documented responses.

Request bodies forbid unknown fields and never coerce types. Response models describe what
the API answers (the OpenAPI document is built from them); list endpoints build their JSON
with `item_to_dict` and friends directly, and a test keeps both in step.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    StringConstraints,
    model_validator,
)

from webapp.errors import ERROR_CODES
from webapp.providers.base import check_http_url
from webapp.timeutil import isoformat

Status = Literal["active", "paused", "completed", "archived"]
Quality = Literal["auto", "1080p", "720p", "480p"]
NotificationKind = Literal["new_episodes", "download_completed", "download_failed",
                           "source_error"]
DownloadStatus = Literal["pending", "queued", "running", "completed", "failed", "cancelled"]
MAX_EPISODE = 100_000
MAX_DB_INT = 2**31 - 1


def clean_text(value: str) -> str:
    """Refuse text no database can store: NUL characters and lone surrogates."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return value


def _http_url(value: str) -> str:
    return check_http_url(clean_text(value))


Text = Annotated[str, AfterValidator(clean_text)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
                  AfterValidator(clean_text)]
AnimeUrl = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                            max_length=2000), AfterValidator(clean_text)]
ImageUrl = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000),
                     AfterValidator(_http_url)]
Synopsis = Annotated[str, StringConstraints(max_length=5000), AfterValidator(clean_text)]
Genre = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
                  AfterValidator(clean_text)]
Genres = Annotated[list[Genre], Field(max_length=50)]
ProviderId = Annotated[str, StringConstraints(min_length=1, max_length=32),
                       AfterValidator(clean_text)]
Lang = Annotated[str, StringConstraints(min_length=1, max_length=16),
                 AfterValidator(clean_text)]
EpisodeNumber = Annotated[float, Field(ge=0, le=MAX_EPISODE, allow_inf_nan=False)]
IntervalHours = Annotated[int, Field(ge=1, le=168)]
MaxConcurrent = Annotated[int, Field(ge=1, le=10)]


class StrictBody(BaseModel):
    """Base of every request body: unknown fields and type coercion are errors."""

    model_config = ConfigDict(extra="forbid", strict=True)


class QueryModel(BaseModel):
    """Base of query-string models: lax types (query values are strings by nature)."""

    @classmethod
    @functools.cache
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """The JSON schema, built once: flask-openapi3 asks for it on every request."""
        return super().model_json_schema(*args, **kwargs)


class ResponseModel(BaseModel):
    """Base of every documented response: exactly these fields."""

    model_config = ConfigDict(extra="forbid")


# --- watchlist items ----------------------------------------------------------------------


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


class WatchlistItemUpdate(StrictBody):
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

    def changes(self) -> dict[str, Any]:
        """The fields the client sent, with their new values."""
        return self.model_dump(exclude_unset=True)


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


class WatchlistItemList(RootModel[list[WatchlistItem]]):
    """The user's items, newest first."""


def episode_number(value: float | None) -> int | float | None:
    """Render 12.0 as 12 and keep 12.5 (episode numbers are floats in the database)."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


ITEM_FIELDS = tuple(WatchlistItem.model_fields)
_ITEM_TIMES = ("last_checked_at", "next_check_at", "created_at", "updated_at")


def item_to_dict(item: Any) -> dict[str, Any]:
    """The API JSON of an item (an ORM object or a row with the same attribute names)."""
    data = {name: getattr(item, name) for name in ITEM_FIELDS}
    for name in _ITEM_TIMES:
        data[name] = isoformat(data[name])
    data["last_episode_downloaded"] = episode_number(data["last_episode_downloaded"])
    data["last_episode_available"] = episode_number(data["last_episode_available"])
    data["genres"] = list(data["genres"] or [])
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


class ItemPath(BaseModel):
    """The item id in the path."""

    item_id: str


# --- settings and stats -------------------------------------------------------------------


class WatchlistSettings(ResponseModel):
    """The user's watchlist settings."""

    check_interval_hours: int
    auto_download_enabled: bool
    max_concurrent_auto_downloads: int
    notify_on_new_episodes: bool
    include_completed_anime: bool


SETTINGS_FIELDS = tuple(WatchlistSettings.model_fields)


class WatchlistSettingsUpdate(StrictBody):
    """Body of PUT /api/watchlist/settings: any subset of the settings."""

    check_interval_hours: IntervalHours = None  # type: ignore[assignment]
    auto_download_enabled: bool = None  # type: ignore[assignment]
    max_concurrent_auto_downloads: MaxConcurrent = None  # type: ignore[assignment]
    notify_on_new_episodes: bool = None  # type: ignore[assignment]
    include_completed_anime: bool = None  # type: ignore[assignment]

    def changes(self) -> dict[str, Any]:
        """The settings the client sent."""
        return self.model_dump(exclude_unset=True)


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


EXPORT_ITEM_FIELDS = tuple(ExportItem.model_fields)


class WatchlistExport(ResponseModel):
    """A backup of the user's watchlist and settings."""

    version: Literal[1]
    exported_at: datetime
    settings: WatchlistSettings
    items: list[ExportItem]


class ImportItem(WatchlistItemCreate):
    """One item of an imported backup."""

    status: Status = "active"


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


# --- notifications ------------------------------------------------------------------------


class Notification(ResponseModel):
    """An in-app notification."""

    id: int
    kind: NotificationKind
    message: str
    item_id: str | None
    created_at: datetime
    read_at: datetime | None


class NotificationList(RootModel[list[Notification]]):
    """The user's notifications, newest first."""


def notification_to_dict(row: Any) -> dict[str, Any]:
    """The API JSON of a notification."""
    return {"id": row.id, "kind": row.kind, "message": row.message, "item_id": row.item_id,
            "created_at": isoformat(row.created_at), "read_at": isoformat(row.read_at)}


class NotificationQuery(QueryModel):
    """Filters of GET /api/notifications."""

    unread: bool = False
    limit: int = Field(100, ge=1, le=1000)


class MarkRead(StrictBody):
    """Body of POST /api/notifications/read: `{"ids": [...]}` or `{"all": true}`."""

    model_config = ConfigDict(json_schema_extra={"oneOf": [{"required": ["ids"]},
                                                           {"required": ["all"]}]})

    ids: Annotated[list[Annotated[int, Field(ge=1, le=MAX_DB_INT)]],
                   Field(max_length=10_000)] | None = None
    all: bool | None = None

    @model_validator(mode="after")
    def _one_of(self) -> MarkRead:
        if (self.ids is None) == (self.all is None):
            raise ValueError('send either "ids": [...] or "all": true')
        return self


class UpdatedCount(ResponseModel):
    """How many rows an action changed."""

    updated: int


# --- checks and downloads (documented by the endpoints that answer them) ------------------


class AutoDownloadResult(ResponseModel):
    """The result of one item's check."""

    item_id: str
    anime_title: str
    checked_at: datetime
    episodes_available: float | None
    new_episodes: list[float]
    downloads_queued: list[float]
    error: str | None


class Download(ResponseModel):
    """One episode of one item being fetched into the library."""

    id: int
    item_id: str
    anime_title: str
    episode: float
    status: DownloadStatus
    attempts: int
    error: str | None
    player: str | None
    bytes_done: int
    bytes_total: int | None
    speed_bps: float | None
    eta_seconds: float | None
    path: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


# --- errors -------------------------------------------------------------------------------


class ErrorResponse(ResponseModel):
    """The one error shape of the API."""

    error: Literal[tuple(sorted(set(ERROR_CODES.values())))]  # type: ignore[valid-type]
    message: str
    details: list[dict[str, Any]]


def error_responses(*codes: int) -> dict[int, type[ErrorResponse]]:
    """OpenAPI `responses` entries for these error statuses."""
    return {code: ErrorResponse for code in codes}


# Every /api endpoint can answer these (no/invalid token, missing scope, bad parameters).
COMMON_ERROR_RESPONSES = error_responses(401, 403, 422)
# Endpoints that take a JSON body can also answer these.
BODY_ERROR_RESPONSES = error_responses(400, 413, 415)
