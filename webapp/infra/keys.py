"""Every Redis key the app uses, in one place (besides RQ's own queues, jobs and registries).

Redis holds only what may be lost: locks, live progress, rate limits and short-lived
marks; the database holds everything that must last.

sites/ cannot import the app, so its two keys are spelled there and only named here (not
imported: that would load every provider into each process that uses a key):
`ratelimit:host:<host>` (webapp.sites.http.ratelimit.KEY_PREFIX, the per-host pacing)
and `provider:down:<id>` (webapp.sites.providers.search.DOWN_KEY, a site that failed to
answer a search a few minutes ago).
"""

from __future__ import annotations

# --- login -------------------------------------------------------------------------------
LOGIN_FAILURES_PREFIX = "ratelimit:login:"

# --- checks -------------------------------------------------------------------------------
CHECK_DISPATCHED = "check:dispatched"   # when a check last dispatched downloads
COMPLETION_TURN = "completion:turn"     # held an hour by the tick that ran smart completion
HOUSEKEEPING_TURN = "housekeeping:turn"  # held 10 min by the tick that tidied up
BACKUP_TURN = "backup:turn"             # held BACKUP_EVERY_HOURS by the tick that sent a backup


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


def download_suspect(download_id: int | str) -> str:
    """When a running download's heartbeat was first found missing (recovery waits)."""
    return f"download:suspect:{download_id}"


def digest_held(item_id: str) -> str:
    """Episodes of an item whose "in the library" message waits for the rest of a burst."""
    return f"digest:held:{item_id}"


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


# --- site watch ---------------------------------------------------------------------------
SITE_WATCH_PREFIX = "site:watch:"


def site_watch(kind: str, name: str) -> str:
    """Hash of a provider's or host's last good parse, last failure and broken mark."""
    return f"{SITE_WATCH_PREFIX}{kind}:{name}"


# --- fast detection ------------------------------------------------------------------------
def site_feed(provider_id: str) -> str:
    """Hash of a site's recently-added page: the validators of its last fetch."""
    return f"feed:site:{provider_id}"


def site_feed_turn(provider_id: str) -> str:
    """Set for a minute when a tick sends a site's feed job: one fetch per site per minute."""
    return f"feed:turn:{provider_id}"


# --- new seasons (anime pages) --------------------------------------------------------------
def hub_read_turn(provider_id: str) -> str:
    """Set for a minute when a tick sends a hub read of the site: one hub per site a minute."""
    return f"seasons:turn:{provider_id}"


def hub_claim(hub_id: int) -> str:
    """Held while a read of the hub is queued or running (no second job meanwhile)."""
    return f"seasons:claim:{int(hub_id)}"


def hub_validators(hub_id: int) -> str:
    """Hash of an anime page's validators (ETag, Last-Modified) from its last full read."""
    return f"seasons:hub:{int(hub_id)}"


# --- release predictions and the calendar feed ----------------------------------------------
def site_planning(provider_id: str) -> str:
    """A site's weekly planning as parsed (JSON, with a TTL: read every few hours)."""
    return f"planning:site:{provider_id}"


def site_planning_turn(provider_id: str) -> str:
    """Held for a moment by the one check that fetches a site's planning."""
    return f"planning:turn:{provider_id}"


def calendar_feed(user_id: int) -> str:
    """Hash of a user's calendar feed as last built: its body and the digest of the rows
    it was built from (a day's TTL; rebuilt when the rows change)."""
    return f"feed:calendar:{int(user_id)}"


def calendar_feed_events(user_id: int) -> str:
    """Hash of the events of a user's calendar feed as last written, by fingerprint."""
    return f"feed:calendar:{int(user_id)}:events"


# --- the library's update (metadata files, media servers) -----------------------------------
LIBRARY_PLACED = "library:placed"            # set of download ids placed since the last update
LIBRARY_UPDATE_QUEUED = "library:update:queued"  # held while an update job waits (debounce)
MEDIA_SERVER_PREFIX = "media:server:"        # + kind: hash of its last refresh's result
