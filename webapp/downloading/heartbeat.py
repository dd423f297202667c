"""The running job's pulse: a heartbeat key, the shared-transfer lock, and the cancel flag.

A daemon thread of the work-horse refreshes `heartbeat:download:<id>` and, once taken,
`transfer:source:<s>:episode:<n>` every quarter of the heartbeat period, and watches the
cancel flag. It dies with the process, so a killed worker's keys expire and the download
manager recovers the download.
"""

from __future__ import annotations

import logging
import threading

import redis

from webapp.infra import keys

log = logging.getLogger(__name__)

# Take the key when it is free or already ours (a resumed run of the same download).
_TAKE = """
local v = redis.call('GET', KEYS[1])
if (not v) or v == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
  return 1
end
return 0
"""
# Refresh (ARGV[2] > 0) or release (ARGV[2] == 0) the key only while it is ours.
_KEEP = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  if tonumber(ARGV[2]) > 0 then return redis.call('EXPIRE', KEYS[1], ARGV[2]) end
  return redis.call('DEL', KEYS[1])
end
return 0
"""
# Drop the key only if it still holds the value seen (a stale holder).
_DROP_IF = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class Heartbeat:
    """Keeps one running download's keys alive and notices when it is cancelled."""

    def __init__(self, conn: redis.Redis, download_id: int, ttl: float) -> None:
        self.conn = conn
        self.download_id = download_id
        self.ttl = max(int(ttl), 1)
        self.interval = max(ttl / 4, 0.2)
        self.cancelled = threading.Event()
        self.transfer_key: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name=f"heartbeat-{download_id}")

    def start(self) -> None:
        """Beat once now, then every `interval` seconds until `stop`."""
        self.beat()
        self._thread.start()

    def should_stop(self) -> bool:
        """The engines' stop check: true once the download was cancelled."""
        return self.cancelled.is_set()

    def beat(self) -> None:
        """Refresh the keys and read the cancel flag (a Redis error is only logged)."""
        me = str(self.download_id)
        try:
            self.conn.set(keys.download_heartbeat(self.download_id), "1", ex=self.ttl)
            if self.transfer_key:
                self.conn.eval(_KEEP, 1, self.transfer_key, me, self.ttl)
            if self.conn.exists(keys.download_cancel(self.download_id)):
                self.cancelled.set()
        except redis.RedisError as exc:
            log.warning("download %s: heartbeat not written: %s", self.download_id, exc)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.beat()

    def take_transfer(self, key: str) -> str | None:
        """Take the (source, episode) transfer; return None on success, else the holder id."""
        me = str(self.download_id)
        if self.conn.eval(_TAKE, 1, key, me, self.ttl):
            self.transfer_key = key
            return None
        holder = self.conn.get(key)
        return holder.decode() if holder is not None else ""

    def drop_stale(self, key: str, holder: str) -> None:
        """Remove a transfer key left by a download that no longer runs."""
        self.conn.eval(_DROP_IF, 1, key, holder)

    def stop(self) -> None:
        """Stop beating; delete the heartbeat and release the transfer key."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        try:
            self.conn.delete(keys.download_heartbeat(self.download_id))
            if self.transfer_key:
                self.conn.eval(_KEEP, 1, self.transfer_key, str(self.download_id), 0)
        except redis.RedisError as exc:
            log.warning("download %s: keys not released: %s", self.download_id, exc)
