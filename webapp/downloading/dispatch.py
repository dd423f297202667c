"""Dispatch: pending downloads become queued RQ jobs under the per-user and global limits.

Dispatch and recovery run under one Redis lock, so two dispatchers (a check finishing,
a download ending, the tick) never see the same free slot; each row is also claimed with
a conditional UPDATE (`pending` → `queued`), so nothing is queued twice even without it.
A download whose (source, episode) is already queued or running elsewhere stays pending:
it waits for that transfer and then adopts its file.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import redis
from flask import current_app
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import select, update

from webapp.clock import utcnow
from webapp.downloading import settings as dm
from webapp.downloading.history import record_queued
from webapp.extensions import db, get_queue, get_redis
from webapp.infra import keys
from webapp.models import Download, UserSettings
from webapp.models.user import SETTING_DEFAULTS

log = logging.getLogger(__name__)

ACTIVE = ("queued", "running")
WAITING_JOB_STATES = (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED)
DEFAULT_USER_LIMIT = SETTING_DEFAULTS["max_concurrent_auto_downloads"]
PENDING_SCAN_LIMIT = 2000
LOCK_SECONDS = 60
LOCK_WAIT_SECONDS = 30


def retry_due(attempts: int, last_attempt_at: datetime | None, now: datetime,
              intervals: tuple[float, ...]) -> bool:
    """Whether a pending download that failed `attempts` times may be tried again now."""
    if not attempts or last_attempt_at is None or not intervals:
        return True
    wait = intervals[min(attempts, len(intervals)) - 1]
    return last_attempt_at + timedelta(seconds=wait) <= now


def enqueue_download(conn: redis.Redis, download_id: int) -> None:
    """Enqueue the job `download-<id>` unless it is already waiting in the queue."""
    jid = dm.job_id(download_id)
    try:
        old = Job.fetch(jid, connection=conn)
    except NoSuchJobError:
        old = None
    if old is not None:
        if old.get_status(refresh=False) in WAITING_JOB_STATES:
            return
        old.delete()
    config = current_app.config
    get_queue(dm.QUEUE, conn).enqueue(
        dm.JOB_PATH, download_id, job_id=jid,
        job_timeout=int(dm.setting(config, "DOWNLOAD_JOB_TIMEOUT")),
        result_ttl=3600, failure_ttl=7 * 86400,
        description=f"download {download_id}")


def delete_job(conn: redis.Redis, download_id: int) -> None:
    """Delete a download's RQ job (queued, scheduled, or abandoned by a dead worker)."""
    try:
        Job.fetch(dm.job_id(download_id), connection=conn).delete()
    except NoSuchJobError:
        pass


def _user_limits(user_ids: set[int]) -> dict[int, int]:
    if not user_ids:
        return {}
    rows = db.session.execute(
        select(UserSettings.user_id, UserSettings.max_concurrent_auto_downloads)
        .where(UserSettings.user_id.in_(user_ids)))
    return {uid: limit for uid, limit in rows}


def _claim_pending(now: datetime) -> list[int]:
    """In one transaction: count what runs, then move the next pending rows to queued."""
    config = current_app.config
    global_limit = int(config["MAX_PARALLEL_DOWNLOADS"])
    intervals = dm.setting(config, "DOWNLOAD_RETRY_INTERVALS")
    active = db.session.execute(
        select(Download.user_id, Download.source_id, Download.episode)
        .where(Download.status.in_(ACTIVE))).all()
    if len(active) >= global_limit:
        db.session.rollback()
        return []
    per_user = Counter(row.user_id for row in active)
    busy = {(row.source_id, row.episode) for row in active}
    pending = db.session.execute(
        select(Download.id, Download.user_id, Download.source_id, Download.episode,
               Download.attempts, Download.finished_at)
        .where(Download.status == "pending")
        .order_by(Download.created_at, Download.episode, Download.id)
        .limit(PENDING_SCAN_LIMIT)).all()
    limits = _user_limits({row.user_id for row in pending})
    claimed: list[int] = []
    for row in pending:
        if len(active) + len(claimed) >= global_limit:
            break
        if (row.source_id, row.episode) in busy:
            continue
        if per_user[row.user_id] >= limits.get(row.user_id, DEFAULT_USER_LIMIT):
            continue
        if not retry_due(row.attempts, row.finished_at, now, intervals):
            continue
        result = db.session.execute(
            update(Download).where(Download.id == row.id, Download.status == "pending")
            .values(status="queued").execution_options(synchronize_session=False))
        if result.rowcount == 1:
            claimed.append(row.id)
            per_user[row.user_id] += 1
            busy.add((row.source_id, row.episode))
    record_queued(claimed)  # the owners' activity, in the claim's transaction
    db.session.commit()
    return claimed


def _unqueue(download_id: int) -> None:
    db.session.execute(
        update(Download).where(Download.id == download_id, Download.status == "queued")
        .values(status="pending").execution_options(synchronize_session=False))
    db.session.commit()


def _locked(conn: redis.Redis) -> Any:
    return conn.lock(keys.DISPATCH_LOCK, timeout=LOCK_SECONDS,
                     blocking_timeout=LOCK_WAIT_SECONDS)


def dispatch_pending() -> int:
    """Queue the oldest pending downloads (episode order) that fit the limits; return how many.

    Safe to call from anywhere at any time. When Redis does not answer, nothing changes:
    the rows stay pending and a later call dispatches them.
    """
    conn = get_redis()
    try:
        with _locked(conn):
            claimed = _claim_pending(utcnow())
            for position, download_id in enumerate(claimed):
                try:
                    enqueue_download(conn, download_id)
                except redis.RedisError:
                    for rest in claimed[position:]:
                        _unqueue(rest)
                    raise
            return len(claimed)
    except redis.RedisError as exc:
        db.session.rollback()
        log.warning("downloads not dispatched (Redis: %s); they stay pending", exc)
        return 0
