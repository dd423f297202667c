"""Job: the library's update after files landed — metadata files, one media-server refresh."""

from __future__ import annotations

from typing import Any

from workers.context import app_job


@app_job
def library_update_job() -> dict[str, Any]:
    """Write the NFO files and posters of the episodes placed since the last run, then ask
    the configured media servers to rescan (webapp.library.updates)."""
    from webapp.library.updates import run_update

    return run_update()
