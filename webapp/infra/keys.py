"""Every Redis key the app uses, in one place (besides RQ's own queues, jobs and registries).

Redis holds only what may be lost: locks, live progress, rate limits and short-lived
marks; the database holds everything that must last. sites/ cannot import the app, so
its two keys are spelled in sites/ and only listed here.
"""

from __future__ import annotations

from webapp.sites.http.ratelimit import KEY_PREFIX as HOST_RATE_PREFIX
from webapp.sites.providers.search import DOWN_KEY as PROVIDER_DOWN_PREFIX

__all__ = ["HOST_RATE_PREFIX", "PROVIDER_DOWN_PREFIX"]  # ratelimit:host:<host>, provider:down:<id>

# --- login -------------------------------------------------------------------------------
LOGIN_FAILURES_PREFIX = "ratelimit:login:"

# --- checks -------------------------------------------------------------------------------
CHECK_DISPATCHED = "check:dispatched"   # when a check last dispatched downloads


def check_lock(source_id: int) -> str:
    """Held while a check of the source runs."""
    return f"check:source:{int(source_id)}"


def check_manual(source_id: int) -> str:
    """Items a manual check asked for, counted by the next run of the source."""
    return f"check:manual:{int(source_id)}"


def check_run(source_id: int) -> str:
    """The last run of the source: its times, and results for the manual checks of it."""
    return f"check:run:{int(source_id)}"


def check_enqueue_lock(source_id: int) -> str:
    """Held while a check of the source is being enqueued."""
    return f"check:enqueue:{int(source_id)}"


# --- downloads ----------------------------------------------------------------------------
DISPATCH_LOCK = "lock:downloads:dispatch"
PROGRESS_PREFIX = "progress:download:"


def download_progress(download_id: int | str) -> str:
    """Hash of a running download's live figures (bytes, total, speed, eta)."""
    return f"{PROGRESS_PREFIX}{download_id}"


def download_heartbeat(download_id: int) -> str:
    """Set by the running job every few seconds; its expiry means the worker died."""
    return f"heartbeat:download:{download_id}"


def download_cancel(download_id: int) -> str:
    """Set by `cancel`; the running job polls it and stops."""
    return f"cancel:download:{download_id}"


def episode_transfer(source_id: int, episode: float) -> str:
    """Held by the one download transferring this (source, episode) for every user."""
    return f"transfer:source:{source_id}:episode:{episode:g}"
