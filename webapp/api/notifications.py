"""API endpoints: the user's in-app notifications."""

from __future__ import annotations

from flask import Response
from flask_openapi3 import Tag

from webapp.api import api, current_user_id
from webapp.api.responses import json_response
from webapp.notifications import inbox as notifications
from webapp.schemas import (
    BODY_ERROR_RESPONSES,
    MarkRead,
    NotificationList,
    NotificationQuery,
    UpdatedCount,
    notification_to_dict,
)

TAGS = [Tag(name="notifications")]


@api.get("/notifications", tags=TAGS, responses={200: NotificationList})
def list_notifications(query: NotificationQuery) -> Response:
    """The user's notifications, newest first (only unread ones with ?unread=true)."""
    rows = notifications.list_notifications(current_user_id(), unread=query.unread,
                                            limit=query.limit)
    return json_response([notification_to_dict(row) for row in rows])


@api.post("/notifications/read", tags=TAGS,
          responses={200: UpdatedCount, **BODY_ERROR_RESPONSES})
def mark_notifications_read(body: MarkRead) -> Response:
    """Mark the given notifications, or all of them, as read."""
    updated = notifications.mark_read(current_user_id(), ids=body.ids, all=bool(body.all))
    return json_response({"updated": updated})
