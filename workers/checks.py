"""Check jobs (queue `checks`): thin wrappers around `webapp.checking`."""

from __future__ import annotations

from rq import get_current_job

from webapp.checking.runs import run_item_check, run_source_check
from workers.context import app_job


@app_job
def check_source_job(source_id: int, requested_at: float | None = None) -> dict:
    """Check one source once for every item on it (a scheduled round)."""
    if requested_at is None:
        job = get_current_job()
        if job is not None and job.enqueued_at is not None:
            requested_at = job.enqueued_at.timestamp()
    return run_source_check(source_id, requested_at)


@app_job
def check_item_job(item_id: str, requested_at: float | None = None) -> dict:
    """Check one item now for its owner (even if paused); its AutoDownloadResult."""
    return run_item_check(item_id, requested_at)
