"""Admin: the scheduled backups in the instance folder — list, back up now, restore one."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, url_for
from werkzeug.wrappers import Response

from webapp.errors import DomainError, http_status
from webapp.pages import bp
from webapp.pages.admin import admin_required
from webapp.pages.htmx import back_to, is_htmx, page_or_fragment
from webapp.watchlist.scheduled_backups import (
    backup_dir,
    list_backups,
    restore_backup,
    write_backup,
)

PAGE, FRAGMENT = "admin/backups.html", "admin/_backups.html"


def _context(**extra: Any) -> dict[str, Any]:
    return {"backups": list_backups(), "folder": str(backup_dir()),
            "every_hours": current_app.config.get("BACKUP_EVERY_HOURS") or 0,
            "keep": current_app.config.get("BACKUP_KEEP", 7), "message": None,
            "error": None, **extra}


def restored_sentence(name: str, result: dict[str, Any]) -> str:
    """What a restore did, in words."""
    users = result["users"]
    text = (f"Restored {name}: {users} user{'s' if users != 1 else ''}, "
            f"{result['created']} item{'s' if result['created'] != 1 else ''} added back, "
            f"{result['skipped']} already there.")
    if result["unknown_users"]:
        text += " Not on this install: " + ", ".join(result["unknown_users"]) + "."
    for failed in result["failed_users"]:
        text += f" Nothing restored for {failed['username']}: {failed['message']}"
    return text


def _done(message: str) -> Response:
    """Back to the list: the refreshed fragment for htmx, else a redirect with a flash."""
    if not is_htmx():
        flash(message, "success")
    return back_to(url_for("pages.admin_backups"), FRAGMENT, **_context(message=message))


@bp.get("/admin/backups")
@admin_required
def admin_backups() -> Response:
    """The backups kept in the instance folder, newest first."""
    return page_or_fragment(PAGE, FRAGMENT, **_context())


@bp.post("/admin/backups")
@admin_required
def admin_write_backup() -> Response:
    """Write a backup of every watchlist now."""
    done = write_backup()
    return _done(f"Backup {done['name']} written: {done['users']} users, "
                 f"{done['items']} items.")


@bp.post("/admin/backups/<name>/restore")
@admin_required
def admin_restore_backup(name: str) -> Response:
    """Add back every item of the backup its user no longer has (idempotent)."""
    try:
        result = restore_backup(name)
    except DomainError as exc:
        return page_or_fragment(PAGE, FRAGMENT, http_status(exc), **_context(error=exc.message))
    return _done(restored_sentence(name, result))
