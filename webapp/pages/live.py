"""Live state the pages read from Redis (checks running, download progress), failing soft.

Pages render from the database; Redis only adds live figures, so when it does not answer
the page still renders (with a warning) instead of failing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import redis
from flask import g

from webapp.extensions import get_redis
from webapp.infra import keys

log = logging.getLogger(__name__)


def redis_available() -> bool:
    """Whether Redis answers a ping (asked once per request)."""
    if "redis_up" not in g:
        try:
            g.redis_up = bool(get_redis().ping())
        except redis.RedisError as exc:
            log.warning("Redis does not answer: %s", exc)
            g.redis_up = False
    return g.redis_up


def checking_sources(source_ids: Iterable[int]) -> set[int]:
    """The sources among `source_ids` whose check is running now (empty when Redis is down)."""
    ids = list(dict.fromkeys(source_ids))
    if not ids or g.get("redis_up") is False:
        return set()
    try:
        pipe = get_redis().pipeline(transaction=False)
        for source_id in ids:
            pipe.exists(keys.check_lock(source_id))
        found = pipe.execute()
    except redis.RedisError as exc:
        log.warning("cannot read running checks: %s", exc)
        g.redis_up = False
        return set()
    return {source_id for source_id, exists in zip(ids, found, strict=True) if exists}


def live_redis() -> redis.Redis | None:
    """The Redis client when it answers (for live figures), else None."""
    return get_redis() if redis_available() else None
