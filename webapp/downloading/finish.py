"""The end of a download: completed (with its owner's item advanced) or failed, and told.

Every status change is a conditional UPDATE from the status the caller expects, so a
cancel that lands at the same moment wins and nothing is completed twice.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from sqlalchemy import or_, select, update

from webapp.clock import utcnow
from webapp.downloading import digest
from webapp.downloading.finish_notes import episode_text, tell_owner
from webapp.downloading.history import human_size, human_time, record_download, seconds_since
from webapp.extensions import db
from webapp.models import Download, ItemSource, Notification, SourceEpisode, WatchlistItem


def advance_item(item_id: str) -> float | None:
    """Move the item's last_episode_downloaded over the contiguous run of completed episodes.

    The run follows the episodes the source lists (a number the site skips is no gap).
    Called after the completion is committed, so of two episodes completing at once the
    later reader sees both. Returns the new value when it moved.
    """
    item = db.session.get(WatchlistItem, item_id)
    if item is None:
        return None
    current = float(item.last_episode_downloaded or 0)
    done = set(db.session.scalars(select(Download.episode).where(
        Download.item_id == item_id, Download.status == "completed",
        Download.episode > current)))
    if not done:
        return None
    backups = select(ItemSource.source_id).where(ItemSource.item_id == item_id)
    listed = db.session.scalars(
        select(SourceEpisode.number).distinct()
        .where(or_(SourceEpisode.source_id == item.source_id,
                   SourceEpisode.source_id.in_(backups)), SourceEpisode.number > current)
        .order_by(SourceEpisode.number))
    new = current
    for number in listed:
        if number not in done:
            break
        new = number
    if new <= current:
        return None
    db.session.execute(
        update(WatchlistItem)
        .where(WatchlistItem.id == item_id, WatchlistItem.last_episode_downloaded < new)
        .values(last_episode_downloaded=new)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return new


def _move(download: Download, from_status: str, activity: tuple | None = None,
          **values: object) -> bool:
    """Set `values` (and finished_at) if the download is still `from_status`; committed,
    with the `activity` event (kind, what, data) it makes, in the same transaction.

    Returns whether this call made the change (False: a cancel or another worker won).
    """
    result = db.session.execute(
        update(Download).where(Download.id == download.id, Download.status == from_status)
        .values(finished_at=utcnow(), **values)
        .execution_options(synchronize_session=False))
    if result.rowcount == 1 and activity is not None:
        record_download(download, *activity[:2], **activity[2])
    db.session.commit()
    return result.rowcount == 1


def complete(download: Download, path: Path, *, from_status: str = "running") -> bool:
    """Mark the download completed at `path`; advance its item and notify its owner."""
    size = path.stat().st_size if path.exists() else None
    seconds = seconds_since(download.started_at) if from_status == "running" else None
    done = ("download_completed", f"downloaded: {human_size(size)} in {human_time(seconds)}.",
            {"bytes": size, "seconds": seconds})
    replaced = download.path  # a language upgrade keeps the earlier file's path until now
    if not _move(download, from_status, done, status="completed", path=str(path), error=None,
                 bytes_done=size or 0, bytes_total=size):
        return False
    if replaced and replaced != str(path):
        drop_replaced(download, Path(replaced))
    advance_item(download.item_id)
    # A retry that succeeded settles the episode's "could not be downloaded" notice.
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == download.user_id,
               Notification.item_id == download.item_id,
               Notification.kind == "download_failed", Notification.read_at.is_(None),
               Notification.message.startswith(episode_text(download), autoescape=True))
        .values(read_at=utcnow()).execution_options(synchronize_session=False))
    digest.completed(download)
    return True


def drop_replaced(download: Download, old: Path) -> bool:
    """`upgrade_language: replace`: remove the file the preferred language's download
    replaces, unless another completed download still has it or it lies outside the
    library; whether it was removed."""
    item = db.session.get(WatchlistItem, download.item_id)
    root = Path(current_app.config["DOWNLOAD_DIR"]).resolve()
    if item is None or item.upgrade_language != "replace" or \
            not old.resolve().is_relative_to(root) or db.session.scalar(
                select(Download.id).where(Download.path == str(old),
                                          Download.status == "completed").limit(1)):
        return False
    old.unlink(missing_ok=True)
    return True


def complete_waiting_siblings(download: Download, path: Path) -> int:
    """Give the file to other users' pending downloads of the same (source, episode)."""
    siblings = db.session.scalars(select(Download).where(
        Download.source_id == download.source_id, Download.episode == download.episode,
        Download.id != download.id, Download.status == "pending")).all()
    return sum(complete(sibling, path, from_status="pending") for sibling in siblings)


def fail(download: Download, message: str) -> bool:
    """Mark the download failed for good with `message`, and notify its owner."""
    failed = ("download_failed", f"could not be downloaded: {message}",
              {"error": message, "attempts": download.attempts or 0})
    if not _move(download, "running", failed, status="failed", error=message):
        return False
    tell_owner(download, "download_failed", f"could not be downloaded: {message}")
    digest.burst_ended_by_failure(download)
    return True


def retry_later(download: Download, message: str) -> bool:
    """Put the download back to pending; dispatch tries it again after its backoff."""
    retried = ("download_retried", f"will be tried again: {message}",
               {"error": message, "attempts": download.attempts or 0, "automatic": True})
    return _move(download, "running", retried, status="pending", error=message)
