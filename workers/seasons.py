"""The job that reads an anime page (hub) for new seasons and acts on what it found."""

from __future__ import annotations

from typing import Any

from workers.context import app_job


@app_job
def read_hub_job(hub_id: int) -> dict[str, Any]:
    """Read the hub; tell or add its new seasons by each following item's setting."""
    from webapp.watchlist.new_seasons import follow_hub

    return follow_hub(hub_id)
