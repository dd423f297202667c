"""DownloadManager: dispatch under the limits, on-demand episodes, retry, cancel, recovery.

Flow (DESIGN flows 3-4): rows are created `pending` (by a check or on demand);
`dispatch_pending` moves the oldest ones to `queued` under each owner's
`max_concurrent_auto_downloads` and the install's `MAX_PARALLEL_DOWNLOADS`, and enqueues
the job `download-<id>` (workers.downloads.download_episode_job -> `run_download`); the
job claims the row (`running`), transfers or adopts the shared file, and ends
`completed`, back in `pending` for a retry after its backoff, or `failed`; then it
dispatches the next. `recover_stalled` resumes downloads whose worker died.
"""

from webapp.download_manager.control import (
    cancel,
    get_download,
    list_downloads,
    request_episode,
    retry,
)
from webapp.download_manager.dispatch import dispatch_pending, enqueue_download
from webapp.download_manager.finish import advance_item
from webapp.download_manager.job import run_download
from webapp.download_manager.naming import library_title, season_of
from webapp.download_manager.recovery import prune_part_files, recover_stalled
from webapp.download_manager.serialize import download_to_dict, live_progress

__all__ = [
    "advance_item", "cancel", "dispatch_pending", "download_to_dict", "enqueue_download",
    "get_download", "library_title", "list_downloads", "live_progress", "prune_part_files",
    "recover_stalled", "request_episode", "retry", "run_download", "season_of",
]
