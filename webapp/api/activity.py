"""API endpoint: the user's activity history (SPEC §4), newest first, paged by `before`."""

from __future__ import annotations

from flask import Response
from flask_openapi3 import Tag

from webapp.api import api, current_user_id
from webapp.api.responses import json_response
from webapp.notifications.activity import activity_to_dict, list_activity
from webapp.schemas.activity import ActivityList, ActivityQuery

TAGS = [Tag(name="activity")]


@api.get("/activity", tags=TAGS, responses={200: ActivityList})
def get_activity(query: ActivityQuery) -> Response:
    """The user's checks, downloads and status changes, newest first (page with `before`)."""
    events = list_activity(current_user_id(), item_id=query.item_id, kind=query.kind,
                           before=query.before, limit=query.limit)
    return json_response([activity_to_dict(event) for event in events])
