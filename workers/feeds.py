"""The job that reads a site's page of recently added episodes (fast detection)."""

from __future__ import annotations

from typing import Any

from workers.context import app_job


@app_job
def follow_site_feed_job(provider_id: str) -> dict[str, Any]:
    """Read the site's recently added page; check the watched sources it names."""
    from webapp.checking.site_feed import follow_site_feed

    return follow_site_feed(provider_id)
