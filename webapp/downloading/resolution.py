"""The resolution (video height) a download got, written on its row before it completes.

A transfer's height goes on the download and on the pending downloads of the same
(source, episode) that wait for its file; a download that adopts a file already in the
library takes the height recorded for that file.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import or_, select, update

from webapp.extensions import db
from webapp.models import Download


def record_resolution(download: Download, height: int | None) -> None:
    """Write `height` on the running download and on the ones waiting for its file."""
    db.session.execute(
        update(Download)
        .where(Download.source_id == download.source_id,
               Download.episode == download.episode,
               or_(Download.id == download.id, Download.status == "pending"))
        .values(resolution=height).execution_options(synchronize_session=False))
    db.session.commit()


def adopt_resolution(download: Download, path: Path) -> None:
    """Give the download the height recorded for the library file it adopts."""
    height = db.session.scalar(
        select(Download.resolution).where(Download.path == str(path),
                                          Download.resolution.is_not(None),
                                          Download.id != download.id)
        .order_by(Download.finished_at.desc()).limit(1))
    db.session.execute(
        update(Download).where(Download.id == download.id).values(resolution=height)
        .execution_options(synchronize_session=False))
    db.session.commit()
