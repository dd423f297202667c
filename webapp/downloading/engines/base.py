"""The download-engine contract shared by the HTTP (Range) and HLS engines."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# progress(bytes_done, bytes_total_or_None, speed_bytes_per_second)
ProgressCallback = Callable[[int, int | None, float], None]
StopCheck = Callable[[], bool]


class DownloadError(Exception):
    """A transfer failed; `retryable` says whether trying later may help."""

    retryable = True


class NotEnoughSpace(DownloadError):
    """The library's disk cannot hold the file: 'not enough space (needs X, has Y)'."""

    retryable = False


class NotAVideo(DownloadError):
    """The URL answered HTML, or something too small to be an episode."""

    retryable = False


class TooLarge(DownloadError):
    """The file is larger than MAX_FILE_SIZE_MB."""

    retryable = False


class Stopped(DownloadError):
    """The transfer was stopped because the download was cancelled."""

    retryable = False


@dataclass(frozen=True)
class TransferResult:
    """A finished transfer: the complete file (still in .partial/) and what it cost."""

    path: Path
    bytes_total: int
    bytes_fetched: int  # bytes transferred by this run (a resume fetches less)
    extension: str      # e.g. "mp4", "mkv" (from the URL or content type)
