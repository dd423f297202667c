"""API: the requesting user's automatic checks (SPEC §4 scheduler endpoints)."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from webapp.api import api, current_user_id
from webapp.schemas import COMMON_ERROR_RESPONSES, ResponseModel, WatchlistSettings
from webapp.watchlist.automation import AutomationSwitch


class SchedulerStatus(ResponseModel):
    """Whether this user's automatic checks run, and when the next one is due."""

    running: bool
    enabled: bool
    scheduler_alive: bool
    next_run: str | None
    settings: WatchlistSettings


RESPONSES: dict[int | str, Any] = {200: SchedulerStatus, **COMMON_ERROR_RESPONSES}


@api.get("/watchlist/scheduler/status", responses=RESPONSES)
def scheduler_status() -> Response:
    """Scheduler state for this user."""
    return jsonify(AutomationSwitch(current_user_id()).status())


@api.post("/watchlist/scheduler/start", responses=RESPONSES)
def scheduler_start() -> Response:
    """Enable automatic checks for this user."""
    return jsonify(AutomationSwitch(current_user_id()).start())


@api.post("/watchlist/scheduler/stop", responses=RESPONSES)
def scheduler_stop() -> Response:
    """Disable automatic checks for this user."""
    return jsonify(AutomationSwitch(current_user_id()).stop())
