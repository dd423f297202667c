"""Job: deliver one notification through Apprise (retried with backoff by RQ)."""

from __future__ import annotations

from workers.context import app_job


@app_job
def deliver_notification_job(notification_id: int) -> bool:
    """Send the notification to its owner's targets; raises so RQ retries a failure."""
    from webapp.notifications.inbox import deliver

    return deliver(notification_id)
