"""Admin: the media servers told to rescan when files land (Jellyfin, Emby, Plex, Kodi).

Secrets are write-only: the page shows a masked hint, an empty secret field keeps the
stored one, and "Remove" forgets the server. Each server's last refresh (or failure)
comes from webapp.notifications.media_servers.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, request, url_for
from werkzeug.wrappers import Response

from webapp.notifications.media_servers import (
    KINDS,
    LABELS,
    SECRET_FIELDS,
    forget_status,
    load_settings,
    masked,
    save_settings,
    statuses,
)
from webapp.pages import bp
from webapp.pages.admin import admin_required
from webapp.pages.htmx import back_to, is_htmx, page_or_fragment
from webapp.sites.http.errors import FetchError
from webapp.sites.http.guard import split_url

SECRET_LABELS = {"api_key": "API key", "token": "Token (X-Plex-Token)", "password": "Password"}
URL_HINTS = {"jellyfin": "http://192.168.1.10:8096", "emby": "http://192.168.1.10:8096",
             "plex": "http://192.168.1.10:32400", "kodi": "http://192.168.1.20:8080/jsonrpc"}
MAX_FIELD = 500


def _servers(settings: dict[str, dict[str, str]], form: dict[str, dict[str, str]] | None = None
             ) -> list[dict[str, Any]]:
    """What the page shows per kind: the settings with secrets masked, and the last result."""
    state = statuses()
    shown = []
    for kind in KINDS:
        values = (form or {}).get(kind) or settings.get(kind, {})
        secret = settings.get(kind, {}).get(SECRET_FIELDS[kind], "")
        shown.append({"kind": kind, "label": LABELS[kind], "url": values.get("url", ""),
                      "user": values.get("user", ""), "path": values.get("path", ""),
                      "secret_field": SECRET_FIELDS[kind],
                      "secret_label": SECRET_LABELS[SECRET_FIELDS[kind]],
                      "secret_hint": masked(secret), "url_hint": URL_HINTS[kind],
                      "status": state.get(kind, {})})
    return shown


def _context(**extra: Any) -> dict[str, Any]:
    form = extra.pop("form", None)
    return {"servers": _servers(load_settings(), form), "errors": extra.pop("errors", {}),
            "private_hosts": current_app.config.get("ALLOW_PRIVATE_HOSTS") or "", **extra}


def _read_form() -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """The submitted servers (a blank secret keeps the stored one) and the errors per kind."""
    stored = load_settings()
    settings: dict[str, dict[str, str]] = {}
    errors: dict[str, str] = {}
    for kind in KINDS:
        url = request.form.get(f"{kind}-url", "").strip()
        if not url or request.form.get(f"{kind}-remove"):
            continue
        secret_field = SECRET_FIELDS[kind]
        values = {"url": url, "path": request.form.get(f"{kind}-path", "").strip(),
                  "user": request.form.get(f"{kind}-user", "").strip(),
                  secret_field: request.form.get(f"{kind}-secret", "").strip()
                  or stored.get(kind, {}).get(secret_field, "")}
        try:
            split_url(url)
        except FetchError as exc:
            errors[kind] = str(exc)
        if any(len(v) > MAX_FIELD for v in values.values()):
            errors[kind] = f"Each field holds at most {MAX_FIELD} characters."
        elif kind != "kodi" and not values[secret_field]:
            errors[kind] = f"{LABELS[kind]} needs its {SECRET_LABELS[secret_field]}."
        settings[kind] = {k: v for k, v in values.items() if v}
    return settings, errors


@bp.get("/admin/media-servers")
@admin_required
def admin_media_servers() -> Response:
    """The media servers to tell about new files, with their last refresh."""
    return page_or_fragment("admin/media_servers.html", "admin/_media_servers.html",
                            **_context())


@bp.post("/admin/media-servers")
@admin_required
def admin_save_media_servers() -> Response:
    """Save the media servers (secrets kept when left blank)."""
    settings, errors = _read_form()
    if errors:
        shown = {k: {f: request.form.get(f"{k}-{f}", "") for f in ("url", "user", "path")}
                 for k in KINDS}
        return page_or_fragment("admin/media_servers.html", "admin/_media_servers.html", 422,
                                **_context(form=shown, errors=errors))
    before = load_settings()
    save_settings(settings)
    for kind in KINDS:
        if before.get(kind) != settings.get(kind):
            forget_status(kind)
    if not is_htmx():
        flash("Media servers saved.", "success")
    return back_to(url_for("pages.admin_media_servers"), "admin/_media_servers.html",
                   **_context(saved=True))
