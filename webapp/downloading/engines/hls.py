"""The HLS engine: yt-dlp's native HLS downloader, embedded, through our HttpClient.

The master playlist goes to yt-dlp's generic extractor, which lists the variants; the
one closest to the quality preference is picked (`format_sort` `res:<height>`, the best
for "auto"). The media's headers (Referer, Origin…) are sent with the playlists, every
segment and every key. yt-dlp works in `.partial/<id>.hls/` and keeps its fragment state
there, so a stopped or killed run resumes at the fragment where it stopped
(`continuedl`). With ffmpeg installed, yt-dlp's fixup remuxes the MPEG-TS stream into
MP4; without it the file is kept as MPEG-TS (`.ts`). The result is moved to the part path.
"""

from __future__ import annotations

import errno
import json
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from yt_dlp.networking.exceptions import HTTPError
from yt_dlp.utils import YoutubeDLError

from webapp.downloading.engines.base import (
    DownloadError,
    NotAVideo,
    ProgressCallback,
    StopCheck,
    Stopped,
    TooLarge,
    TransferResult,
)
from webapp.downloading.engines.sniff import HEAD_BYTES, container_of
from webapp.downloading.engines.space import (
    SPACE_ERRNOS,
    free_bytes,
    human_size,
    not_enough_space,
)
from webapp.sites.http.client import HttpClient
from webapp.sites.http.errors import FetchError, HttpStatusError
from webapp.sites.types import MediaSource
from webapp.sites.ytdlp_bridge import (
    GuardedYoutubeDL,
    QuietLogger,
    base_params,
    format_sort,
    unwrap,
)

SOCKET_TIMEOUT = 60.0


def work_dir(part: Path) -> Path:
    """Where yt-dlp keeps the fragments and state of one HLS download."""
    return part.with_name(part.stem + ".hls")


class _Hook:
    """yt-dlp progress hook: reports (done, total, speed), stops, caps, checks space once."""

    def __init__(self, progress: ProgressCallback, should_stop: StopCheck, max_bytes: int,
                 directory: Path) -> None:
        self.progress = progress
        self.should_stop = should_stop
        self.max_bytes = max_bytes
        self.directory = directory
        self.space_checked = False
        self.done = 0

    def __call__(self, d: dict[str, Any]) -> None:
        if d.get("status") != "downloading":
            return
        done = int(d.get("downloaded_bytes") or 0)
        total = d.get("total_bytes") or d.get("total_bytes_estimate")
        total = int(total) if total else None
        self.done = done
        self.progress(done, total, float(d.get("speed") or 0.0))
        if self.should_stop():
            raise Stopped("The download was cancelled.")
        if done > self.max_bytes or (total and d.get("fragment_index", 0) >= 2
                                     and total > self.max_bytes * 1.2):
            raise TooLarge(f"The video is over the limit of {human_size(self.max_bytes)} "
                           "(MAX_FILE_SIZE_MB).")
        if total and not self.space_checked and d.get("fragment_index"):
            self.space_checked = True
            if free_bytes(self.directory) < total - done:
                raise not_enough_space(self.directory, total - done)


def _translate(exc: BaseException, directory: Path, logger: QuietLogger,
               recorded: list[FetchError]) -> DownloadError:
    ours = unwrap(exc, DownloadError)
    if isinstance(ours, DownloadError):
        return ours
    oserror = unwrap(exc, OSError)
    if isinstance(oserror, OSError) and oserror.errno in SPACE_ERRNOS:
        return not_enough_space(directory, None)
    status = unwrap(exc, HttpStatusError, recorded=recorded)
    fetch = unwrap(exc, FetchError, recorded=recorded)
    http = unwrap(exc, HTTPError)
    if isinstance(fetch, FetchError):
        err = DownloadError(f"HLS stream: {fetch}")
        err.retryable = fetch.retryable
        if isinstance(status, HttpStatusError) and status.status in (404, 410):
            err.retryable = False
        return err
    if isinstance(http, HTTPError) and http.status in (404, 410):
        err = DownloadError(f"HLS stream: a playlist or segment is gone (HTTP {http.status}).")
        err.retryable = False
        return err
    message = (logger.errors[-1] if logger.errors else str(exc)).removeprefix("ERROR: ")
    if "No space left on device" in message:  # e.g. ffmpeg's remux
        return not_enough_space(directory, None)
    return DownloadError(f"HLS stream: {message}")


def _prepare_workdir(workdir: Path, url: str) -> None:
    """Keep fragments only if they are of the same stream (scheme, host, path)."""
    marker = workdir / "source.json"
    parts = urlsplit(url)
    source = json.dumps([parts.scheme, parts.netloc, parts.path])
    if workdir.exists():
        try:
            same = marker.read_text() == source
        except OSError:
            same = False
        if not same:
            shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True, exist_ok=True)
    marker.write_text(source)


def _judge_output(output: Path) -> str:
    """The file's extension, judged by its first bytes; NotAVideo when they are a web page."""
    with open(output, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    container = container_of(head)
    if container is None and head.lstrip().startswith(b"<"):  # markup of any kind
        raise NotAVideo("not a video: the stream's segments are web pages.")
    return "ts" if container == "ts" else output.suffix.lstrip(".") or "mp4"


def download_hls(client: HttpClient, media: MediaSource, part: Path,
                 progress: ProgressCallback, *, max_bytes: int, should_stop: StopCheck,
                 quality_preference: str = "auto") -> TransferResult:
    """Fetch the HLS stream `media` into `part` (resuming fragments from a previous run)."""
    workdir = work_dir(part)
    _prepare_workdir(workdir, media.url)
    logger = QuietLogger()
    hook = _Hook(progress, should_stop, max_bytes, part.parent)
    params = base_params(logger, media.headers, SOCKET_TIMEOUT)
    params.update({
        "outtmpl": {"default": str(workdir / "media.%(ext)s")},
        "progress_hooks": [hook], "continuedl": True, "force_generic_extractor": True,
        "format": "bv*+ba/b", "format_sort": format_sort(quality_preference),
        "merge_output_format": "mp4", "concurrent_fragment_downloads": 1,
    })
    ydl = GuardedYoutubeDL(client, params)
    try:
        with ydl:
            info = ydl.extract_info(media.url, download=True)
    except (YoutubeDLError, OSError, FetchError, DownloadError) as exc:
        raise _translate(exc, part.parent, logger, ydl.fetch_errors) from exc
    fetched = ydl.bytes_read
    downloads = (info or {}).get("requested_downloads") or [{}]
    output = Path(downloads[0].get("filepath") or "")
    if not output.is_file():
        raise DownloadError("HLS stream: yt-dlp finished without writing a file.")
    ext = _judge_output(output)
    size = output.stat().st_size
    try:
        output.replace(part)
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise not_enough_space(part.parent, size) from exc
        raise
    shutil.rmtree(workdir, ignore_errors=True)
    progress(size, size, 0.0)
    return TransferResult(part, size, fetched, ext)
