"""`GET /api/stats/history` (SPEC §4): its query and the shape of its answer."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from webapp.schemas.base import QueryModel, ResponseModel


class StatsHistoryQuery(QueryModel):
    """How many UTC days to return, today included (1–365)."""

    days: int = Field(30, ge=1, le=365, description="UTC days, today included")


class StatsDay(ResponseModel):
    """One UTC day: downloads completed (and their bytes), failed, and the latency from an
    episode's first sight on the site to its file in the library (null without downloads)."""

    date: date
    downloads: int
    bytes: int
    failed: int
    latency_median_s: float | None
    latency_p90_s: float | None


class ProviderChecks(ResponseModel):
    """Checks of one provider's sources in the period, and how many failed."""

    checks: int
    failed: int


class HostDownloads(ResponseModel):
    """Downloads through one video host in the period: completed and failed."""

    downloads: int
    failed: int


class StatsHistory(ResponseModel):
    """The user's days (oldest first, every day included), checks per provider, downloads
    per video host, and the size of the user's completed downloads."""

    days: list[StatsDay]
    providers: dict[str, ProviderChecks]
    hosts: dict[str, HostDownloads]
    library_bytes: int
