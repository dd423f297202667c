"""Notifications: the bell with its unread count (it refreshes itself), the list, mark read."""

from __future__ import annotations

from flask import make_response, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.notifications.inbox import list_notifications, mark_read, unread_count
from webapp.pages import bp
from webapp.pages.htmx import back_to, page_or_fragment


@bp.app_context_processor
def bell_context() -> dict[str, object]:
    """`bell_count()` for the header: counted only when a full page renders the bell."""
    def count() -> int:
        return unread_count(current_user.id) if current_user.is_authenticated else 0

    return {"bell_count": count}


@bp.get("/notifications/bell")
def bell() -> Response:
    """The bell alone (the header fetches it when the page's poll says notes changed)."""
    resp = make_response(render_template("notifications/_bell.html"))
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _list_context() -> dict[str, object]:
    unread_only = request.args.get("unread") == "1"
    return {"notes": list_notifications(current_user.id, unread=unread_only, limit=200),
            "unread_only": unread_only}


@bp.get("/notifications")
def notifications() -> Response:
    """The user's notifications, newest first (optionally only unread ones)."""
    return page_or_fragment("notifications/page.html", "notifications/_list.html",
                            **_list_context())


@bp.post("/notifications/read")
def read_notifications() -> Response:
    """Mark one notification (`id`) or all of them (`all`) read."""
    ids = [int(i) for i in request.form.getlist("id") if i.isdigit()]
    mark_read(current_user.id, ids=ids, all=request.form.get("all") == "1")
    resp = back_to(url_for("pages.notifications"), "notifications/_list.html",
                   **_list_context(), oob_bell=True)
    return resp
