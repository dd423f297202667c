"""Several items at once (search results added together, the watchlist's bulk bar), and the
shared read-only list: its public page (`/shared/<token>`), its import, its settings section."""

from __future__ import annotations

import json
from typing import Any

from flask import flash, make_response, request, url_for
from flask_login import current_user
from pydantic import ValidationError
from werkzeug.wrappers import Response

from webapp.errors import DomainError, Invalid, ServiceUnavailable
from webapp.infra.site_access import get_registry
from webapp.models import QUALITIES, STATUSES
from webapp.pages import bp
from webapp.pages.add_sources import add_options, current_episode
from webapp.pages.errors import error_page
from webapp.pages.htmx import back_to, hx_redirect, is_htmx, page_or_fragment
from webapp.pages.settings_context import settings_page_context
from webapp.pages.watchlist import Filters, listing
from webapp.schemas import WatchlistItemCreate, WatchlistItemUpdate
from webapp.schemas.lists import MAX_BATCH, MAX_BULK
from webapp.sites.http.errors import FetchError
from webapp.sites.types import ProviderError, UrlError
from webapp.watchlist import bulk, sharing
from webapp.watchlist.manager import WatchlistManager

MAX_PICKS = 50              # search results added at once from the page (each may be read)
PICK_FIELDS = ("poster_image", "synopsis", "genres")
NO_CHANGE = "Choose a status, auto-download or quality to apply first."


# --- search results added together ----------------------------------------------------------


def _first_season(pick: dict[str, Any], body: dict[str, Any], down: dict[str, str]) -> str:
    """Point a result that names an anime (not one of its seasons) at its first season
    listed; the season's label (or ""). `down`: sites found unreadable in this batch (not
    asked again)."""
    provider_id = body.get("provider_id") or ""
    try:
        get_registry().resolve(body["anime_url"], provider_id or None, None)
        return ""
    except UrlError:
        pass
    if provider_id in down:
        raise Invalid(down[provider_id])
    options = add_options(body["anime_url"], provider_id, body["anime_title"])
    if options.error or not options.choices:
        if options.error:
            down[provider_id] = options.error
        raise Invalid(options.error or "This anime lists no season to follow yet.")
    body["anime_url"], label = options.choices[0]
    body["anime_title"] = options.title or body["anime_title"]
    for name in PICK_FIELDS:
        body[name] = pick.get(name) or getattr(options, name) or None
    return label


def _pick_entry(raw: str, form: Any,
                down: dict[str, str]) -> tuple[str, WatchlistItemCreate | DomainError]:
    """(what the user ticked, its create body or why it cannot be added)."""
    try:
        pick = json.loads(raw)
        body = {"anime_title": str(pick["title"])[:500], "anime_url": str(pick["url"]),
                "provider_id": str(pick.get("provider_id") or "")[:32] or None,
                "auto_download": form.get("auto_download") == "on",
                "quality_preference": form.get("quality_preference") or "auto",
                **{name: pick[name] for name in PICK_FIELDS if pick.get(name)}}
    except (ValueError, TypeError, KeyError):
        return "?", Invalid("This result could not be read; search again.")
    label = body["anime_title"]
    try:
        season = _first_season(pick, body, down)
        if form.get("start") == "new":
            body["last_episode_downloaded"] = current_episode(
                body["anime_url"], body["provider_id"], None)
        entry = WatchlistItemCreate.model_validate({k: v for k, v in body.items()
                                                    if v is not None})
    except ValidationError as exc:
        fields = sorted({str(e["loc"][0]) for e in exc.errors() if e["loc"]})
        return label, Invalid(f"Not accepted ({', '.join(fields) or 'body'}).")
    except (ProviderError, FetchError, UrlError) as exc:
        return label, Invalid(f"The site could not be read: {exc}")
    except Invalid as exc:
        return label, exc
    return (f"{label} ({season})" if season else label), entry


@bp.post("/add/batch")
def batch_add() -> Response:
    """Add every ticked search result at once; one line per result tells how it went."""
    picks = request.form.getlist("pick")[:min(MAX_PICKS, MAX_BATCH)]
    down: dict[str, str] = {}
    pairs = [_pick_entry(raw, request.form, down) for raw in picks]
    outcomes = bulk.batch_create(current_user.id, [entry for _label, entry in pairs])
    rows = [(label, outcome) for (label, _entry), outcome in zip(pairs, outcomes, strict=True)]
    return page_or_fragment("lists/batch_added.html", "lists/_batch_outcome.html",
                            200 if rows else 422, rows=rows)


# --- the watchlist's bulk bar ----------------------------------------------------------------


