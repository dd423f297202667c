"""Admin: system health (the /healthz checks), queue lengths, failed jobs with retry, and
the site watch (each provider's and video host's last good parse and last failure)."""

from __future__ import annotations

import logging
from typing import Any

import redis
from flask import flash, request, url_for
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.registry import FailedJobRegistry
from werkzeug.wrappers import Response

from webapp.extensions import QUEUE_NAMES, get_queue, get_redis
from webapp.infra import site_watch
from webapp.infra.health import health_report
from webapp.pages import bp
from webapp.pages.admin import admin_required
from webapp.pages.errors import error_page
from webapp.pages.htmx import back_to, is_htmx, page_or_fragment

log = logging.getLogger(__name__)
FAILED_SHOWN = 50


def _last_line(text: str | None) -> str:
    lines = [line for line in (text or "").strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def queue_overview() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Per queue: waiting, running and failed counts; and the most recent failed jobs."""
    conn = get_redis()
    queues, failed = [], []
    for name in QUEUE_NAMES:
        queue = get_queue(name, conn)
        registry = FailedJobRegistry(queue=queue)
        queues.append({"name": name, "waiting": queue.count,
                       "running": queue.started_job_registry.count,
                       "failed": registry.count})
        for job in queue.job_class.fetch_many(registry.get_job_ids(0, FAILED_SHOWN - 1),
                                              connection=conn):
            if job is not None:
                failed.append({"id": job.id, "queue": name, "description": job.description,
                               "ended_at": job.ended_at, "error": _last_line(job.exc_info)})
    failed.sort(key=lambda j: j["ended_at"] or 0, reverse=True)
    return queues, failed[:FAILED_SHOWN]


def watched_sites() -> list[site_watch.SiteState]:
    """Every provider and video host with what the site watch last saw of it."""
    from webapp.checking.site_feed import feed_watch_name
    from webapp.sites.hosts.registry import HOST_CLASSES
    from webapp.sites.providers.registry import PROVIDER_CLASSES

    sites = [(site_watch.PROVIDER, cls.id, cls.name) for cls in PROVIDER_CLASSES]
    sites += [(site_watch.PROVIDER, feed_watch_name(cls.id), f"{cls.name} (recently added page)")
              for cls in PROVIDER_CLASSES if cls.has_site_feed]
    sites += [(site_watch.HOST, cls.id, cls.name) for cls in HOST_CLASSES]
    return site_watch.snapshot(get_redis(), sites)


def media_failures() -> list[tuple[str, str]]:
    """(server, reason) of each media server whose last refresh failed."""
    from webapp.notifications.media_servers import LABELS, statuses

    return [(LABELS[kind], state.get("last_reason", "")) for kind, state in statuses().items()
            if state.get("failing")]


def _health_context(**extra: Any) -> dict[str, Any]:
    report, _serving = health_report()
    queues: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    queue_error = None
    try:
        queues, failed = queue_overview()
    except redis.RedisError as exc:
        queue_error = f"Queues cannot be read: Redis does not answer ({type(exc).__name__})."
    return {"report": report, "queues": queues, "failed": failed, "queue_error": queue_error,
            "sites": watched_sites(), "media_failures": media_failures(), **extra}


@bp.get("/admin/health")
@admin_required
def admin_health() -> Response:
    """Processes, queues and failed jobs; refreshes itself every few seconds."""
    return page_or_fragment("admin/health.html", "admin/_health.html", **_health_context())


@bp.post("/admin/jobs/<job_id>/retry")
@admin_required
def admin_retry_job(job_id: str) -> Response:
    """Put a failed job back on its queue."""
    queue_name = request.form.get("queue", "")
    if queue_name not in QUEUE_NAMES:
        return error_page(404, "No such queue.")
    try:
        FailedJobRegistry(queue=get_queue(queue_name)).requeue(job_id)
    except (NoSuchJobError, InvalidJobOperation):
        return error_page(404, "This job is no longer in the failed list.")
    except redis.RedisError:
        return error_page(503, "Redis does not answer: the job cannot be retried now.")
    message = f"Job {job_id} is queued again."
    if not is_htmx():
        flash(message, "success")
    return back_to(url_for("pages.admin_health"), "admin/_health.html",
                   **_health_context(message=message))
