"""Notifications: the response, its list and query, and the mark-read body."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import ConfigDict, Field, RootModel, model_validator

from webapp.clock import isoformat
from webapp.schemas.base import (
    MAX_DB_INT,
    NotificationKind,
    QueryModel,
    ResponseModel,
    StrictBody,
)


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
