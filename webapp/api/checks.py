"""API endpoints: check an item now, check all, a check job's state, an item's episodes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Response
from flask_openapi3 import Tag
from pydantic import BaseModel, ConfigDict, Field, RootModel
from redis.exceptions import RedisError

from webapp.api import api, current_user_id
from webapp.api.responses import json_response
from webapp.checking import enqueue as checks
from webapp.checking.status import job_view, wait_for_job
from webapp.errors import NotFound, ServiceUnavailable
from webapp.extensions import get_redis
from webapp.schemas import AutoDownloadResult, Download, ItemPath, error_responses
from webapp.watchlist.episodes import episode_states
from webapp.watchlist.manager import WatchlistManager

TAGS = [Tag(name="checks")]
MAX_WAIT_SECONDS = 30


class WaitQuery(BaseModel):
    """`?wait=N`: wait up to N seconds (at most 30) for the check's result."""

    model_config = ConfigDict(extra="ignore")
    wait: int | None = Field(default=None, ge=0, le=MAX_WAIT_SECONDS)


class ForceQuery(BaseModel):
    """`?force=true`: check every checkable item, not only the due ones."""

    model_config = ConfigDict(extra="ignore")
    force: bool = False


class JobPath(BaseModel):
    """The job id in the path."""

    job_id: str = Field(max_length=100)


class CheckQueued(BaseModel):
    """The check job was queued (or had not finished when the wait ran out)."""

    job_id: str
    status: str


class ChecksQueued(BaseModel):
    """How many check jobs were queued, and their ids."""

    queued: int
    job_ids: list[str]


class CheckJob(BaseModel):
    """A check job of the user: its state and, once finished, its result."""

    id: str
    status: str
    result: AutoDownloadResult | None
    error: str | None


class EpisodeState(BaseModel):
    """An episode the item's sources list, with this item's download of it."""

    number: float
    title: str | None
    first_seen_at: str
    source_id: int = Field(description="The first of the item's sources (own, then backups "
                                       "in order) that lists the episode.")
    download: Download | None


class EpisodeStateList(RootModel[list[EpisodeState]]):
    """Every episode the item's sources list, each once, in episode order."""


@contextmanager
def _redis_needed() -> Iterator[None]:
    try:
        yield
    except RedisError:
        raise ServiceUnavailable("Checks need Redis, which does not answer right now; "
                                 "try again in a moment.") from None


@api.post("/watchlist/<item_id>/check", tags=TAGS, responses={
    200: AutoDownloadResult, 202: CheckQueued, **error_responses(404, 503)})
def check_item(path: ItemPath, query: WaitQuery) -> Response:
    """Check this item now (even if paused); ?wait=N waits up to N s for the result."""
    uid = current_user_id()
    item = WatchlistManager(uid).get_item(path.item_id)
    with _redis_needed():
        job_id = checks.enqueue_item_checks(uid, [(item.id, item.source_id)])[0]
        view = wait_for_job(job_id, uid, query.wait) if query.wait else None
    if view and view["status"] == "finished" and view["result"] is not None:
        return json_response(view["result"])
    return json_response({"job_id": job_id, "status": view["status"] if view else "queued"},
                         202)


@api.post("/watchlist/check-all", tags=TAGS,
          responses={202: ChecksQueued, **error_responses(503)})
def check_all(query: ForceQuery) -> Response:
    """Check the user's due items now (?force=true: every checkable item)."""
    uid = current_user_id()
    items = checks.items_to_check(uid, force=query.force)
    with _redis_needed():
        job_ids = checks.enqueue_item_checks(uid, items)
    return json_response({"queued": len(job_ids), "job_ids": job_ids}, 202)


@api.get("/jobs/<job_id>", tags=TAGS, responses={200: CheckJob, **error_responses(404, 503)})
def get_job(path: JobPath) -> Response:
    """State and result of a check job this user started (readable for 24 h)."""
    with _redis_needed():
        view = job_view(path.job_id, current_user_id())
    if view is None:
        raise NotFound("job")
    return json_response(view)


@api.get("/watchlist/<item_id>/episodes", tags=TAGS,
         responses={200: EpisodeStateList, **error_responses(404)})
def list_episodes(path: ItemPath) -> Response:
    """Every episode the source lists, each with this item's download (or null)."""
    item = WatchlistManager(current_user_id()).get_item(path.item_id)
    return json_response(episode_states(item, get_redis()))
