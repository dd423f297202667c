"""API endpoints: downloads (list, one, retry, cancel, clear, file) and one episode on demand
(SPEC §4)."""

from __future__ import annotations

from typing import Annotated

from flask import Response, current_app
from flask_openapi3 import Tag
from pydantic import BaseModel, Field, RootModel, StringConstraints

from webapp.api import api, current_user_id
from webapp.api.responses import json_response
from webapp.downloading import control
from webapp.downloading.files import clear_finished, completed_file, file_response
from webapp.downloading.serialize import download_to_dict, live_progress
from webapp.extensions import get_redis
from webapp.models import Download as DownloadRow
from webapp.schemas import (
    BODY_ERROR_RESPONSES,
    MAX_DB_INT,
    Download,
    DownloadStatus,
    EpisodeNumber,
    error_responses,
)
from webapp.schemas.activity import ClearDownloads, ClearedCount

TAGS = [Tag(name="downloads")]
ONE = {200: Download, **error_responses(404)}
ACTION = {**error_responses(404, 409)}
_BINARY = {"schema": {"type": "string", "format": "binary"}}
FILE = {200: {"description": "The episode's file.", "content": {"video/*": _BINARY}},
        206: {"description": "The part of the file a Range asked for.",
              "content": {"video/*": _BINARY}},
        **error_responses(404)}


class DownloadList(RootModel[list[Download]]):
    """The user's downloads, newest first."""


class DownloadQuery(BaseModel):
    """Filters of GET /api/downloads."""

    status: DownloadStatus | None = None
    item_id: Annotated[str, StringConstraints(max_length=64)] | None = None


class DownloadPath(BaseModel):
    """The download id in the path."""

    download_id: int = Field(ge=1, le=MAX_DB_INT)


class EpisodePath(BaseModel):
    """The item id and episode number in the path."""

    item_id: Annotated[str, StringConstraints(max_length=64)]
    n: EpisodeNumber


def _as_json(rows: list[DownloadRow], status: int = 200) -> Response:
    live = live_progress(get_redis(), rows)
    data = [download_to_dict(row, live.get(row.id)) for row in rows]
    return json_response(data, status)


def _one(row: DownloadRow, status: int = 200) -> Response:
    live = live_progress(get_redis(), [row])
    return json_response(download_to_dict(row, live.get(row.id)), status)


@api.get("/downloads", tags=TAGS, responses={200: DownloadList})
def list_downloads(query: DownloadQuery) -> Response:
    """The user's downloads, newest first, optionally by status and item."""
    return _as_json(control.list_downloads(current_user_id(), query.status, query.item_id))


@api.get("/downloads/<int:download_id>", tags=TAGS, responses=ONE)
def get_download(path: DownloadPath) -> Response:
    """One download, with live progress while it runs."""
    return _one(control.get_download(current_user_id(), path.download_id))


@api.post("/downloads/<int:download_id>/retry", tags=TAGS, responses={202: Download, **ACTION})
def retry_download(path: DownloadPath) -> Response:
    """Try a failed, cancelled or completed download again (409 while it is active)."""
    return _one(control.retry(current_user_id(), path.download_id), 202)


@api.post("/downloads/<int:download_id>/cancel", tags=TAGS, responses={200: Download, **ACTION})
def cancel_download(path: DownloadPath) -> Response:
    """Cancel a pending, queued or running download (its partial file is removed)."""
    return _one(control.cancel(current_user_id(), path.download_id))


@api.post("/watchlist/<item_id>/episodes/<n>/download", tags=TAGS,
          responses={202: Download, **ACTION})
def download_episode(path: EpisodePath) -> Response:
    """Download one episode now, or again (409 while it is pending, queued or running)."""
    return _one(control.request_episode(current_user_id(), path.item_id, path.n), 202)


@api.post("/downloads/clear", tags=TAGS, responses={200: ClearedCount, **BODY_ERROR_RESPONSES})
def clear_downloads(body: ClearDownloads) -> Response:
    """Hide finished downloads of these statuses from the list (files and activity stay)."""
    return json_response({"cleared": clear_finished(current_user_id(), body.status)})


@api.get("/downloads/<int:download_id>/file", tags=TAGS, responses=FILE)
def download_file(path: DownloadPath) -> Response:
    """The completed episode's file, with Range support; 404 for anything else."""
    found = completed_file(current_user_id(), path.download_id,
                           current_app.config["DOWNLOAD_DIR"])
    return file_response(found)
