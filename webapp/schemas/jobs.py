"""Check results and downloads, as the endpoints of those parts answer them."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from webapp.schemas.base import DownloadStatus, ResponseModel


class AutoDownloadResult(ResponseModel):
    """The result of one item's check."""

    item_id: str
    anime_title: str
    checked_at: datetime
    episodes_available: float | None
    new_episodes: list[float]
    downloads_queued: list[float]
    error: str | None


class Download(ResponseModel):
    """One episode of one item being fetched into the library."""

    id: int
    item_id: str
    anime_title: str
    episode: float
    status: DownloadStatus
    attempts: int
    error: str | None
    player: str | None
    bytes_done: int
    bytes_total: int | None
    speed_bps: float | None
    eta_seconds: float | None
    path: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    resolution: int | None = Field(
        None, description="Height in lines of the video downloaded (e.g. 1080), when known.")
