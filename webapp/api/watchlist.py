"""API endpoints: the watchlist (items, pause/resume, settings, stats, export/import)."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask_openapi3 import Tag

from webapp.api import api, current_user_id
from webapp.api.responses import json_response, no_content
from webapp.api.validation import more_details_for
from webapp.errors import Invalid
from webapp.schemas import (
    BODY_ERROR_RESPONSES,
    ImportResult,
    ItemPath,
    WatchlistExport,
    WatchlistImport,
    WatchlistItem,
    WatchlistItemCreate,
    WatchlistItemList,
    WatchlistItemUpdate,
    WatchlistQuery,
    WatchlistSettings,
    WatchlistSettingsUpdate,
    WatchlistStats,
    error_responses,
    settings_to_dict,
)
from webapp.watchlist.listing import item_dict
from webapp.watchlist.manager import WatchlistManager
from webapp.watchlist.sources import resolve

TAGS = [Tag(name="watchlist")]
ITEM_RESPONSES = {200: WatchlistItem, **error_responses(404)}
WRITE_RESPONSES = {**BODY_ERROR_RESPONSES, **error_responses(409)}


def _manager() -> WatchlistManager:
    return WatchlistManager(current_user_id())


def item_json(item: Any, status: int = 200) -> Response:
    """The API document of one of the user's items (rendered as the list renders it)."""
    return json_response(item_dict(current_user_id(), item.id), status)


@api.post("/watchlist", tags=TAGS, responses={201: WatchlistItem, **WRITE_RESPONSES})
def create_item(body: WatchlistItemCreate) -> Response:
    """Add an anime to the watchlist."""
    return item_json(_manager().create_item(body), 201)


@more_details_for("api.create_item")
def _url_problems() -> list[dict[str, Any]]:
    """What is wrong with a create body's URL, told even when other fields are bad too."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("anime_url"), str):
        return []
    provider_id, lang = data.get("provider_id"), data.get("lang")
    try:
        resolve(data["anime_url"][:2000], provider_id if isinstance(provider_id, str) else None,
                lang if isinstance(lang, str) else None)
    except Invalid as exc:
        return list(exc.details)
    return []


@api.get("/watchlist", tags=TAGS, responses={200: WatchlistItemList})
def list_items(query: WatchlistQuery) -> Response:
    """The user's items, newest first, filtered by status, provider or title."""
    manager = _manager()
    items = manager.list_item_dicts(**query.model_dump())
    headers = None
    if query.limit is not None or query.offset:
        total = manager.count_items(query.status, query.provider_id, query.q)
        headers = {"X-Total-Count": str(total)}
    return json_response(items, headers=headers)


@api.get("/watchlist/settings", tags=TAGS, responses={200: WatchlistSettings})
def get_settings() -> Response:
    """The user's watchlist settings."""
    return json_response(settings_to_dict(_manager().get_settings()))


@api.put("/watchlist/settings", tags=TAGS,
         responses={200: WatchlistSettings, **BODY_ERROR_RESPONSES})
def update_settings(body: WatchlistSettingsUpdate) -> Response:
    """Change some settings; a new check interval reschedules the items."""
    return json_response(settings_to_dict(_manager().update_settings(body)))


@api.get("/watchlist/stats", tags=TAGS, responses={200: WatchlistStats})
def get_stats() -> Response:
    """Counts of the user's items."""
    return json_response(_manager().stats())


@api.get("/watchlist/export", tags=TAGS, responses={200: WatchlistExport})
def export_watchlist() -> Response:
    """The user's settings and items as a backup document."""
    return json_response(_manager().export())


@api.post("/watchlist/import", tags=TAGS, responses={200: ImportResult, **BODY_ERROR_RESPONSES})
def import_watchlist(body: WatchlistImport) -> Response:
    """Restore a backup document; items already on the list are skipped."""
    created, skipped = _manager().import_(body)
    return json_response({"created": created, "skipped": skipped})


@api.get("/watchlist/<item_id>", tags=TAGS, responses=ITEM_RESPONSES)
def get_item(path: ItemPath) -> Response:
    """One item."""
    return item_json(_manager().get_item(path.item_id))


@api.put("/watchlist/<item_id>", tags=TAGS, responses={**ITEM_RESPONSES, **WRITE_RESPONSES})
def update_item(path: ItemPath, body: WatchlistItemUpdate) -> Response:
    """Change some fields of an item."""
    return item_json(_manager().update_item(path.item_id, body))


@api.delete("/watchlist/<item_id>", tags=TAGS, responses={204: None, **error_responses(404)})
def delete_item(path: ItemPath) -> Response:
    """Remove an item (downloaded files stay on disk)."""
    _manager().delete_item(path.item_id)
    return no_content()


@api.post("/watchlist/<item_id>/pause", tags=TAGS, responses=ITEM_RESPONSES)
def pause_item(path: ItemPath) -> Response:
    """Stop checking an item."""
    return item_json(_manager().pause(path.item_id))


@api.post("/watchlist/<item_id>/resume", tags=TAGS, responses=ITEM_RESPONSES)
def resume_item(path: ItemPath) -> Response:
    """Track an item again; it is checked at the next tick."""
    return item_json(_manager().resume(path.item_id))
