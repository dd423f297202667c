"""Failed-login counting per client address in Redis, with a one-minute window."""

from __future__ import annotations

import logging

import redis
from flask import current_app

from webapp.extensions import get_redis
from webapp.infra import keys

log = logging.getLogger(__name__)
WINDOW_SECONDS = 60


def _key(address: str) -> str:
    return keys.LOGIN_FAILURES_PREFIX + address


def login_blocked(address: str) -> int:
    """Seconds until `address` may try again (0 when it may); fails open when Redis is down."""
    limit = current_app.config.get("LOGIN_ATTEMPTS_PER_MINUTE", 10)
    try:
        conn = get_redis()
        pipe = conn.pipeline()
        pipe.get(_key(address))
        pipe.ttl(_key(address))
        count, ttl = pipe.execute()
    except redis.RedisError as exc:
        log.warning("login rate limit not enforced: Redis is unreachable (%s)", exc)
        return 0
    if count is None or int(count) < limit:
        return 0
    return max(int(ttl), 1)


def record_failed_login(address: str) -> None:
    """Count one failed login for `address` (the window starts at the first failure)."""
    try:
        pipe = get_redis().pipeline()
        pipe.incr(_key(address))
        pipe.expire(_key(address), WINDOW_SECONDS, nx=True)
        pipe.execute()
    except redis.RedisError as exc:
        log.warning("failed login not counted: Redis is unreachable (%s)", exc)
