"""When a source's next episode is expected: written to the source by every check that reads it.

The site's own planning wins where it names the source (`prediction_source` "schedule");
else the weekly cadence of its episodes' `first_seen_at` ("history"); else nothing (both
columns None). The rules themselves are in `prediction.py`.

A provider's planning page (`has_schedule`) is read at most once every PLANNING_TTL for
the whole install: the parsed slots are kept in Redis, and when they have expired the one
check that takes the turn fetches the page while the others go on without it. A planning
that cannot be read is recorded in the site watch (`<provider>:planning`), tried again
after PLANNING_RETRY, and never fails a check: the history is the fallback.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

import redis
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from webapp.checking.prediction import Prediction, predict_from_schedule, predict_weekly
from webapp.checking.store import SourceState
from webapp.extensions import get_redis
from webapp.infra import keys
from webapp.infra.site_watch import PROVIDER
from webapp.models import SourceEpisode
from webapp.notifications.site_alerts import observe
from webapp.sites.http.errors import FetchError
from webapp.sites.types import LayoutChanged, ProviderError, ScheduledRelease

log = logging.getLogger(__name__)

PLANNING_TTL = timedelta(hours=3)       # how long a read planning is trusted
PLANNING_RETRY = timedelta(minutes=30)  # after a failed read, the next try
FETCH_TURN = timedelta(minutes=2)       # one check fetches; the others go without
HISTORY_EPISODES = 60                   # the newest first sightings the cadence is read from

# A site's planning: (source key, lang) -> its weekly slot.
Planning = dict[tuple[str, str], ScheduledRelease]


def planning_watch_name(provider_id: str) -> str:
    """The site-watch name of a provider's planning page."""
    return f"{provider_id}:planning"


def planning_of(registry: Any, client: Any, provider_id: str,
                conn: redis.Redis | None = None) -> Planning | None:
    """The provider's planning (from Redis, or fetched when it is this check's turn);
    None when the site has none or it cannot be had now. Never raises."""
    provider = registry.get(provider_id)
    if provider is None or not provider.has_schedule:
        return None
    try:
        conn = conn or get_redis()
        cached = conn.get(keys.site_planning(provider_id))
        if cached is not None:
            return _decode(cached)
        if not conn.set(keys.site_planning_turn(provider_id), "1", nx=True,
                        ex=int(FETCH_TURN.total_seconds())):
            return None
        return _refresh(conn, provider, client)
    except Exception:  # noqa: BLE001 - a planning must never fail a check
        log.exception("the planning of %s could not be read", provider_id)
        return None


def _decode(raw: bytes | str) -> Planning | None:
    slots = json.loads(raw)
    if slots is None:  # the last read failed; history until the retry
        return None
    releases = [ScheduledRelease(**slot) for slot in slots]
    return {(r.key, r.lang): r for r in releases}


def _refresh(conn: redis.Redis, provider: Any, client: Any) -> Planning | None:
    """Fetch and keep the provider's planning; on failure keep a short "failed" mark."""
    key, name = keys.site_planning(provider.id), planning_watch_name(provider.id)
    label = f"{provider.name} (planning page)"
    try:
        slots = provider.release_schedule(client)
    except (ProviderError, FetchError) as exc:
        return _failed(conn, key, name, label, exc)
    except Exception as exc:  # noqa: BLE001 - a parser crash is a layout change to report
        log.exception("the planning parser of %s crashed", provider.id)
        return _failed(conn, key, name, label, LayoutChanged(
            f"its planning parser failed ({type(exc).__name__}: {exc})."))
    observe(PROVIDER, name, label)
    conn.set(key, json.dumps([asdict(s) for s in slots]),
             ex=int(PLANNING_TTL.total_seconds()))
    return {(s.key, s.lang): s for s in slots}


def _failed(conn: redis.Redis, key: str, name: str, label: str,
            exc: BaseException) -> None:
    log.info("planning %s not read: %s", name, exc)
    observe(PROVIDER, name, label, exc)
    conn.set(key, json.dumps(None), ex=int(PLANNING_RETRY.total_seconds()))
    return None


def _naive_utc(moment: datetime) -> datetime:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


_FIRST_SEEN = (select(SourceEpisode.first_seen_at)
               .where(SourceEpisode.source_id == bindparam("source_id"))
               .order_by(SourceEpisode.first_seen_at.desc())
               .limit(HISTORY_EPISODES))


def predict(session: Session, source: SourceState, planning: Planning | None,
            new_seen: Iterable[datetime], now: datetime) -> Prediction | None:
    """The source's next release: its planning slot, else its weekly cadence (one query),
    counting the episodes this check found (`new_seen`) though they are not written yet."""
    now = _naive_utc(now)
    release = (planning or {}).get((source.url, source.lang))
    if release is not None:
        return predict_from_schedule(release, now)
    seen = [_naive_utc(t) for t in session.scalars(_FIRST_SEEN, {"source_id": source.id})]
    seen += [_naive_utc(t) for t in new_seen]
    return predict_weekly(seen, now)


def expected_values(session: Session, source: SourceState, planning: Planning | None,
                    new_seen: Iterable[datetime], now: datetime) -> dict[str, Any]:
    """The source row's `next_episode_expected_at` and `prediction_source` after a check."""
    prediction = predict(session, source, planning, new_seen, now)
    if prediction is None:
        return {"next_episode_expected_at": None, "prediction_source": None}
    return {"next_episode_expected_at": prediction.expected_at,
            "prediction_source": prediction.source}
