"""Enqueueing checks on the `checks` queue: one job per source per round, own ids for manual ones.

Scheduled rounds enqueue `check-source-<id>` (unique: a queued or running one is joined; a
finished or failed one is replaced). A manual check (one item, or "check all") gets a job
of its own, `check-<hex>`, whose owner is kept in the job's meta, readable 24 h; it reuses
a check of the same source that finishes after it was asked for instead of fetching again.

Redis keys (see `webapp.checking.runs`): `check:source:<id>` is held while a check of the
source runs; `check:manual:<id>` lists items a manual check asked for, so whichever
check of the source runs next counts for them; `check:run:<id>` keeps the last check's
results for a while so jobs asked for meanwhile can answer from it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from rq import Queue, Retry
from rq.exceptions import DuplicateJobError, NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import or_, select

from webapp.checking.runs import mark_manual, redis_now
from webapp.clock import precise_utcnow
from webapp.extensions import db, get_queue, get_redis
from webapp.infra import keys
from webapp.models import ItemSource, UserSettings, WatchlistItem

CHECK_QUEUE = "checks"
SOURCE_JOB = "workers.checks.check_source_job"
ITEM_JOB = "workers.checks.check_item_job"
JOB_TTL = 24 * 3600                 # finished/failed job records stay readable for 24 h
SOURCE_RESULT_TTL = 600             # a round's finished job: gone before the next round
CHECK_JOB_TIMEOUT = 600
SOURCE_RETRY = Retry(max=2, interval=[60, 300])   # only for crashes (database down...)
DONE_STATUSES = {JobStatus.FINISHED, JobStatus.FAILED, JobStatus.CANCELED, JobStatus.STOPPED}


def source_job_id(source_id: int) -> str:
    """The one job id a scheduled check of this source has."""
    return f"check-source-{int(source_id)}"


def _enqueue_source_job(queue: Queue, source_id: int) -> bool:
    """Enqueue the source's job unless its id is taken; whether it was enqueued."""
    try:
        queue.enqueue_call(
            SOURCE_JOB, args=(int(source_id),), job_id=source_job_id(source_id),
            unique=True, timeout=CHECK_JOB_TIMEOUT, result_ttl=SOURCE_RESULT_TTL,
            failure_ttl=JOB_TTL, retry=SOURCE_RETRY, description=f"check source {source_id}")
    except DuplicateJobError:
        return False
    return True


def enqueue_source_check(source_id: int) -> str:
    """Enqueue the round's check of a source, or join the one queued or running.

    One round trip when no job of the source is left; a finished or failed one is
    replaced under a short lock, so two rounds at once still leave one job.

    The second guard (RQ's unique job id). What it saves: when the tick's claim
    expired before the check ran (a queue backlog over CLAIM_LEASE, a check stuck on a
    slow site) the next claim joins the job instead of adding a second one. Free on the
    usual path: a unique enqueue is the same single round trip as a plain one.
    """
    r = get_redis()
    queue = get_queue(CHECK_QUEUE)
    job_id = source_job_id(source_id)
    if _enqueue_source_job(queue, source_id):
        return job_id
    with r.lock(keys.check_enqueue_lock(source_id), timeout=10, blocking_timeout=10):
        for _ in range(3):
            status = r.hget(Job.key_for(job_id), "status")
            if status is not None and JobStatus(status.decode()) not in DONE_STATUSES:
                return job_id          # queued, started or waiting to retry: joined
            if status is not None:
                try:
                    Job.fetch(job_id, connection=r).delete()
                except NoSuchJobError:
                    pass
            if _enqueue_source_job(queue, source_id):
                return job_id
    return job_id


def enqueue_item_checks(user_id: int, items: Iterable[tuple[str, int]]) -> list[str]:
    """Enqueue a manual check job per (item id, source id) for its owner; the job ids."""
    items = list(items)
    if not items:
        return []
    r = get_redis()
    mark_manual(r, items)
    requested_at = redis_now(r)
    datas = [
        Queue.prepare_data(
            ITEM_JOB, args=(item_id, requested_at), job_id=f"check-{uuid.uuid4().hex}",
            timeout=CHECK_JOB_TIMEOUT, result_ttl=JOB_TTL, failure_ttl=JOB_TTL,
            meta={"user_id": int(user_id), "item_id": item_id},
            description=f"check item {item_id}")
        for item_id, _source_id in items
    ]
    job_ids = [job.id for job in get_queue(CHECK_QUEUE).enqueue_many(datas)]
    _check_backup_sources([item_id for item_id, _source_id in items])
    return job_ids


def _check_backup_sources(item_ids: list[str]) -> None:
    """A manual check reads the items' backup sources too (their own source checks)."""
    backups = set(db.session.scalars(select(ItemSource.source_id)
                                     .where(ItemSource.item_id.in_(item_ids))))
    for source_id in sorted(backups):
        enqueue_source_check(source_id)


def items_to_check(user_id: int, *, force: bool = False) -> list[tuple[str, int]]:
    """The user's (item id, source id) a "check all" covers: due checkable items, or all."""
    from webapp.checking.due import checkable_condition

    stmt = (select(WatchlistItem.id, WatchlistItem.source_id)
            .join(UserSettings, UserSettings.user_id == WatchlistItem.user_id)
            .where(WatchlistItem.user_id == user_id, checkable_condition()))
    if not force:
        stmt = stmt.where(or_(WatchlistItem.next_check_at.is_(None),
                              WatchlistItem.next_check_at <= precise_utcnow()))
    return [(row.id, row.source_id) for row in db.session.execute(stmt)]


def enqueue_check(source_id: int, *, requested_by: int | None = None,
                  item_id: str | None = None) -> str:
    """Enqueue a check: a manual one of `item_id` for `requested_by`, else the source's."""
    if item_id is not None and requested_by is not None:
        return enqueue_item_checks(requested_by, [(item_id, source_id)])[0]
    return enqueue_source_check(source_id)
