"""Per-host request pacing shared by every process through Redis.

Each request reserves the next free time slot of its host: a Redis key holds when the
host's next slot starts, and a Lua script (atomic, on Redis' own clock) hands out
`max(next, now)` and pushes `next` one interval further. Callers sleep until their slot,
so N concurrent requests to one host are spread `1/rate` seconds apart instead of
bursting. Without Redis (or while it is down) an in-process limiter does the same for the
threads of this process.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import redis

log = logging.getLogger(__name__)

KEY_PREFIX = "ratelimit:host:"
REDIS_RETRY_AFTER_SECONDS = 15.0  # after a Redis failure, pace in-process this long

# KEYS[1] host key; ARGV[1] interval (s); ARGV[2] earliest start from now (s).
# Returns the seconds to wait before the reserved slot, as a string (floats survive).
RESERVE_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(nxt, now + tonumber(ARGV[2]))
local after = slot + tonumber(ARGV[1])
redis.call('SET', KEYS[1], string.format('%.6f', after),
           'PX', math.ceil((after - now) * 1000) + 1000)
return string.format('%.6f', slot - now)
"""


class HostRateLimiter:
    """Spread requests to each host `1/rate` seconds apart, across processes via Redis."""

    def __init__(self, redis_client: redis.Redis | None = None, rate_per_host: float = 1.0,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.redis = redis_client
        self.interval = 1.0 / rate_per_host if rate_per_host > 0 else 0.0
        self._sleep = sleep
        self._script = redis_client.register_script(RESERVE_SCRIPT) if redis_client else None
        self._lock = threading.Lock()
        self._local_next: dict[str, float] = {}
        self._redis_down_until = 0.0

    def _reserve(self, host: str, interval: float, delay: float) -> float:
        if self._script is not None and time.monotonic() >= self._redis_down_until:
            try:
                return float(self._script(keys=[KEY_PREFIX + host], args=[interval, delay]))
            except redis.RedisError as exc:
                self._redis_down_until = time.monotonic() + REDIS_RETRY_AFTER_SECONDS
                log.warning("rate limit through Redis failed (%s); pacing in-process for "
                            "%.0f s", exc, REDIS_RETRY_AFTER_SECONDS)
        with self._lock:
            now = time.monotonic()
            slot = max(self._local_next.get(host, 0.0), now + delay)
            self._local_next[host] = slot + interval
            return slot - now

    def wait(self, host: str) -> float:
        """Reserve the host's next slot and sleep until it; return the seconds waited."""
        if self.interval <= 0:
            return 0.0
        wait = self._reserve(host.lower(), self.interval, 0.0)
        if wait > 0:
            self._sleep(wait)
        return max(wait, 0.0)

    def defer(self, host: str, seconds: float) -> None:
        """Keep every process off `host` for `seconds` (after a 429/503 Retry-After)."""
        if seconds > 0:
            self._reserve(host.lower(), 0.0, seconds)
