"""Disk-space checks and the sentences that explain them to a person."""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

from webapp.downloading.engines.base import NotEnoughSpace
from webapp.infra import disk

# Errors that mean "the disk (or the quota, or the file-size limit) is full".
SPACE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


def human_size(n: float | None) -> str:
    """1536 -> '1.5 KB' (powers of 1024, the unit file managers show)."""
    if n is None:
        return "unknown size"
    value = float(n)
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if abs(value) < 1024 or unit == "TB":
            return f"{int(value)} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def free_bytes(directory: Path) -> int:
    """Free bytes for an unprivileged writer on the filesystem holding `directory`."""
    return disk.free_bytes(directory)


def disk_size(directory: Path) -> int:
    """The whole size of the filesystem holding `directory`."""
    path = Path(directory)
    while not path.exists() and path != path.parent:
        path = path.parent
    return shutil.disk_usage(path).total


def not_enough_space(directory: Path, needed: int | None) -> NotEnoughSpace:
    """The NotEnoughSpace error with the figures of now.

    A file that would fit once space is freed is retried by itself after the download's
    backoff (the disk may be cleaned meanwhile); one larger than the whole disk is not.
    """
    figures = (f"not enough space (needs {human_size(needed)}, has "
               f"{human_size(free_bytes(directory))}) in {directory}")
    if needed is not None and needed > disk_size(directory):
        error = NotEnoughSpace(f"{figures}: the file is larger than the whole disk.")
        error.retryable = False
        return error
    error = NotEnoughSpace(f"{figures}; free some space: the download is tried again by "
                           "itself.")
    error.retryable = True
    return error


def check_free_space(directory: Path, needed: int | None) -> None:
    """Raise NotEnoughSpace when `directory`'s disk has less than `needed` bytes free."""
    if needed is None or needed <= 0:
        return
    if free_bytes(directory) < needed:
        raise not_enough_space(directory, needed)
