"""Lists: batch add, bulk changes of selected items, and sharing (SPEC §4 "lists")."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, model_validator

from webapp.schemas.base import (
    ErrorResponse,
    Quality,
    ResponseModel,
    Status,
    StrictBody,
    UpdateBody,
)
from webapp.schemas.items import Langs, WatchlistItem

MAX_BATCH = 500
MAX_BULK = 1000
ItemId = Annotated[str, StringConstraints(max_length=64)]


class BatchCreate(StrictBody):
    """Body of POST /api/watchlist/batch: create bodies, each validated on its own."""

    items: list[Any] = Field(
        min_length=1, max_length=MAX_BATCH,
        description="Create bodies as POST /api/watchlist takes them. Each entry is "
                    "validated and created on its own: a bad one gets a 422 result and "
                    "never blocks the others.")


class BatchEntry(ResponseModel):
    """The outcome of one entry: the item created (201), or why not (409, 422)."""

    index: int = Field(description="The entry's position in `items`, from 0.")
    status: Literal[201, 409, 422]
    item: WatchlistItem | None = Field(None, description="With status 201.")
    error: ErrorResponse | None = Field(None, description="With status 409 or 422.")


class BatchResult(ResponseModel):
    """One result per entry, in the order of `items`."""

    results: list[BatchEntry]


class BulkSet(UpdateBody):
    """The changes a bulk `set` applies to every selected item (at least one)."""

    status: Status = None  # type: ignore[assignment]
    auto_download: bool = None  # type: ignore[assignment]
    quality_preference: Quality = None  # type: ignore[assignment]
    langs: Langs = None  # type: ignore[assignment]
    notify: bool = None  # type: ignore[assignment]

    @model_validator(mode="after")
    def _something(self) -> BulkSet:
        if not self.model_fields_set:
            raise ValueError("set at least one of status, auto_download, "
                             "quality_preference, langs, notify")
        return self


class BulkChange(StrictBody):
    """Body of POST /api/watchlist/bulk: the item ids and either `set` or `action`."""

    ids: list[ItemId] = Field(max_length=MAX_BULK,
                              description="Your item ids; others are skipped.")
    set: BulkSet | None = Field(None, description="Fields to change on every item.")
    action: Literal["delete", "check"] | None = Field(
        None, description="`delete` the items, or `check` them now (even paused ones).")

    @model_validator(mode="after")
    def _one_of(self) -> BulkChange:
        if (self.set is None) == (self.action is None):
            raise ValueError("send either `set` or `action`")
        return self


class BulkResult(ResponseModel):
    """How many of the ids were changed, and how many skipped (not yours, unknown,
    repeated, or refused: a language the item's site does not have)."""

    updated: int
    skipped: int


class ShareCreated(ResponseModel):
    """The new read-only link to your watchlist (shown once; the old one stops working)."""

    url: str
    created_at: datetime


class ImportShared(StrictBody):
    """Body of POST /api/watchlist/import-shared: a `/shared/<token>` link of this install."""

    url: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
