"""List imports: MyAnimeList XML, AniList by user name, shared lists; confirm the matches."""

from __future__ import annotations

from flask import Response, request
from flask_openapi3 import Tag

from webapp.api import api, current_user_id
from webapp.api.responses import json_response
from webapp.schemas import (
    BODY_ERROR_RESPONSES,
    AniListImport,
    ImportConfirm,
    ImportPath,
    ImportProposal,
    ImportResult,
    MalExport,
    error_responses,
)
from webapp.watchlist import imports

TAGS = [Tag(name="imports")]
PROPOSAL_RESPONSES = {201: ImportProposal, **BODY_ERROR_RESPONSES, **error_responses(503)}


@api.post("/imports/mal", tags=TAGS, responses=PROPOSAL_RESPONSES)
def import_mal(raw: MalExport) -> Response:
    """Match the anime of a MyAnimeList XML export (plain or gzipped) to the sites."""
    row = imports.import_mal(current_user_id(), request.get_data(cache=True))
    return json_response(imports.proposal_dict(row), 201)


@api.post("/imports/anilist", tags=TAGS, responses=PROPOSAL_RESPONSES)
def import_anilist(body: AniListImport) -> Response:
    """Match the anime an AniList user watches or plans to watch to the sites."""
    row = imports.import_anilist(current_user_id(), body.user)
    return json_response(imports.proposal_dict(row), 201)


@api.get("/imports/<import_id>", tags=TAGS,
         responses={200: ImportProposal, **error_responses(404)})
def get_import(path: ImportPath) -> Response:
    """A proposal, as it was answered when the list was imported."""
    return json_response(imports.proposal_dict(imports.get_import(current_user_id(),
                                                                  path.import_id)))


@api.post("/imports/<import_id>/confirm", tags=TAGS,
          responses={200: ImportResult, **BODY_ERROR_RESPONSES, **error_responses(404)})
def confirm_import(path: ImportPath, body: ImportConfirm) -> Response:
    """Add the accepted entries (with corrections); entries already on the list are skipped."""
    override = {int(k): v.model_dump() for k, v in body.override.items()}
    created, skipped = imports.confirm_import(current_user_id(), path.import_id, body.accept,
                                              override)
    return json_response({"created": created, "skipped": skipped})
