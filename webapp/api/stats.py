"""`GET /api/stats/history`: the numbers behind the statistics page."""

from __future__ import annotations

from flask import Response
from flask_openapi3 import Tag

from webapp.api import api, current_user_id
from webapp.api.responses import json_response
from webapp.schemas.stats import StatsHistory, StatsHistoryQuery
from webapp.watchlist.stats_history import stats_history

TAGS = [Tag(name="stats")]


@api.get("/stats/history", tags=TAGS, responses={200: StatsHistory})
def get_stats_history(query: StatsHistoryQuery) -> Response:
    """The user's last `days` UTC days of downloads, failures and latency, oldest first."""
    return json_response(stats_history(current_user_id(), query.days).to_dict())
