"""The library's disk figures: free space of DOWNLOAD_DIR and the size of the library.

Free space is one `statvfs` call. The library's size walks DOWNLOAD_DIR (part files
excluded), so it is kept for a minute per process: health probes and page refreshes never
walk a large library more than once a minute.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

LIBRARY_SIZE_SECONDS = 60.0
PARTIAL_DIR = ".partial"

_cache: dict[str, tuple[float, int]] = {}
_lock = threading.Lock()


def free_bytes(directory: str | Path) -> int:
    """Free bytes for an unprivileged writer on the filesystem holding `directory`
    (its nearest existing parent when it does not exist yet)."""
    path = Path(directory)
    while not path.exists() and path != path.parent:
        path = path.parent
    return shutil.disk_usage(path).free


def _walk_size(root: str) -> int:
    total = 0
    for folder, dirs, files in os.walk(root):
        if folder == root and PARTIAL_DIR in dirs:
            dirs.remove(PARTIAL_DIR)
        for name in files:
            try:
                total += os.lstat(os.path.join(folder, name)).st_size
            except OSError:
                continue  # removed while we walked
    return total


def library_bytes(directory: str | Path, max_age: float = LIBRARY_SIZE_SECONDS) -> int:
    """Bytes of the finished files under `directory` (computed at most once per `max_age`)."""
    root = os.path.abspath(str(directory))
    now = time.monotonic()
    with _lock:
        cached = _cache.get(root)
        if cached is not None and now - cached[0] < max_age:
            return cached[1]
    size = _walk_size(root) if os.path.isdir(root) else 0
    with _lock:
        _cache[root] = (now, size)
    return size


def disk_report(directory: str | Path) -> dict[str, int | None]:
    """`{"free_bytes", "library_bytes"}` of the library (None for a figure not readable)."""
    report: dict[str, int | None] = {"free_bytes": None, "library_bytes": None}
    try:
        report["free_bytes"] = free_bytes(directory)
    except OSError:
        pass
    try:
        report["library_bytes"] = library_bytes(directory)
    except OSError:
        pass
    return report
