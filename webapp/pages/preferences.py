"""Settings page sections: automatic downloads, the scheduler, and notification targets."""

from __future__ import annotations

from typing import Any

from flask import flash, request, url_for
from flask_login import current_user
from pydantic import ValidationError
from werkzeug.wrappers import Response

from webapp.notifications.inbox import set_targets
from webapp.pages import bp
from webapp.pages.htmx import back_to, is_htmx, page_or_fragment
from webapp.pages.settings_context import preferences_context, settings_page_context
from webapp.schemas import WatchlistSettingsUpdate
from webapp.watchlist.automation import AutomationSwitch
from webapp.watchlist.manager import WatchlistManager

TOGGLES = ("auto_download_enabled", "notify_on_new_episodes", "include_completed_anime",
           "metadata_files", "fast_detection", "notify_season_complete")
NUMBERS = ("check_interval_hours", "max_concurrent_auto_downloads", "complete_after_weeks",
           "archive_after_weeks")


def _settings_changes() -> dict[str, Any]:
    """The form's values typed for the strict schema (a bad number is left for it to refuse)."""
    form = request.form
    changes: dict[str, Any] = {name: form.get(name) == "on" for name in TOGGLES}
    for name in NUMBERS:
        if name not in form:
            continue  # a form without the field (an older page) leaves it as it is
        raw = (form.get(name) or "").strip()
        changes[name] = int(raw) if raw.lstrip("-").isdigit() else raw
    return changes


@bp.post("/settings/watchlist")
def save_preferences() -> Response:
    """Save the automatic-download settings; a new interval moves the next run."""
    errors: dict[str, str] = {}
    try:
        WatchlistManager(current_user.id).update_settings(
            WatchlistSettingsUpdate(**_settings_changes()))
    except ValidationError as exc:
        errors = {str(e["loc"][0]): e["msg"].removeprefix("Value error, ")
                  for e in exc.errors() if e["loc"]}
    if errors:
        return page_or_fragment("settings/page.html", "settings/_preferences.html", 422,
                                **settings_page_context(prefs_errors=errors))
    if not is_htmx():
        flash("Settings saved.", "success")
    return back_to(url_for("pages.settings"), "settings/_preferences.html",
                   **preferences_context(prefs_saved=True), oob_scheduler=True)


@bp.post("/settings/scheduler/<any(start, stop):action>")
def toggle_scheduler(action: str) -> Response:
    """Start or stop your automatic checks."""
    scheduler = AutomationSwitch(current_user.id)
    scheduler.start() if action == "start" else scheduler.stop()
    if not is_htmx():
        flash("Automatic checks " + ("started." if action == "start" else "stopped."),
              "success")
    return back_to(url_for("pages.settings"), "settings/_scheduler.html",
                   **preferences_context())


@bp.post("/settings/notifications")
def save_targets() -> Response:
    """Save the Apprise notification URLs (one a line), each checked by Apprise."""
    text = request.form.get("targets", "")
    try:
        set_targets(current_user.id, text.splitlines())
    except ValueError as exc:
        return page_or_fragment("settings/page.html", "settings/_targets.html", 422,
                                **settings_page_context(targets_text=text,
                                                        targets_error=str(exc)))
    if not is_htmx():
        flash("Notification targets saved.", "success")
    return back_to(url_for("pages.settings"), "settings/_targets.html",
                   **preferences_context(targets_saved=True))
