"""Tuning knobs of the download manager and the Redis key names it shares with the jobs.

Each knob is read from the app config, else from the environment (so `rq worker`
processes started by tests or operators can tune them), else a default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

QUEUE = "downloads"
JOB_PATH = "workers.downloads.download_episode_job"

DEFAULTS: dict[str, Any] = {
    # Seconds a download job may run before RQ kills it (a big file on a slow host).
    "DOWNLOAD_JOB_TIMEOUT": 6 * 3600,
    # A running download whose heartbeat is older than this is taken for dead.
    "DOWNLOAD_HEARTBEAT_SECONDS": 60,
    # Waits between automatic attempts after every player failed; then `failed`.
    "DOWNLOAD_RETRY_INTERVALS": (60, 600, 3600),
}

DISPATCH_LOCK = "lock:downloads:dispatch"


def job_id(download_id: int) -> str:
    """The RQ job id of a download (one per row, so a second enqueue cannot duplicate it)."""
    return f"download-{download_id}"


def heartbeat_key(download_id: int) -> str:
    """Set by the running job every few seconds; its expiry means the worker died."""
    return f"heartbeat:download:{download_id}"


def cancel_key(download_id: int) -> str:
    """Set by `cancel`; the running job polls it and stops."""
    return f"cancel:download:{download_id}"


def transfer_key(source_id: int, episode: float) -> str:
    """Held by the one download transferring this (source, episode) for every user."""
    return f"transfer:source:{source_id}:episode:{episode:g}"


def _parse(name: str, raw: Any) -> Any:
    if name == "DOWNLOAD_RETRY_INTERVALS":
        if isinstance(raw, str):
            raw = [part for part in raw.split(",") if part.strip()]
        return tuple(float(v) for v in raw)
    return float(raw)


def setting(config: Mapping[str, Any], name: str) -> Any:
    """A knob's value: app config, else environment variable, else the default."""
    raw = config.get(name)
    if raw is None:
        raw = os.environ.get(name)
    if raw is None or raw == "":
        return DEFAULTS[name]
    try:
        return _parse(name, raw)
    except (TypeError, ValueError):
        raise ValueError(f"configuration error: {name}={raw!r} is not valid") from None


def partial_dir(config: Mapping[str, Any]) -> Path:
    """Where transfers are written before the move into the library (same filesystem)."""
    return Path(config["DOWNLOAD_DIR"]) / ".partial"


def part_path(config: Mapping[str, Any], download_id: int) -> Path:
    """The part file of one download; a resumed attempt of the same row finds it again."""
    return partial_dir(config) / f"{download_id}.part"


def remove_parts(config: Mapping[str, Any], download_id: int) -> None:
    """Delete a download's part file and whatever the engines keep beside it."""
    from webapp.downloads import discard_partial

    discard_partial(part_path(config, download_id))
