"""After a file lands in the library: its metadata files, then one media-server refresh.

The download job calls `file_placed` once the file is in place (and its row completed).
That only notes the download in Redis and, unless one is already waiting, enqueues one
`workers.media.library_update_job` on the `default` queue, MEDIA_REFRESH_DEBOUNCE_SECONDS
later (RQ's scheduler, run by the clock process): a burst of episodes makes one job, one
refresh. Nothing here can fail or slow the download: Redis errors are logged and dropped.

The job writes each noted episode's NFO files and posters (when an owner of that file has
`metadata_files` on), then asks the configured media servers to rescan the show folders.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import redis
from flask import current_app
from sqlalchemy import select

from webapp.extensions import db, get_queue, get_redis
from webapp.infra import keys
from webapp.library.metadata import show_folder_of, write_for_download
from webapp.models import Download, UserSettings
from webapp.notifications.media_servers import configured, refresh_all

log = logging.getLogger(__name__)

PLACED_KEY = keys.LIBRARY_PLACED
SCHEDULED_KEY = keys.LIBRARY_UPDATE_QUEUED
JOB = "workers.media.library_update_job"
QUEUE = "default"
DEBOUNCE_SECONDS = 30
JOB_TIMEOUT = 300


def _debounce() -> float:
    return float(current_app.config.get("MEDIA_REFRESH_DEBOUNCE_SECONDS", DEBOUNCE_SECONDS))


def file_placed(download_id: int) -> None:
    """Note a download whose file is in the library; enqueue the (debounced) update job."""
    try:
        conn = get_redis()
        conn.sadd(PLACED_KEY, int(download_id))
        delay = _debounce()
        if not conn.set(SCHEDULED_KEY, "1", nx=True, ex=int(delay) + JOB_TIMEOUT * 2):
            return  # a job is already waiting: it takes this file too
        queue = get_queue(QUEUE, conn)
        options: dict[str, Any] = {"job_timeout": JOB_TIMEOUT, "result_ttl": 600,
                                   "failure_ttl": 7 * 86400}
        if delay > 0:
            queue.enqueue_in(timedelta(seconds=delay), JOB, **options)
        else:
            queue.enqueue(JOB, **options)
    except Exception as exc:  # noqa: BLE001 - the file is in place: nothing may undo that
        log.warning("library update of download %s not queued: %s", download_id, exc)


def _take_placed(conn: redis.Redis) -> list[int]:
    conn.delete(SCHEDULED_KEY)  # from now on, a new file queues a new job
    with conn.pipeline() as pipe:
        pipe.smembers(PLACED_KEY)
        pipe.delete(PLACED_KEY)
        members, _ = pipe.execute()
    return sorted(int(m) for m in members)


def wants_metadata(download: Download) -> bool:
    """Whether an owner of this download's file has `metadata_files` on."""
    owners = select(Download.user_id).where(Download.path == download.path,
                                            Download.status == "completed")
    found = db.session.scalar(select(UserSettings.user_id).where(
        UserSettings.user_id.in_(owners), UserSettings.metadata_files.is_(True)).limit(1))
    return found is not None


def run_update() -> dict[str, Any]:
    """Write the metadata of every noted download, then refresh the media servers once."""
    ids = _take_placed(get_redis())
    root = Path(current_app.config["DOWNLOAD_DIR"]).resolve()
    folders: set[Path] = set()
    written: dict[int, list[str]] = {}
    for download in db.session.scalars(select(Download).where(
            Download.id.in_(ids), Download.status == "completed", Download.path.is_not(None))):
        folder = show_folder_of(Path(download.path), root)
        if folder is None:
            continue
        folders.add(folder)
        if wants_metadata(download):
            try:
                written[download.id] = write_for_download(download, root)
            except OSError as exc:
                log.warning("metadata of download %s not written: %s", download.id, exc)
    db.session.rollback()
    refreshed = refresh_all(folders, root) if folders and configured() else {}
    return {"downloads": ids, "written": written, "refreshed": refreshed}
