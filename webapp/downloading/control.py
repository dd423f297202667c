"""What a user does to downloads: list them, ask for an episode, retry, cancel.

Every query is scoped to the user: another user's download or item is NotFound.
"""

from __future__ import annotations

import logging

import redis
from flask import current_app
from rq.command import send_stop_job_command
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from webapp.clock import utcnow
from webapp.downloading import settings as dm
from webapp.downloading.dispatch import delete_job, dispatch_pending
from webapp.downloading.episode_sources import item_listings
from webapp.downloading.history import record_download
from webapp.errors import Conflict, NotFound
from webapp.extensions import db, get_redis
from webapp.infra import keys
from webapp.models import ACTIVE_DOWNLOAD_STATUSES, Download, WatchlistItem
from webapp.schemas import episode_number

log = logging.getLogger(__name__)
RESTARTABLE = ("completed", "failed", "cancelled")
CANCEL_FLAG_SECONDS = 3600


def list_downloads(user_id: int, status: str | None = None,
                   item_id: str | None = None, limit: int = 500) -> list[Download]:
    """The user's downloads, newest first, optionally filtered by status and item
    (those the user cleared from the list are left out)."""
    query = (select(Download).options(joinedload(Download.item))
             .where(Download.user_id == user_id, Download.cleared_at.is_(None))
             .order_by(Download.created_at.desc(), Download.id.desc()).limit(limit))
    if status:
        query = query.where(Download.status == status)
    if item_id:
        query = query.where(Download.item_id == item_id)
    return list(db.session.scalars(query))


def get_download(user_id: int, download_id: int) -> Download:
    """One of the user's downloads; NotFound for anyone else's."""
    download = db.session.scalar(
        select(Download).options(joinedload(Download.item))
        .where(Download.id == download_id, Download.user_id == user_id))
    if download is None:
        raise NotFound("download")
    return download


def _conflict(download: Download) -> Conflict:
    return Conflict(f"Episode {episode_number(download.episode)} is already {download.status}.",
                    [{"download_id": download.id}])


def _restart(download: Download) -> bool:
    """Put a finished row back to pending for a fresh series of attempts."""
    result = db.session.execute(
        update(Download).where(Download.id == download.id, Download.status.in_(RESTARTABLE))
        .values(status="pending", attempts=0, error=None, path=None, bytes_done=0,
                bytes_total=None, started_at=None, finished_at=None, player=None,
                cleared_at=None)
        .execution_options(synchronize_session=False))
    if result.rowcount == 1:
        record_download(download, "download_retried", "will be downloaded again, as you asked.",
                        previous=download.status, automatic=False)
    db.session.commit()
    return result.rowcount == 1


def _dispatched(download_id: int) -> Download:
    dispatch_pending()
    db.session.expire_all()
    return db.session.get(Download, download_id)


def request_episode(user_id: int, item_id: str, number: float) -> Download:
    """Download one episode now (or again: the same row goes back to pending)."""
    item = db.session.scalar(select(WatchlistItem).where(
        WatchlistItem.id == item_id, WatchlistItem.user_id == user_id))
    if item is None:
        raise NotFound("watchlist item")
    listed = item_listings(item, number)
    if not listed:
        raise NotFound(f"episode {episode_number(number)} on this anime's sources "
                       "(check the item to refresh its episode list)")
    download = db.session.scalar(select(Download).where(
        Download.item_id == item.id, Download.episode == float(number)))
    if download is None:
        download = Download(item_id=item.id, user_id=user_id, source_id=listed[0].source_id,
                            episode=float(number), status="pending")
        db.session.add(download)
        try:
            db.session.commit()
        except IntegrityError:  # created at the same moment by a check or another request
            db.session.rollback()
            download = db.session.scalar(select(Download).where(
                Download.item_id == item.id, Download.episode == float(number)))
            raise _conflict(download) from None
    elif download.status in ACTIVE_DOWNLOAD_STATUSES or not _restart(download):
        db.session.refresh(download)
        raise _conflict(download)
    return _dispatched(download.id)


def retry(user_id: int, download_id: int) -> Download:
    """Try a failed, cancelled or completed download again (Conflict while it is active)."""
    download = get_download(user_id, download_id)
    if download.status in ACTIVE_DOWNLOAD_STATUSES or not _restart(download):
        db.session.refresh(download)
        raise _conflict(download)
    return _dispatched(download.id)


def _stop_running(conn: redis.Redis, download: Download) -> None:
    conn.set(keys.download_cancel(download.id), "1", ex=CANCEL_FLAG_SECONDS)
    try:
        send_stop_job_command(conn, dm.job_id(download.id))
    except (NoSuchJobError, InvalidJobOperation):
        pass  # not executing (yet): the job sees the flag or fails its claim
    holder = conn.get(keys.episode_transfer(download.source_id, download.episode))
    if holder is not None and holder.decode() == str(download.id):
        conn.delete(keys.episode_transfer(download.source_id, download.episode))


def cancel(user_id: int, download_id: int) -> Download:
    """Cancel a pending, queued or running download; a running job is stopped."""
    download = get_download(user_id, download_id)
    if download.status == "cancelled":
        return download
    previous = download.status
    result = db.session.execute(
        update(Download).where(Download.id == download.id,
                               Download.status.in_(ACTIVE_DOWNLOAD_STATUSES))
        .values(status="cancelled", finished_at=utcnow(), error=None)
        .execution_options(synchronize_session=False))
    if result.rowcount == 1:
        record_download(download, "download_cancelled", "was cancelled.", previous=previous)
    db.session.commit()
    db.session.refresh(download)
    if result.rowcount != 1:
        if download.status == "cancelled":
            return download
        raise Conflict(f"This download is already {download.status}; only a pending, "
                       "queued or running download can be cancelled.",
                       [{"download_id": download.id}])
    try:
        conn = get_redis()
        if previous == "running":
            _stop_running(conn, download)  # the stopped job moves to RQ's failed registry
        else:
            delete_job(conn, download.id)
        conn.delete(keys.download_heartbeat(download.id), keys.download_progress(download.id))
    except redis.RedisError as exc:
        log.warning("download %s cancelled, but its job was not stopped: %s", download.id, exc)
    dm.remove_parts(current_app.config, download.id)
    dispatch_pending()
    return download
