"""API endpoints: an item's sources in order (SPEC §4 "Backup sources")."""

from __future__ import annotations

from flask import Response
from flask_openapi3 import Tag

from webapp.api import api, current_user_id
from webapp.api.responses import json_response, no_content
from webapp.schemas import BODY_ERROR_RESPONSES, ItemPath, error_responses
from webapp.schemas.item_sources import (
    ItemSource,
    ItemSourceCreate,
    ItemSourceList,
    ItemSourceOrder,
    ItemSourcePath,
)
from webapp.watchlist.item_sources import ItemSources

TAGS = [Tag(name="watchlist")]
WRITE_RESPONSES = {**BODY_ERROR_RESPONSES, **error_responses(404, 409)}


def _sources() -> ItemSources:
    return ItemSources(current_user_id())


@api.get("/watchlist/<item_id>/sources", tags=TAGS,
         responses={200: ItemSourceList, **error_responses(404)})
def list_item_sources(path: ItemPath) -> Response:
    """The item's sources in the order they are tried (its own first)."""
    return json_response(_sources().list(path.item_id))


@api.post("/watchlist/<item_id>/sources", tags=TAGS,
          responses={201: ItemSource, **WRITE_RESPONSES})
def add_item_source(path: ItemPath, body: ItemSourceCreate) -> Response:
    """Add a backup source after the others."""
    return json_response(_sources().add(path.item_id, body), 201)


@api.put("/watchlist/<item_id>/sources", tags=TAGS,
         responses={200: ItemSourceList, **WRITE_RESPONSES})
def reorder_item_sources(path: ItemPath, body: ItemSourceOrder) -> Response:
    """Reorder the item's sources; the first becomes the item's own."""
    return json_response(_sources().reorder(path.item_id, body.order))


@api.delete("/watchlist/<item_id>/sources/<int:source_id>", tags=TAGS,
            responses={204: None, **error_responses(404, 409)})
def delete_item_source(path: ItemSourcePath) -> Response:
    """Remove one of the item's sources (never the last one)."""
    _sources().remove(path.item_id, path.source_id)
    return no_content()
