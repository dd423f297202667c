"""API endpoints: batch add, bulk changes of selected items, and sharing of the watchlist."""

from __future__ import annotations

from typing import Any

from flask import Response, request, url_for
from flask_openapi3 import Tag
from pydantic import ValidationError

from webapp.api import api, current_user_id
from webapp.api.responses import json_response, no_content
from webapp.api.validation import details_from
from webapp.clock import isoformat
from webapp.errors import DomainError, Invalid
from webapp.schemas import (
    BODY_ERROR_RESPONSES,
    BatchCreate,
    BatchResult,
    BulkChange,
    BulkResult,
    ImportResult,
    ImportShared,
    ShareCreated,
    WatchlistItemCreate,
    WatchlistItemUpdate,
    error_responses,
)
from webapp.watchlist import bulk, sharing
from webapp.watchlist.listing import item_dict

LIST_TAGS = [Tag(name="watchlist")]
SHARE_TAGS = [Tag(name="sharing")]


def _entry(raw: Any) -> WatchlistItemCreate | DomainError:
    """One batch entry as a create body, or the 422 its body deserves."""
    try:
        return WatchlistItemCreate.model_validate(raw)
    except ValidationError as exc:
        return Invalid("Some fields are invalid.", details_from(exc))


def _outcome_json(uid: int, outcome: bulk.EntryOutcome) -> dict[str, Any]:
    result: dict[str, Any] = {"index": outcome.index, "status": outcome.status}
    if outcome.item is not None:
        result["item"] = item_dict(uid, outcome.item.id)
    elif outcome.error is not None:
        result["error"] = {"error": outcome.error.code, "message": outcome.error.message,
                           "details": outcome.error.details}
    return result


@api.post("/watchlist/batch", tags=LIST_TAGS,
          responses={200: BatchResult, **BODY_ERROR_RESPONSES})
def batch_create(body: BatchCreate) -> Response:
    """Add several anime: one result per entry (201, 409 or 422); a bad entry never
    blocks the others."""
    uid = current_user_id()
    outcomes = bulk.batch_create(uid, [_entry(raw) for raw in body.items])
    return json_response({"results": [_outcome_json(uid, o) for o in outcomes]})


@api.post("/watchlist/bulk", tags=LIST_TAGS,
          responses={200: BulkResult, **BODY_ERROR_RESPONSES, **error_responses(503)})
def bulk_change(body: BulkChange) -> Response:
    """Change, delete or check several of your items at once; other ids are skipped."""
    uid = current_user_id()
    if body.set is not None:
        changes = WatchlistItemUpdate.model_validate(body.set.changes())
        outcome = bulk.bulk_update(uid, body.ids, changes)
    else:
        outcome = bulk.bulk_action(uid, body.ids, body.action)
    return json_response({"updated": outcome.updated, "skipped": outcome.skipped})


@api.post("/share", tags=SHARE_TAGS, responses={201: ShareCreated})
def create_share() -> Response:
    """Publish a read-only link to your watchlist (a new one replaces the old)."""
    token, created_at = sharing.create_link(current_user_id())
    return json_response({"url": url_for("pages.shared_list", token=token, _external=True),
                          "created_at": isoformat(created_at)}, 201)


@api.delete("/share", tags=SHARE_TAGS, responses={204: None})
def delete_share() -> Response:
    """Revoke your shared link: it stops working at once."""
    sharing.revoke_link(current_user_id())
    return no_content()


@api.post("/watchlist/import-shared", tags=LIST_TAGS,
          responses={200: ImportResult, **BODY_ERROR_RESPONSES, **error_responses(404)})
def import_shared(body: ImportShared) -> Response:
    """Add a shared list of this install to your watchlist; anime you track are skipped."""
    token = sharing.token_from_url(body.url, request.url_root)
    created, skipped = sharing.import_shared(current_user_id(), token)
    return json_response({"created": created, "skipped": skipped})
