"""Recovery: downloads whose worker died are re-queued to resume; orphans are tidied up.

A running download's job refreshes `heartbeat:download:<id>` every quarter of its period.
When it has expired the worker is gone (killed, OOM, machine restarted) — or Redis lost
its keys (a restart, an outage) while the worker goes on. So a missing heartbeat is first
only noted (`download:suspect:<id>`), and the download is recovered at a later tick if the
heartbeat is still missing half a period after that: a live worker has rewritten it by
then, a dead one has not. Recovery deletes the dead RQ job first, so RQ's own
abandoned-job handling can never start a second run, then the row goes back to queued
and a new job resumes from the part file. Queued rows whose job
vanished (Redis flushed or restarted) are enqueued again, and part files of downloads
that are no longer active are removed.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import redis
from flask import current_app
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import or_, select, update

from webapp.clock import utcnow
from webapp.downloading import settings as dm
from webapp.downloading.dispatch import _locked, delete_job, enqueue_download
from webapp.extensions import db, get_redis
from webapp.infra import keys
from webapp.models import ACTIVE_DOWNLOAD_STATUSES, Download

log = logging.getLogger(__name__)
PART_NAME_RE = re.compile(r"^(\d{1,9})\.(?:part|hls)")
ENDED_JOB_STATES = (JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED,
                    JobStatus.CANCELED)


def _silent_long_enough(conn: redis.Redis, download_id: int, ttl: float) -> bool:
    """Whether the download's heartbeat was already missing half a period ago (noting
    the first time it is found missing)."""
    key = keys.download_suspect(download_id)
    now = utcnow().timestamp()
    if conn.set(key, str(now), nx=True, ex=max(int(ttl * 4), 1)):
        return False
    noted = conn.get(key)
    try:
        since = float(noted.decode() if isinstance(noted, bytes) else noted)
    except (TypeError, ValueError):
        return False
    return now - since >= ttl / 2


def _requeue_dead(conn: redis.Redis) -> int:
    ttl = float(dm.setting(current_app.config, "DOWNLOAD_HEARTBEAT_SECONDS"))
    cutoff = utcnow() - timedelta(seconds=ttl)
    rows = db.session.scalars(
        select(Download.id).where(
            Download.status == "running",
            or_(Download.started_at.is_(None), Download.started_at <= cutoff))).all()
    db.session.commit()
    recovered = 0
    for download_id in rows:
        if conn.exists(keys.download_heartbeat(download_id)):
            conn.delete(keys.download_suspect(download_id))
            continue
        if not _silent_long_enough(conn, download_id, ttl):
            continue
        conn.delete(keys.download_suspect(download_id))
        delete_job(conn, download_id)
        result = db.session.execute(
            update(Download).where(Download.id == download_id, Download.status == "running")
            .values(status="queued").execution_options(synchronize_session=False))
        db.session.commit()
        if result.rowcount == 1:
            log.warning("download %s: its worker stopped answering; resuming it", download_id)
            enqueue_download(conn, download_id)
            recovered += 1
    return recovered


def _requeue_orphans(conn: redis.Redis) -> int:
    rows = db.session.scalars(select(Download.id).where(Download.status == "queued")).all()
    db.session.commit()
    recovered = 0
    for download_id in rows:
        try:
            status = Job.fetch(dm.job_id(download_id), connection=conn).get_status()
        except NoSuchJobError:
            status = None
        if status is None or status in ENDED_JOB_STATES:
            enqueue_download(conn, download_id)
            recovered += 1
    return recovered


def prune_part_files() -> int:
    """Remove part files of downloads that are not pending, queued or running."""
    directory = dm.partial_dir(current_app.config)
    if not directory.is_dir():
        return 0
    found = {int(m.group(1)) for m in map(PART_NAME_RE.match,
                                          (p.name for p in directory.iterdir())) if m}
    if not found:
        return 0
    active = set(db.session.scalars(
        select(Download.id).where(Download.id.in_(list(found)),
                                  Download.status.in_(ACTIVE_DOWNLOAD_STATUSES))))
    db.session.commit()
    stale = [download_id for download_id in found if download_id not in active]
    for download_id in stale:
        dm.remove_parts(current_app.config, download_id)
    return len(stale)


def recover_stalled() -> int:
    """Re-queue downloads whose worker died or whose job vanished; return how many."""
    conn = get_redis()
    try:
        with _locked(conn):
            recovered = _requeue_dead(conn) + _requeue_orphans(conn)
    except redis.RedisError as exc:
        db.session.rollback()
        log.warning("stalled downloads not checked (Redis: %s)", exc)
        return 0
    try:
        prune_part_files()
    except OSError as exc:
        log.warning("part files not tidied: %s", exc)
    return recovered
