"""The download manager's names and knobs: the queue, the job's path and id, part files.

The knobs (DOWNLOAD_JOB_TIMEOUT, DOWNLOAD_HEARTBEAT_SECONDS, DOWNLOAD_RETRY_INTERVALS)
are read from the environment by webapp.config only; `setting` reads them from the app
config.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

QUEUE = "downloads"
JOB_PATH = "workers.downloads.download_episode_job"


def job_id(download_id: int) -> str:
    """The RQ job id of a download (one per row, so a second enqueue cannot duplicate it)."""
    return f"download-{download_id}"


def setting(config: Mapping[str, Any], name: str) -> Any:
    """A download knob from the app config (webapp.config reads it from the environment);
    tests may set it as a number, a tuple or the environment's text form."""
    raw = config[name]
    if name == "DOWNLOAD_RETRY_INTERVALS":
        if isinstance(raw, str):
            raw = [part for part in raw.split(",") if part.strip()]
        return tuple(float(v) for v in raw)
    return float(raw)


def partial_dir(config: Mapping[str, Any]) -> Path:
    """Where transfers are written before the move into the library (same filesystem)."""
    return Path(config["DOWNLOAD_DIR"]) / ".partial"


def part_path(config: Mapping[str, Any], download_id: int) -> Path:
    """The part file of one download; a resumed attempt of the same row finds it again."""
    return partial_dir(config) / f"{download_id}.part"


def remove_parts(config: Mapping[str, Any], download_id: int) -> None:
    """Delete a download's part file and whatever the engines keep beside it."""
    from webapp.downloading.engines.transfer import discard_partial

    discard_partial(part_path(config, download_id))
