"""The scheduler tick job that the pool's clock enqueues every CRON_TICK_SECONDS.

Its modules are imported here, at import time: the pool parent preloads this module, so
a fresh check worker's first tick finds them loaded (and shared with its siblings).
"""

from __future__ import annotations

from typing import Any

from webapp.checking.tick import tick
from webapp.infra.housekeeping import housekeeping
from workers.context import app_job


@app_job
def run() -> dict[str, Any]:
    """Enqueue due checks, dispatch pending downloads, recover stalled ones, tidy up."""
    result = tick().as_dict()
    result.update(housekeeping())
    return result
