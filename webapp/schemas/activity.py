"""The activity history and the downloads list's "clear", as the API takes and answers them."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, RootModel, StringConstraints

from webapp.models import ACTIVITY_KINDS
from webapp.schemas.base import QueryModel, ResponseModel, StrictBody

ActivityKind = Literal[ACTIVITY_KINDS]  # type: ignore[valid-type]
ClearableStatus = Literal["completed", "failed", "cancelled"]
ISO_TIME_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?$")


def _event_id_or_time(value: str) -> str:
    if value.isdigit() and len(value) <= 10:
        return value
    if ISO_TIME_RE.match(value):
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            return value
    raise ValueError("must be an event id or an ISO 8601 time such as 2026-01-29T12:00:00Z")


class ActivityQuery(QueryModel):
    """Filters and paging of GET /api/activity."""

    item_id: Annotated[str, StringConstraints(max_length=64)] | None = None
    kind: ActivityKind | None = None
    before: Annotated[str, StringConstraints(max_length=40),
                      AfterValidator(_event_id_or_time)] | None = None
    limit: int = Field(50, ge=1, le=200)


class ActivityEvent(ResponseModel):
    """One event of the user's history."""

    id: int
    kind: ActivityKind
    item_id: str | None
    anime_title: str
    episode: float | None
    message: str
    created_at: datetime
    data: dict[str, Any]


class ActivityList(RootModel[list[ActivityEvent]]):
    """The user's events, newest first."""


class ClearDownloads(StrictBody):
    """Body of POST /api/downloads/clear: the finished statuses to hide from the list."""

    status: Annotated[list[ClearableStatus], Field(min_length=1, max_length=3)]


class ClearedCount(ResponseModel):
    """How many downloads were hidden."""

    cleared: int
