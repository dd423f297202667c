"""The API JSON of a download (SPEC §4), with live figures from Redis while it runs."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import redis

from webapp.clock import isoformat
from webapp.models import Download
from webapp.schemas import episode_number

log = logging.getLogger(__name__)
FINISHED = ("completed", "failed", "cancelled")


def _number(value: Any, kind: type) -> Any:
    if value in (None, ""):
        return None
    try:
        return kind(float(value))
    except (TypeError, ValueError):
        return None


def download_to_dict(download: Download, live: dict[str, Any] | None = None) -> dict[str, Any]:
    """The SPEC shape of a download; `live` (read_progress) overrides figures while running."""
    data: dict[str, Any] = {
        "id": download.id,
        "item_id": download.item_id,
        "anime_title": download.item.anime_title if download.item is not None else "",
        "episode": episode_number(download.episode),
        "status": download.status,
        "attempts": download.attempts or 0,
        "error": download.error,
        "player": download.player,
        "bytes_done": download.bytes_done or 0,
        "bytes_total": download.bytes_total,
        "speed_bps": None,
        "eta_seconds": None,
        "path": download.path,
        "created_at": isoformat(download.created_at),
        "started_at": isoformat(download.started_at),
        # A pending row keeps the end of its last failed attempt there (for the backoff).
        "finished_at": isoformat(download.finished_at) if download.status in FINISHED else None,
        "resolution": download.resolution,  # the video's height in lines, when known
    }
    if download.status != "running" or not live:
        return data
    done = _number(live.get("bytes_done", live.get("bytes")), int)
    if done is not None:
        data["bytes_done"] = done
    total = _number(live.get("bytes_total", live.get("total")), int)
    if total is not None:
        data["bytes_total"] = total or None
    data["speed_bps"] = _number(live.get("speed_bps", live.get("speed")), float)
    data["eta_seconds"] = _number(live.get("eta_seconds", live.get("eta")), float)
    if live.get("player"):
        data["player"] = live["player"]
    return data


def live_progress(conn: redis.Redis | None,
                  downloads: Iterable[Download]) -> dict[int, dict[str, Any]]:
    """Live figures of the running downloads among `downloads` ({} when Redis is down)."""
    running = [d.id for d in downloads if d.status == "running"]
    if conn is None or not running:
        return {}
    from webapp.downloading.engines.progress import read_progress

    out: dict[int, dict[str, Any]] = {}
    try:
        for download_id in running:
            figures = read_progress(conn, download_id)
            if figures:
                out[download_id] = figures
    except redis.RedisError as exc:
        log.warning("live progress unavailable: %s", exc)
    return out
