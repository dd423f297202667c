"""One download job: claim the row, then adopt a shared file, wait, or transfer one.

The claim (`queued` → `running` in one conditional UPDATE) comes first: a job whose claim
fails (a duplicate, RQ re-running an abandoned job, a cancelled row) exits without
fetching anything. The library is shared: a completed file of the same (source, episode)
is adopted at once, and only the download holding the Redis transfer key of that
(source, episode) transfers it; another one goes back to pending, which dispatch leaves
alone until the transfer ends. Players are tried best first (the one a part file belongs
to first of all); when every player fails the row waits for its backoff in `pending`
(so it holds no slot) and is failed for good after the last interval.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import redis
from flask import current_app
from sqlalchemy import select, update

from webapp.clock import utcnow
from webapp.downloading import finish
from webapp.downloading import settings as dm
from webapp.downloading.dispatch import dispatch_pending
from webapp.downloading.heartbeat import Heartbeat
from webapp.downloading.history import record_download
from webapp.downloading.players import PlayerLoop, human_duration
from webapp.downloading.resolution import adopt_resolution, record_resolution
from webapp.extensions import db, get_redis
from webapp.infra import keys
from webapp.library.layout import default_lang, library_title, placement_of
from webapp.library.updates import file_placed
from webapp.models import Download, Source

log = logging.getLogger(__name__)


def _claim(download_id: int) -> bool:
    result = db.session.execute(
        update(Download).where(Download.id == download_id, Download.status == "queued")
        .values(status="running", started_at=utcnow())
        .execution_options(synchronize_session=False))
    if result.rowcount == 1:
        record_download(db.session.get(Download, download_id), "download_started", "started.")
    db.session.commit()
    return result.rowcount == 1


def run_download(download_id: int) -> dict[str, Any]:
    """Run the download `download_id` if this job wins its claim; dispatch the next after."""
    if not _claim(download_id):
        return {"download_id": download_id, "outcome": "not claimed"}
    conn = get_redis()
    heartbeat = Heartbeat(conn, download_id,
                          float(dm.setting(current_app.config, "DOWNLOAD_HEARTBEAT_SECONDS")))
    heartbeat.start()
    try:
        outcome = DownloadRun(download_id, conn, heartbeat).run()
    finally:
        heartbeat.stop()
        db.session.rollback()
        dispatch_pending()
    return {"download_id": download_id, "outcome": outcome}


class DownloadRun:
    """The work of one claimed download, from the shared-library checks to the outcome."""

    def __init__(self, download_id: int, conn: redis.Redis, heartbeat: Heartbeat) -> None:
        self.config = current_app.config
        self.conn = conn
        self.heartbeat = heartbeat
        self.download = db.session.get(Download, download_id)
        self.source = db.session.get(Source, self.download.source_id)
        self.root = Path(self.config["DOWNLOAD_DIR"]).resolve()

    def run(self) -> str:
        """Adopt, wait or transfer; return the outcome's name."""
        try:
            return self._run()
        except Exception as exc:  # a bug or a job timeout must never leave the row running
            log.exception("download %s: unexpected error", self.download.id)
            db.session.rollback()
            return self.attempt_failed([f"unexpected error: {exc}"], retryable=True)

    def _run(self) -> str:
        found = self.shared_file()
        if found is not None:
            return self.adopt(found)
        key = keys.episode_transfer(self.download.source_id, self.download.episode)
        holder = self.heartbeat.take_transfer(key)
        if holder is not None:
            if self._holder_active(holder):
                return self.wait_for_transfer()
            self.heartbeat.drop_stale(key, holder)
            if self.heartbeat.take_transfer(key) is not None:
                return self.wait_for_transfer()
        found = self.shared_file()  # the holder may have finished just before we took it
        if found is not None:
            return self.adopt(found)
        outcome = PlayerLoop(self.download, self.config, self.conn, self.heartbeat.should_stop,
                             self.library_target).run()
        if outcome.kind == "placed":
            record_resolution(self.download, outcome.resolution)
            return self.placed(outcome.path)
        if outcome.kind == "stopped":
            return self.cancelled()
        return self.attempt_failed(list(outcome.reasons), outcome.retryable)

    # --- the shared library -----------------------------------------------------------

    def library_target(self, ext: str) -> Path:
        """Where this episode goes in the library with extension `ext`."""
        from webapp.library.layout import library_path

        # The item's own source names the folder: a backup source's file joins it
        shelf = db.session.get(Source, self.download.item.source_id) or self.source
        place = placement_of(shelf, self.download.episode)
        return library_path(self.root, library_title(shelf), place.season, place.number,
                            ext, self.source.lang, default_lang(self.source.provider_id),
                            episode_title=place.name)

    def shared_file(self) -> Path | None:
        """A finished file of this (source, episode) already in the library, if any.

        Only files the database records as written for this same (source, episode) are
        adopted: a file that merely sits at the computed path (another source with the
        same title, or one planted there) is never taken for ours — the transfer runs
        and `place_file` gives the new file a distinct name unless the bytes are equal.
        """
        paths = db.session.scalars(
            select(Download.path).where(
                Download.source_id == self.download.source_id,
                Download.episode == self.download.episode, Download.status == "completed",
                Download.path.is_not(None), Download.id != self.download.id)
            .order_by(Download.finished_at.desc())).all()
        for path in map(Path, paths):
            if path.is_file() and path.stat().st_size > 0 and path.resolve().is_relative_to(
                    self.root):
                return path
        return None

    def adopt(self, path: Path) -> str:
        """Complete at once with a file another download (or an earlier run) left."""
        adopt_resolution(self.download, path)
        if finish.complete(self.download, path):
            finish.complete_waiting_siblings(self.download, path)
            return "adopted"
        return "cancelled"

    def _holder_active(self, holder: str) -> bool:
        if not holder.isdigit() or int(holder) == self.download.id:
            return False
        status = db.session.scalar(select(Download.status).where(Download.id == int(holder)))
        db.session.commit()
        return status in ("queued", "running")

    def wait_for_transfer(self) -> str:
        """Another download transfers this episode: go back to pending until it ends."""
        db.session.execute(
            update(Download).where(Download.id == self.download.id,
                                   Download.status == "running")
            .values(status="pending").execution_options(synchronize_session=False))
        db.session.commit()
        return "waiting"

    # --- outcomes -----------------------------------------------------------------------

    def placed(self, path: Path) -> str:
        """The transfer is in the library: complete this row and the ones waiting for it."""
        dm.remove_parts(self.config, self.download.id)  # the engine's side files
        if finish.complete(self.download, path):
            finish.complete_waiting_siblings(self.download, path)
            file_placed(self.download.id)  # metadata files and media servers, debounced
            return "completed"
        return "cancelled"

    def cancelled(self) -> str:
        """The user cancelled while the transfer ran: drop what was fetched."""
        dm.remove_parts(self.config, self.download.id)
        return "cancelled"

    def attempt_failed(self, reasons: list[str], retryable: bool) -> str:
        """Every player failed: retry after the backoff, or fail for good with each reason."""
        db.session.refresh(self.download)
        attempts = self.download.attempts or 0
        intervals = dm.setting(self.config, "DOWNLOAD_RETRY_INTERVALS")
        message = "; ".join(r.rstrip(".") for r in reasons) or "no player could be tried"
        if retryable and attempts <= len(intervals):
            wait = intervals[max(attempts, 1) - 1]
            if finish.retry_later(self.download, f"Attempt {attempts} failed: {message}. "
                                                 f"Next try in {human_duration(wait)}."):
                return "retrying"
            return "cancelled"
        dm.remove_parts(self.config, self.download.id)
        tries = f" (after {attempts} attempt{'s' if attempts != 1 else ''})" if attempts else ""
        return "failed" if finish.fail(self.download, message + tries) else "cancelled"
