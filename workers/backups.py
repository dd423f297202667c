"""The job that writes the scheduled backup of every user's watchlist (sent by the tick)."""

from __future__ import annotations

from typing import Any

from workers.context import app_job


@app_job
def write_backup_job() -> dict[str, Any]:
    """Write one backup file into the instance folder and prune the old ones."""
    from webapp.watchlist.scheduled_backups import write_backup

    return write_backup()
