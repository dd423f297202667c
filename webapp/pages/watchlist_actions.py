"""Actions on watchlist items: pause, resume, delete, check now (with its live state), bulk."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import redis
from flask import flash, request
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.auth.views import safe_next
from webapp.checking.enqueue import enqueue_check
from webapp.checking.status import job_view
from webapp.models import WatchlistItem
from webapp.pages import bp
from webapp.pages.errors import error_page
from webapp.pages.htmx import back_to, is_htmx
from webapp.pages.live import checking_sources
from webapp.pages.watchlist import Filters
from webapp.watchlist.manager import WatchlistManager

PENDING_JOB = ("queued", "started")


def _manager() -> WatchlistManager:
    return WatchlistManager(current_user.id)


def _back_url(job: dict[str, Any] | None = None) -> str:
    """Where a plain form goes back to: its `next` page (with the check job), else the list."""
    target = safe_next(request.values.get("next"))
    if target is None:
        return Filters.from_values(request.values).url()
    if job is not None and job["status"] in PENDING_JOB:
        target += ("&" if "?" in target else "?") + urlencode({"job": job["id"]})
    return target


def row_response(item: WatchlistItem, job: dict[str, Any] | None = None) -> Response:
    """After an action on one item: its row for htmx, else back to where the form was."""
    checking = checking_sources([item.source_id])
    if job is not None and job["status"] in PENDING_JOB:
        checking.add(item.source_id)
    return back_to(_back_url(job), "watchlist/_row.html", item=item, job=job,
                   checking=checking, filters=Filters.from_values(request.values))


@bp.post("/watchlist/<item_id>/pause")
def pause_item(item_id: str) -> Response:
    """Pause an item: it is not checked until resumed."""
    return row_response(_manager().pause(item_id))


@bp.post("/watchlist/<item_id>/resume")
def resume_item(item_id: str) -> Response:
    """Resume an item: it is due at once."""
    return row_response(_manager().resume(item_id))


@bp.post("/watchlist/<item_id>/check")
def check_item(item_id: str) -> Response:
    """Check this item now (even when paused); the row shows "checking…" until done."""
    item = _manager().get_item(item_id)
    try:
        job_id = enqueue_check(item.source_id, requested_by=current_user.id, item_id=item.id)
    except redis.RedisError:
        return error_page(503, "Checks cannot be queued: Redis is not answering. "
                               "Try again once it is back.")
    if not is_htmx():
        flash(f"Checking “{item.anime_title}”…", "success")
    return row_response(item, {"id": job_id, "status": "queued", "result": None,
                               "error": None})


@bp.get("/watchlist/<item_id>/row")
def item_row(item_id: str) -> Response:
    """One item's row (polled while its check runs)."""
    item = _manager().get_item(item_id)
    job = None
    job_id = request.args.get("job")
    if job_id:
        try:
            job = job_view(job_id, current_user.id)
        except redis.RedisError:
            job = None
    return row_response(item, job)


@bp.post("/watchlist/<item_id>/delete")
def delete_item(item_id: str) -> Response:
    """Remove an item (downloaded files stay on disk); htmx removes its row."""
    manager = _manager()
    title = manager.get_item(item_id).anime_title
    manager.delete_item(item_id)
    if is_htmx():
        resp = Response("", 200)
        resp.headers["HX-Trigger"] = "watchlist-changed"
        return resp
    flash(f"Removed “{title}” from your watchlist.", "success")
    return back_to(Filters.from_values(request.values).url())  # never back to its own page
