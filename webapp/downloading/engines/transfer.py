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

from webapp.downloading.engines.base import (
    DownloadError,
    ProgressCallback,
    StopCheck,
    TransferResult,
)
from webapp.downloading.engines.hls import download_hls, work_dir
from webapp.downloading.engines.http import download_file, meta_path
from webapp.sites.http.client import HttpClient
from webapp.sites.types import MediaSource


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