def _changes(form: Any) -> WatchlistItemUpdate | None:
    """What the bar's selects ask to change (None: nothing chosen)."""
    changes: dict[str, Any] = {}
    if form.get("set_status") in STATUSES:
        changes["status"] = form["set_status"]
    if form.get("set_auto_download") in ("on", "off"):
        changes["auto_download"] = form["set_auto_download"] == "on"
    if form.get("set_quality") in QUALITIES:
        changes["quality_preference"] = form["set_quality"]
    return WatchlistItemUpdate.model_validate(changes) if changes else None


def _apply(action: str | None, ids: list[str]) -> tuple[str, bool]:
    """Run the bar's action on the selected ids: (message, whether it did something)."""
    uid = current_user.id
    if action == "set":
        changes = _changes(request.form)
        if changes is None:
            return NO_CHANGE, False
        outcome, verb = bulk.bulk_update(uid, ids, changes), "Changed"
    elif action in ("delete", "check"):
        try:
            outcome = bulk.bulk_action(uid, ids, action)
        except ServiceUnavailable as exc:
            return exc.message, False
        verb = "Deleted" if action == "delete" else "Queued a check of"
    else:
        return "Choose an action.", False
    note = f" {outcome.skipped} skipped." if outcome.skipped else ""
    return f"{verb} {outcome.updated} item{'s' if outcome.updated != 1 else ''}.{note}", \
        outcome.updated > 0


@bp.post("/watchlist/selected")
def bulk_change() -> Response:
    """The bulk bar: set status, auto-download or quality, check now, or delete (after a
    confirmation) every selected item."""
    filters = Filters.from_values(request.form)
    ids = request.form.getlist("ids")[:MAX_BULK]
    action = request.form.get("action")
    if ids and action == "delete" and not is_htmx() and request.form.get("confirmed") != "1":
        return page_or_fragment("lists/confirm_delete.html", "lists/confirm_delete.html",
                                items=bulk.selected_items(current_user.id, ids),
                                filters=filters)
    message, done = _apply(action, ids) if ids else ("Select some items first.", False)
    if not is_htmx():
        flash(message, "success" if done else "error")
        return back_to(filters.url())
    return page_or_fragment("watchlist/page.html", "watchlist/_results.html",
                            **listing(filters), message=message, oob_counts=True,
                            stats=WatchlistManager(current_user.id).stats())


# --- sharing ---------------------------------------------------------------------------------


@bp.get("/shared/<token>")
def shared_list(token: str) -> Response:
    """Someone's shared watchlist, read-only and without login: titles, statuses, progress."""
    owner_id = sharing.owner_of(token)
    if owner_id is None:
        return error_page(404, "This shared list does not exist, or its owner stopped "
                               "sharing it.")
    viewer = current_user.id if current_user.is_authenticated else None
    resp = make_response(page_or_fragment(
        "lists/shared.html", "lists/shared.html", entries=sharing.shared_entries(owner_id),
        token=token, own=viewer == owner_id))
    resp.headers["Referrer-Policy"] = "no-referrer"   # the link is the key: never leak it
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["X-Robots-Tag"] = "noindex"
    return resp


@bp.post("/shared/<token>/import")
def import_shared_list(token: str) -> Response:
    """Put a shared list's anime on your watchlist (those you track are skipped)."""
    created, skipped = sharing.import_shared(current_user.id, token)
    message = f"Imported {created} anime into your watchlist" + \
        (f"; {skipped} skipped (already there or not available here)." if skipped else ".")
    if is_htmx():
        return page_or_fragment("lists/_import_done.html", "lists/_import_done.html",
                                message=message)
    flash(message, "success")
    return hx_redirect(url_for("pages.watchlist"))


def _share_section(share_url: str | None = None) -> Response:
    if is_htmx():
        return page_or_fragment("settings/page.html", "lists/_share.html",
                                share_url=share_url)
    return page_or_fragment("settings/page.html", "lists/_share.html",
                            **settings_page_context(), share_url=share_url)


@bp.post("/settings/share")
def create_share_link() -> Response:
    """Create (or replace) the link to your read-only list and show it once."""
    token, _created_at = sharing.create_link(current_user.id)
    return _share_section(url_for("pages.shared_list", token=token, _external=True))


@bp.post("/settings/share/revoke")
def revoke_share_link() -> Response:
    """Stop sharing: the link stops working at once."""
    sharing.revoke_link(current_user.id)
    return back_to(url_for("pages.settings") + "#share", "lists/_share.html")


@bp.app_context_processor
def lists_context() -> dict[str, Any]:
    """For the partials of this module: the bulk bar's choices, the share link's date."""
    def share_link_created_at() -> Any:
        return sharing.link_created_at(current_user.id) \
            if current_user.is_authenticated else None

    return {"bulk_statuses": STATUSES, "bulk_qualities": QUALITIES,
            "share_link_created_at": share_link_created_at}
