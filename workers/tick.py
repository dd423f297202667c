"""The scheduler tick job that `rq cron` enqueues every CRON_TICK_SECONDS."""

from __future__ import annotations

from typing import Any

from workers.context import app_job


@app_job
def run() -> dict[str, Any]:
    """Enqueue due checks, dispatch pending downloads, recover stalled ones, tidy up."""
    from webapp.checking.tick import tick
    from webapp.infra.housekeeping import housekeeping

    result = tick().as_dict()
    result.update(housekeeping())
    return result
