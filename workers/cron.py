"""`rq cron workers/cron.py --url $REDIS_URL`: one tick job every CRON_TICK_SECONDS.

Run exactly one of these processes; the tick is idempotent anyway (see webapp.checking.tick).
"""

from rq.cron import register

from webapp.config import cron_tick_seconds
from workers.tick import run

TICK_SECONDS = cron_tick_seconds()

register(
    run,
    queue_name="checks",
    interval=TICK_SECONDS,
    job_timeout=max(TICK_SECONDS * 5, 300),
    result_ttl=600,
    failure_ttl=86400,
    name="tick",
)
