"""Site watch: each provider's and video host's last good parse, last failure and why.

Checks record what their provider did with a source, downloads what each player's host
did with an embed page. The picture lives in Redis (one hash per site, see
`keys.site_watch`): it is a live view that may be lost, and writing it never holds up
a check — a Redis that does not answer only costs the record.

A layout change (the page answered but lacks what the parser needs) marks the site
broken; `record_failure` says True only for the first mark since the site last parsed,
so that the caller alerts the admins once until it recovers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import redis

from webapp.clock import isoformat, utcnow
from webapp.infra import keys

log = logging.getLogger(__name__)

PROVIDER = "provider"
HOST = "host"
REASON_MAX = 500


@dataclass(frozen=True)
class SiteState:
    """What the watch knows of one provider or host (the admin health page shows it)."""

    kind: str
    name: str
    label: str
    last_ok_at: str | None = None
    last_failure_at: str | None = None
    last_reason: str | None = None
    broken_since: str | None = None


def record_success(conn: redis.Redis, kind: str, name: str,
                   now: datetime | None = None) -> None:
    """The site parsed: note when, and clear its broken mark."""
    key = keys.site_watch(kind, name)
    try:
        pipe = conn.pipeline()
        pipe.hset(key, "last_ok_at", isoformat(now or utcnow()))
        pipe.hdel(key, "broken_since")
        pipe.execute()
    except redis.RedisError as exc:
        log.debug("site watch: %s %s not recorded (%s)", kind, name, exc)


def record_failure(conn: redis.Redis, kind: str, name: str, reason: str, *,
                   layout_changed: bool, now: datetime | None = None) -> bool:
    """Note a failure and its reason; True when this layout change newly breaks the site."""
    key = keys.site_watch(kind, name)
    stamp = isoformat(now or utcnow())
    try:
        pipe = conn.pipeline()
        pipe.hset(key, mapping={"last_failure_at": stamp, "last_reason": reason[:REASON_MAX]})
        if layout_changed:
            pipe.hsetnx(key, "broken_since", stamp)
        results = pipe.execute()
    except redis.RedisError as exc:
        log.debug("site watch: %s %s failure not recorded (%s)", kind, name, exc)
        return False
    return bool(layout_changed and results[-1])


def snapshot(conn: redis.Redis, sites: list[tuple[str, str, str]]) -> list[SiteState]:
    """The state of each (kind, name, label) site, in the given order (blank on errors)."""
    try:
        pipe = conn.pipeline()
        for kind, name, _label in sites:
            pipe.hgetall(keys.site_watch(kind, name))
        rows = pipe.execute()
    except redis.RedisError:
        rows = [{} for _ in sites]
    states = []
    for (kind, name, label), row in zip(sites, rows, strict=True):
        text = {k.decode() if isinstance(k, bytes) else k: v.decode() if isinstance(v, bytes)
                else v for k, v in (row or {}).items()}
        states.append(SiteState(kind=kind, name=name, label=label,
                                last_ok_at=text.get("last_ok_at"),
                                last_failure_at=text.get("last_failure_at"),
                                last_reason=text.get("last_reason"),
                                broken_since=text.get("broken_since")))
    return states
