"""Download engines behind one call: `transfer(client, media, part_path, progress, ...)`.

`media.kind` picks the engine: "file" → the HTTP engine (Range/If-Range resume), "hls" →
the HLS engine (yt-dlp's native HLS downloader). Both report `(done, total, speed)`,
check `should_stop` as they go, enforce `max_bytes`, and leave the finished file at
`part_path` (still under `.partial/`) for `library.place_file`. `discard_partial` removes
everything a transfer may have left for one download (cancel, or after placing).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from webapp.downloads.base import (
    DownloadError,
    NotAVideo,
    NotEnoughSpace,
    ProgressCallback,
    StopCheck,
    Stopped,
    TooLarge,
    TransferResult,
)
from webapp.downloads.hls import download_hls, work_dir
from webapp.downloads.http import download_file, meta_path
from webapp.downloads.space import check_free_space, human_size
from webapp.hosts.base import MediaSource
from webapp.http import HttpClient


def partial_path(download_dir: Path | str, download_id: object) -> Path:
    """`<DOWNLOAD_DIR>/.partial/<id>.part`: where a download is written until it is complete."""
    return Path(download_dir) / ".partial" / f"{download_id}.part"


def transfer(client: HttpClient, media: MediaSource, part_path: Path,
             progress: ProgressCallback, *, max_bytes: int, should_stop: StopCheck,
             quality_preference: str = "auto") -> TransferResult:
    """Fetch `media` into `part_path` with the engine its kind needs (resuming if possible)."""
    part_path = Path(part_path)
    if media.kind == "hls":
        return download_hls(client, media, part_path, progress, max_bytes=max_bytes,
                            should_stop=should_stop, quality_preference=quality_preference)
    if media.kind == "file":
        return download_file(client, media, part_path, progress, max_bytes=max_bytes,
                             should_stop=should_stop)
    raise DownloadError(f"Unknown media kind {media.kind!r} (expected 'file' or 'hls').")


def discard_partial(part_path: Path) -> None:
    """Remove a download's part file, its resume metadata and its HLS fragments."""
    part_path = Path(part_path)
    part_path.unlink(missing_ok=True)
    meta_path(part_path).unlink(missing_ok=True)
    shutil.rmtree(work_dir(part_path), ignore_errors=True)


__all__ = [
    "DownloadError", "NotAVideo", "NotEnoughSpace", "ProgressCallback", "StopCheck",
    "Stopped", "TooLarge", "TransferResult", "check_free_space", "discard_partial",
    "human_size", "partial_path", "transfer",
]
