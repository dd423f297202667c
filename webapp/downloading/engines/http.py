"""The HTTP engine: one media file streamed to its part file, resumable with Range/If-Range.

A part file `<DOWNLOAD_DIR>/.partial/<id>.part` has a sidecar `<id>.part.meta` (JSON:
URL, validator, total size) written before the first byte, so a run killed at any point
resumes: `Range: bytes=<have>-` with `If-Range: <strong ETag or Last-Modified>`. 206 whose
Content-Range starts at `<have>` appends; 200 (file changed, or range ignored) truncates
and restarts; 416 on a part as long as the known total means it is already complete.
The body is read in 1 MiB chunks into one reused buffer (memory stays flat whatever the
size); the stop check runs every chunk; the size cap, tiny answers and the disk space
are checked before writing; ENOSPC while writing becomes NotEnoughSpace. Whether the body
is a video is judged by its first bytes (engines.sniff), not by the claimed type alone:
the first chunk of a fresh transfer, the part file's start on a resume.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from webapp.downloading.engines.base import (
    DownloadError,
    NotAVideo,
    ProgressCallback,
    StopCheck,
    Stopped,
    TooLarge,
    TransferResult,
)
from webapp.downloading.engines.pump import (
    CHUNK,
    Pump,
    ReadFailed,
    WriteFailed,
    copy_pump,
    splice_pump,
)
from webapp.downloading.engines.sniff import HEAD_BYTES, judge
from webapp.downloading.engines.space import (
    SPACE_ERRNOS,
    check_free_space,
    human_size,
    not_enough_space,
)
from webapp.sites.http.client import HttpClient
from webapp.sites.http.errors import FetchError, HttpStatusError
from webapp.sites.types import MediaSource

MIN_VIDEO_BYTES = 64 * 1024
TIMEOUT = (10.0, 60.0)
VIDEO_EXTENSIONS = ("mp4", "mkv", "avi", "webm", "m4v", "mov", "ts", "flv", "wmv", "ogv")
TYPE_EXTENSIONS = {"video/mp4": "mp4", "video/x-matroska": "mkv", "video/webm": "webm",
                   "video/x-msvideo": "avi", "video/avi": "avi", "video/mp2t": "ts",
                   "video/quicktime": "mov", "video/x-m4v": "m4v", "video/x-flv": "flv"}
_CONTENT_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)")


def meta_path(part: Path) -> Path:
    """The sidecar remembering what a part file is a part of."""
    return part.with_name(part.name + ".meta")


def _load_meta(part: Path) -> dict[str, Any]:
    try:
        return json.loads(meta_path(part).read_text())
    except (OSError, ValueError):
        return {}


def _save_meta(part: Path, meta: dict[str, Any]) -> None:
    tmp = meta_path(part).with_suffix(".tmp")
    tmp.write_text(json.dumps(meta))
    os.replace(tmp, meta_path(part))


def _validator(meta: dict[str, Any]) -> str | None:
    etag = meta.get("etag") or ""
    if etag and not etag.startswith("W/"):  # If-Range needs a strong validator
        return etag
    return meta.get("last_modified") or None


def file_extension(*urls: str, content_type: str = "", disposition: str = "",
                   sniffed: str | None = None) -> str:
    """The file type from a URL path or Content-Disposition, else the sniffed container,
    else Content-Type; or mp4."""
    names = [urlsplit(u).path for u in urls if u]
    match = re.search(r"filename\*?=(?:UTF-8'')?\"?([^\";]+)", disposition or "")
    if match:
        names.append(match.group(1))
    for name in names:
        ext = name.rsplit(".", 1)[-1].lower() if "." in name.rsplit("/", 1)[-1] else ""
        if ext in VIDEO_EXTENSIONS:
            return ext
    if sniffed:
        return sniffed
    return TYPE_EXTENSIONS.get(content_type.split(";")[0].strip().lower(), "mp4")


class SpeedMeter:
    """Bytes per second over the last second or so (smoothed, cheap to update)."""

    def __init__(self, clock: Any = time.monotonic) -> None:
        self.clock = clock
        self.mark_time = clock()
        self.mark_bytes = 0
        self.speed = 0.0

    def update(self, fetched: int) -> float:
        """Feed the bytes fetched so far in this run; return the current speed."""
        now = self.clock()
        elapsed = now - self.mark_time
        if elapsed >= 0.5:
            rate = (fetched - self.mark_bytes) / elapsed
            self.speed = rate if self.speed == 0 else 0.5 * self.speed + 0.5 * rate
            self.mark_time, self.mark_bytes = now, fetched
        return self.speed


def _same_resource(a: str, b: str) -> bool:
    """Same scheme, host, port and path (query tokens of signed URLs may change)."""
    pa, pb = urlsplit(a), urlsplit(b)
    return (pa.scheme, pa.netloc, pa.path) == (pb.scheme, pb.netloc, pb.path)


def _fetch_error(exc: FetchError) -> DownloadError:
    err = DownloadError(str(exc))
    err.retryable = exc.retryable
    return err


def _part_head(part: Path) -> bytes:
    """The first bytes of a part file (where a resumed transfer's container starts)."""
    with open(part, "rb") as fh:
        return fh.read(HEAD_BYTES)


def discard_part(part: Path) -> None:
    """Remove a part file and its metadata (its bytes are of no use)."""
    part.unlink(missing_ok=True)
    meta_path(part).unlink(missing_ok=True)


def _pump_once(pump: Pump, part: Path, done: int, total: int | None) -> int:
    """One chunk; a broken connection or a failed write becomes a DownloadError."""
    try:
        return pump()
    except ReadFailed as exc:
        raise DownloadError(
            f"The connection broke after {human_size(done)} ({exc}); "
            "the download will resume where it stopped.") from exc
    except WriteFailed as exc:
        cause = exc.__cause__
        if isinstance(cause, OSError) and cause.errno in SPACE_ERRNOS:
            raise not_enough_space(part.parent, None if total is None else total - done
                                   ) from exc
        err = DownloadError(f"Could not write {part}: {exc}.")
        err.retryable = False
        raise err from exc


def _open_response(client: HttpClient, url: str, headers: dict[str, str]
                   ) -> requests.Response | None:
    """The response, or None when the server answered 416 (range not satisfiable)."""
    try:
        return client.open_stream(url, headers=headers, timeout=TIMEOUT)
    except HttpStatusError as exc:
        if exc.status == 416 and "Range" in headers:
            return None
        raise _fetch_error(exc) from exc
    except FetchError as exc:
        raise _fetch_error(exc) from exc


def _check_response(resp: requests.Response, have: int, max_bytes: int,
                    min_bytes: int) -> tuple[int, int | None]:
    """Validate status, type and size; return (offset to write at, total or None)."""
    if resp.status_code == 206:
        match = _CONTENT_RANGE.match(resp.headers.get("Content-Range", ""))
        if match is None:
            raise DownloadError("The server answered a partial response without a valid "
                                "Content-Range; the download will be retried.")
        start, total = int(match.group(1)), match.group(3)
        if start not in (have, 0):
            raise DownloadError(f"The server resumed at byte {start} instead of {have}; "
                                "the download will be retried.")
        offset, size = start, (None if total == "*" else int(total))
    elif resp.status_code == 200:
        length = resp.headers.get("Content-Length", "")
        offset, size = 0, (int(length) if length.isdigit() else None)
    else:
        raise DownloadError(f"The server answered HTTP {resp.status_code} instead of the file.")
    if size is not None and size < min_bytes:
        raise NotAVideo(f"not a video: the file is only {human_size(size)} "
                        f"(a video file has at least {human_size(min_bytes)}).")
    if size is not None and size > max_bytes:
        raise TooLarge(f"The file is {human_size(size)}, over the limit of "
                       f"{human_size(max_bytes)} (MAX_FILE_SIZE_MB).")
    return offset, size


def download_file(client: HttpClient, media: MediaSource, part: Path,
                  progress: ProgressCallback, *, max_bytes: int, should_stop: StopCheck,
                  min_bytes: int = MIN_VIDEO_BYTES) -> TransferResult:
    """Fetch `media` (kind "file") into `part`, resuming what a previous run left."""
    part.parent.mkdir(parents=True, exist_ok=True)
    for _attempt in range(2):  # a second pass only after a 416 on a part we cannot trust
        meta = _load_meta(part)
        have = part.stat().st_size if part.exists() else 0
        if have and not (meta and _same_resource(meta.get("url", ""), media.url)):
            have = 0  # a part we know nothing about, or of another player's file: restart
        headers = {"Accept": "*/*", "Accept-Encoding": "identity", **media.headers}
        if have:
            headers["Range"] = f"bytes={have}-"
            if _validator(meta):
                headers["If-Range"] = _validator(meta)
        resp = _open_response(client, media.url, headers)
        if resp is None:
            if meta.get("total") == have:
                progress(have, have, 0.0)
                return TransferResult(part, have, 0, meta.get("ext") or "mp4")
            part.unlink(missing_ok=True)
            continue
        with resp:
            return _stream(resp, media, part, meta, have, progress, max_bytes=max_bytes,
                           should_stop=should_stop, min_bytes=min_bytes)
    raise DownloadError("The server refuses to send the file from the start (HTTP 416).")


def _extension(resp: requests.Response, media: MediaSource, sniffed: str | None) -> str:
    return file_extension(resp.url, media.url, sniffed=sniffed,
                          content_type=resp.headers.get("Content-Type", ""),
                          disposition=resp.headers.get("Content-Disposition", ""))


def _judge_resumed(part: Path, content_type: str) -> str | None:
    """Judge a resumed transfer by the part file's start (the new bytes are its middle)."""
    try:
        return judge(_part_head(part), content_type)
    except NotAVideo:
        discard_part(part)
        raise


def _stream(resp: requests.Response, media: MediaSource, part: Path, meta: dict[str, Any],
            have: int, progress: ProgressCallback, *, max_bytes: int, should_stop: StopCheck,
            min_bytes: int) -> TransferResult:
    offset, total = _check_response(resp, have, max_bytes, min_bytes)
    if offset and total is not None and meta.get("total") not in (None, total):
        part.unlink(missing_ok=True)
        raise DownloadError("The file on the server changed size since the last attempt; "
                            "the download will be retried from the start.")
    ctype = resp.headers.get("Content-Type", "")
    sniffed = _judge_resumed(part, ctype) if offset else None
    check_free_space(part.parent, None if total is None else total - offset)
    sidecar = {"url": media.url, "etag": resp.headers.get("ETag"),
               "last_modified": resp.headers.get("Last-Modified"), "total": total,
               "ext": _extension(resp, media, sniffed)}
    _save_meta(part, sidecar)
    done = offset
    buf = bytearray(CHUNK)
    meter = SpeedMeter()
    fd = os.open(part, os.O_WRONLY | os.O_CREAT, 0o644)
    pump = copy_pump(resp, fd, buf)
    close_splice: Any = None
    try:
        if os.fstat(fd).st_size != offset:
            # Only when needed: ext4 flushes a file truncated to 0 on close (auto_da_alloc).
            os.ftruncate(fd, offset)
        os.lseek(fd, offset, os.SEEK_SET)
        while True:
            if should_stop():
                raise Stopped("The download was cancelled.")
            n = _pump_once(pump, part, done, total)
            if not n:
                break
            if done == 0:  # the container's first bytes: judged before anything else
                sniffed = judge(bytes(buf[:min(n, HEAD_BYTES)]), ctype)
                if _extension(resp, media, sniffed) != sidecar["ext"]:
                    sidecar["ext"] = _extension(resp, media, sniffed)
                    _save_meta(part, sidecar)
            if close_splice is None and total is not None:
                spliced = splice_pump(resp, fd, TIMEOUT[1])
                close_splice = False
                if spliced is not None:
                    pump, close_splice = spliced
            done += n
            if done > max_bytes:
                raise TooLarge(f"The file is over the limit of {human_size(max_bytes)} "
                               "(MAX_FILE_SIZE_MB).")
            progress(done, total, meter.update(done - offset))
    except (NotAVideo, TooLarge):
        discard_part(part)
        raise
    finally:
        os.close(fd)
        if close_splice:
            close_splice()
    if total is not None and done != total:
        raise DownloadError(f"The server sent {human_size(done)} of {human_size(total)} "
                            "and closed the connection; the download will resume.")
    if done < min_bytes:
        raise NotAVideo(f"not a video: the file is only {human_size(done)} "
                        f"(a video file has at least {human_size(min_bytes)}).")
    progress(done, total if total is not None else done, meter.speed)
    return TransferResult(part, done, done - offset, str(sidecar["ext"]))
