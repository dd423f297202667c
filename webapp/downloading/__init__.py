"""Stage 3, downloading: dispatch under the limits, the download job, failover, recovery.

Flow (docs/ARCHITECTURE.md): rows are created `pending` (by a check or on demand);
`dispatch.dispatch_pending` moves the oldest ones to `queued` under each owner's
`max_concurrent_auto_downloads` and the install's `MAX_PARALLEL_DOWNLOADS`, and enqueues
the job `download-<id>` (workers.downloads -> `job.run_download`); the job claims the row
(`running`), tries the players in order (`players.PlayerLoop`), and ends `completed`,
back in `pending` for a retry after its backoff, or `failed`; then it dispatches the
next. `recovery.recover_stalled` resumes downloads whose worker died. The engines that
move bytes are in `engines/`.
"""
