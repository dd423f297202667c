"""A completed download's file for its owner (watch or fetch it), and clearing the list.

A file is served only when the download is the user's, completed, and its recorded path —
symlinks resolved — is a regular file inside DOWNLOAD_DIR; anything else is NotFound,
never another path of the server.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable
from pathlib import Path

from flask import Response, send_file
from sqlalchemy import update

from webapp.clock import utcnow
from webapp.downloading.control import get_download
from webapp.errors import NotFound
from webapp.extensions import db
from webapp.models import Download

# The containers a browser's <video> plays; others are offered as a download.
PLAYABLE_TYPES = {".mp4": "video/mp4", ".m4v": "video/mp4", ".webm": "video/webm"}
OTHER_TYPES = {".mkv": "video/x-matroska", ".ts": "video/mp2t", ".avi": "video/x-msvideo",
               ".flv": "video/x-flv", ".mov": "video/quicktime"}
CLEARABLE = ("completed", "failed", "cancelled")


def media_type(path: Path | str) -> str:
    """The Content-Type of a library file, by its extension."""
    ext = Path(path).suffix.lower()
    return PLAYABLE_TYPES.get(ext) or OTHER_TYPES.get(ext) or \
        mimetypes.guess_type(str(path))[0] or "application/octet-stream"


def playable(path: Path | str | None) -> bool:
    """Whether a browser's <video> element can play the file (mp4 or webm)."""
    return bool(path) and Path(str(path)).suffix.lower() in PLAYABLE_TYPES


def library_file(recorded: str | None, library: str | Path) -> Path | None:
    """The regular file a recorded path names — symlinks resolved — when it lies inside the
    library; None otherwise (no path, gone, outside, the library folder itself)."""
    if not recorded:
        return None
    root = Path(library).resolve()
    try:
        path = Path(recorded).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not path.is_relative_to(root) or path == root or not path.is_file():
        return None
    return path


def completed_file(user_id: int, download_id: int, library: str | Path) -> Path:
    """The file of the user's completed download, inside the library; NotFound otherwise."""
    download = get_download(user_id, download_id)
    path = library_file(download.path, library) if download.status == "completed" else None
    if path is None:
        raise NotFound("file of this download (it is not completed, or the file is gone)")
    return path


def file_response(path: Path, as_attachment: bool = False) -> Response:
    """A library file as a response: its Content-Type, Range and conditional requests."""
    return send_file(path, mimetype=media_type(path), conditional=True, etag=True,
                     as_attachment=as_attachment, download_name=path.name, max_age=0)


def clear_finished(user_id: int, statuses: Iterable[str]) -> int:
    """Hide the user's downloads of these finished statuses from the list; how many."""
    wanted = [s for s in dict.fromkeys(statuses) if s in CLEARABLE]
    if not wanted:
        return 0
    result = db.session.execute(
        update(Download).where(Download.user_id == user_id, Download.status.in_(wanted),
                               Download.cleared_at.is_(None))
        .values(cleared_at=utcnow()).execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount or 0
