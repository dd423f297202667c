"""The Activity page: the user's history of checks, downloads and status changes, paged,
filterable by kind and item, and refreshed while open (a cheap "anything new?" poll)."""

from __future__ import annotations

from typing import Any

from flask import make_response, request
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.errors import Invalid
from webapp.models import ACTIVITY_KINDS
from webapp.notifications.activity import list_activity, newest_id
from webapp.pages import bp
from webapp.pages.htmx import page_or_fragment

PAGE_SIZE = 50
KIND_LABELS = {
    "check_found": "new episodes", "check_nothing": "checked", "check_failed": "check failed",
    "download_queued": "queued", "download_started": "started",
    "download_completed": "downloaded", "download_failed": "download failed",
    "download_retried": "retry", "download_cancelled": "cancelled",
    "status_changed": "status", "season_found": "new season", "completed": "completed",
    "archived": "archived",
}
KIND_BADGES = {"check_found": "completed", "download_completed": "completed",
               "check_failed": "failed", "download_failed": "failed",
               "download_cancelled": "cancelled", "download_started": "running",
               "download_queued": "queued", "download_retried": "pending"}


def _filters() -> dict[str, str | None]:
    """The page's filters from the query string (unknown values are a clear error)."""
    kind = request.args.get("kind") or None
    if kind is not None and kind not in ACTIVITY_KINDS:
        raise Invalid(f"There is no activity of kind {kind[:40]!r}.")
    before = request.args.get("before") or None
    if before is not None and not (before.isdigit() and len(before) <= 10):
        raise Invalid("The page asked for is not valid (before must be an event id).")
    item_id = (request.args.get("item_id") or "")[:64] or None
    return {"kind": kind, "before": before, "item_id": item_id}


def _context(filters: dict[str, str | None]) -> dict[str, Any]:
    events = list_activity(current_user.id, limit=PAGE_SIZE + 1, **filters)
    more = len(events) > PAGE_SIZE
    events = events[:PAGE_SIZE]
    return {"events": events, "more": more, "filters": filters,
            "older": events[-1].id if more else None,
            "newest": newest_id(current_user.id), "kinds": KIND_LABELS,
            "badges": KIND_BADGES}


@bp.get("/activity")
def activity() -> Response:
    """The user's activity, newest first; `since` answers 204 while nothing new happened."""
    filters = _filters()
    since = request.args.get("since", "")
    if since.isdigit() and newest_id(current_user.id) == int(since):
        resp = make_response("", 204)
        resp.headers["Cache-Control"] = "no-store"
        return resp
    resp = page_or_fragment("activity/page.html", "activity/_list.html", **_context(filters))
    resp.headers["Cache-Control"] = "no-store"
    return resp
