"""Job: run one download (claim, adopt or transfer, finish, dispatch the next)."""

from __future__ import annotations

from typing import Any

from workers.context import app_job


@app_job
def download_episode_job(download_id: int) -> dict[str, Any]:
    """Download one episode into the library; exits at once when its claim fails."""
    from webapp.downloading.job import run_download

    return run_download(download_id)
