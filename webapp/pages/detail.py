"""Anime detail page: info, every episode with its state, the item's settings and errors."""

from __future__ import annotations

from typing import Any

from flask import request, url_for
from flask_login import current_user
from pydantic import ValidationError
from werkzeug.wrappers import Response

from webapp.checking.status import job_view
from webapp.errors import Conflict, Invalid
from webapp.infra.site_access import get_registry
from webapp.models import QUALITIES, STATUSES, WatchlistItem
from webapp.pages import bp
from webapp.pages.htmx import back_to, page_or_fragment
from webapp.pages.live import checking_sources, live_redis
from webapp.schemas import WatchlistItemUpdate
from webapp.watchlist.episodes import episode_states
from webapp.watchlist.manager import WatchlistManager
from webapp.watchlist.new_seasons import add_found_season, anime_finished, found_seasons

EDITABLE = ("anime_title", "status", "quality_preference", "lang", "follow_new_seasons")


def _item_context(item: WatchlistItem, **extra: Any) -> dict[str, Any]:
    provider = get_registry().get(item.provider_id)
    return {"item": item, "statuses": STATUSES, "qualities": QUALITIES,
            "langs": (provider.langs if provider else ()) or (item.lang,),
            "provider_name": provider.name if provider else item.provider_id,
            "seasons": found_seasons(item), "anime_finished": anime_finished(item),
            "errors": {}, "saved": False, **extra}


@bp.get("/watchlist/<item_id>")
def item_detail(item_id: str) -> Response:
    """One anime: its info, its episodes with their download state, its settings."""
    item = WatchlistManager(current_user.id).get_item(item_id)
    episodes = episode_states(item, live_redis())
    job = _pending_job(request.args.get("job"))
    checking = checking_sources([item.source_id]) or ({item.source_id} if job else set())
    return page_or_fragment("detail/page.html", "detail/_episodes.html",
                            **_item_context(item, episodes=episodes, checking=checking,
                                            job=job))


def _pending_job(job_id: str | None) -> str | None:
    """`job_id` while that check job of the user's is queued or running, else None."""
    if not job_id or live_redis() is None:
        return None
    view = job_view(job_id, current_user.id)
    return job_id if view is not None and view["status"] in ("queued", "started") else None


def _changes(item: WatchlistItem) -> dict[str, Any]:
    """The edit form's fields that differ from the item (checkbox absent = off)."""
    form = request.form
    changes: dict[str, Any] = {name: form[name].strip() for name in EDITABLE
                               if name in form and form[name].strip() != getattr(item, name)}
    auto = form.get("auto_download") == "on"
    if auto != item.auto_download:
        changes["auto_download"] = auto
    return changes


@bp.post("/watchlist/<item_id>/edit")
def edit_item(item_id: str) -> Response:
    """Save the item's settings (title, status, quality, language, auto-download)."""
    manager = WatchlistManager(current_user.id)
    item = manager.get_item(item_id)
    errors: dict[str, str] = {}
    try:
        item = manager.update_item(item_id, WatchlistItemUpdate(**_changes(item)))
    except ValidationError as exc:
        errors = {str(e["loc"][0]) if e["loc"] else "form": e["msg"] for e in exc.errors()}
    except (Conflict, Invalid) as exc:
        errors = {str(d.get("field", "form")): d.get("message", exc.message)
                  for d in exc.details} or {"form": exc.message}
    if errors:
        return page_or_fragment("detail/page.html", "detail/_settings.html", 422,
                                **_item_context(manager.get_item(item_id), errors=errors,
                                                episodes=[], checking=set()))
    return back_to(url_for("pages.item_detail", item_id=item.id), "detail/_settings.html",
                   **_item_context(item, saved=True))


@bp.post("/watchlist/<item_id>/seasons/add")
def add_season(item_id: str) -> Response:
    """Add a season found on the item's anime page, with the item's settings."""
    manager = WatchlistManager(current_user.id)
    try:
        add_found_season(current_user.id, item_id, request.form.get("season", ""))
    except Conflict:
        pass  # already on the watchlist: the section links to it
    except Invalid as exc:
        return page_or_fragment("detail/page.html", "detail/_seasons.html", 422,
                                **_item_context(manager.get_item(item_id), episodes=[],
                                                checking=set(), season_error=exc.message))
    return back_to(url_for("pages.item_detail", item_id=item_id), "detail/_seasons.html",
                   **_item_context(manager.get_item(item_id)))
