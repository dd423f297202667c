"""Reading a check job for its owner: status, result and error in the API's terms."""

from __future__ import annotations

import re
import time
from typing import Any

from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from webapp.extensions import get_redis

JOB_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,100}$")
POLL_SECONDS = 0.1
API_STATUS = {
    JobStatus.QUEUED: "queued", JobStatus.DEFERRED: "queued", JobStatus.SCHEDULED: "queued",
    JobStatus.CREATED: "queued", JobStatus.STARTED: "started",
    JobStatus.FINISHED: "finished", JobStatus.FAILED: "failed",
    JobStatus.CANCELED: "failed", JobStatus.STOPPED: "failed",
}
DEFAULT_ERROR = "The check stopped unexpectedly; the details are in the worker log."


def _owned_job(job_id: str, user_id: int) -> Job | None:
    if not JOB_ID_RE.match(job_id or ""):
        return None
    try:
        job = Job.fetch(job_id, connection=get_redis())
    except NoSuchJobError:
        return None
    if job.meta.get("user_id") != user_id:
        return None
    return job


def job_view(job_id: str, user_id: int) -> dict[str, Any] | None:
    """`{"id", "status", "result", "error"}` of the user's own job, else None."""
    job = _owned_job(job_id, user_id)
    if job is None:
        return None
    status = API_STATUS.get(job.get_status(refresh=False), "queued")
    result = job.return_value() if status == "finished" else None
    error = None
    if status == "failed":
        error = job.meta.get("error") or DEFAULT_ERROR
    return {"id": job.id, "status": status, "result": result, "error": error}


def wait_for_job(job_id: str, user_id: int, seconds: float) -> dict[str, Any] | None:
    """Wait up to `seconds` for the user's job to end; its view then (or as it stands)."""
    job = _owned_job(job_id, user_id)
    if job is None:
        return None
    r = get_redis()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        raw = r.hget(job.key, "status")
        if raw is None or API_STATUS.get(JobStatus(raw.decode()), "") in {"finished", "failed"}:
            break
        time.sleep(POLL_SECONDS)
    return job_view(job_id, user_id)
