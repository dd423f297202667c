"""The tick's schedule: one tick job on `checks` every CRON_TICK_SECONDS.

`workers/clock.py` (the pool's scheduler) registers `TICK` with its CronScheduler; this
module also registers it with `rq.cron` so that `rq cron workers/cron.py --url
$REDIS_URL` still works. The tick is idempotent (see webapp.checking.tick), so a second
scheduler does no harm.
"""

from typing import Any

from rq.cron import register

from webapp.config import cron_tick_seconds
from workers.tick import run

TICK_SECONDS = cron_tick_seconds()

TICK: dict[str, Any] = {
    "queue_name": "checks",
    "interval": TICK_SECONDS,
    "job_timeout": max(TICK_SECONDS * 5, 300),
    "result_ttl": 600,
    "failure_ttl": 86400,
    "name": "tick",
}

register(run, **TICK)
