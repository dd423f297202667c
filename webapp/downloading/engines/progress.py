"""Live download progress in Redis: hash `progress:download:<id>`, throttled, with a TTL.

The engines call a `ProgressReporter` for every chunk; it writes at most `max_rate`
times a second (3 by default, so that with the first and the final write a transfer of
any length above a second stays under 5 writes a second; `finish` writes the last
figures). The hash expires `ttl` seconds after the last write, so a download whose
worker died shows no progress (stalled) and the download manager can recover it.

A Redis failure never fails a download (progress is a view, the database is the truth);
after a failure the reporter stays quiet for `pause_after_error` seconds, so a Redis
outage (whose client retries take seconds) does not slow the transfer down.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import redis

from webapp.infra import keys

log = logging.getLogger(__name__)

DEFAULT_TTL = 30
DEFAULT_MAX_RATE = 3.0


class ProgressReporter:
    """A throttled `(done, total, speed)` callback writing one download's progress hash."""

    def __init__(self, redis_client: redis.Redis, download_id: Any, player: str = "", *,
                 ttl: int = DEFAULT_TTL, max_rate: float = DEFAULT_MAX_RATE,
                 pause_after_error: float = 30.0, clock: Any = time.monotonic) -> None:
        self.redis = redis_client
        self.key = keys.download_progress(download_id)
        self.player = player
        self.ttl = ttl
        self.interval = 1.0 / max_rate
        self.clock = clock
        self.writes = 0
        self.failures = 0
        self.pause_after_error = pause_after_error
        self._quiet_until = 0.0
        self._last_write: float | None = None
        self._last: tuple[int, int | None, float] = (0, None, 0.0)
        self._written: tuple[int, int | None, float] | None = None

    def set_player(self, player: str) -> None:
        """Name the player being tried now (shown next to the progress bar)."""
        self.player = player
        self._write(*self._last)

    def __call__(self, done: int, total: int | None, speed: float) -> None:
        """Record the figures; write them if the last write is older than 1/max_rate s."""
        self._last = (done, total, speed)
        now = self.clock()
        if self._last_write is None or now - self._last_write >= self.interval:
            self._write(done, total, speed)

    def touch(self) -> None:
        """Keep the hash alive while nothing moves (resolving a player, waiting to retry)."""
        now = self.clock()
        if self._last_write is None or now - self._last_write >= self.interval:
            self._write(*self._last)

    def finish(self) -> None:
        """Write the last figures unthrottled (the bar ends where the transfer ended)."""
        if self._written != self._last:
            self._write(*self._last)

    def clear(self) -> None:
        """Remove the hash (the download is over; the database has the outcome)."""
        try:
            self.redis.delete(self.key)
        except redis.RedisError as exc:
            log.warning("could not clear %s: %s", self.key, exc)

    def _write(self, done: int, total: int | None, speed: float) -> None:
        self._last_write = self.clock()
        if self._last_write < self._quiet_until:
            return
        eta = ""
        if total and speed > 0 and total >= done:
            eta = str(int((total - done) / speed))
        mapping = {"bytes": int(done), "total": "" if total is None else int(total),
                   "speed": round(float(speed), 1), "eta": eta, "player": self.player or "",
                   "updated_at": f"{time.time():.3f}"}
        try:
            pipe = self.redis.pipeline(transaction=True)
            pipe.hset(self.key, mapping=mapping)
            pipe.expire(self.key, self.ttl)
            pipe.execute()
            self.writes += 1
            self._written = (done, total, speed)
        except redis.RedisError as exc:
            self.failures += 1
            self._quiet_until = self.clock() + self.pause_after_error
            log.warning("could not write progress %s (pausing progress updates for %ss): %s",
                        self.key, self.pause_after_error, exc)


def _num(value: bytes | str | None, kind: type) -> Any:
    if value in (None, b"", ""):
        return None
    try:
        return kind(float(value))
    except (TypeError, ValueError):
        return None


def read_progress(redis_client: redis.Redis, download_id: Any) -> dict | None:
    """The live figures of a download, or None when none are fresh (finished or stalled).

    Keys: bytes, total (None when unknown), speed (bytes/s), eta (s or None), player,
    updated_at (Unix time), percent (None when the total is unknown).
    """
    raw = redis_client.hgetall(keys.download_progress(download_id))
    if not raw:
        return None
    data = {(k.decode() if isinstance(k, bytes) else k): v for k, v in raw.items()}
    player = data.get("player") or b""
    result = {
        "bytes": _num(data.get("bytes"), int) or 0,
        "total": _num(data.get("total"), int),
        "speed": _num(data.get("speed"), float) or 0.0,
        "eta": _num(data.get("eta"), int),
        "player": player.decode() if isinstance(player, bytes) else player,
        "updated_at": _num(data.get("updated_at"), float),
    }
    total = result["total"]
    result["percent"] = round(100 * result["bytes"] / total, 1) if total else None
    return result
