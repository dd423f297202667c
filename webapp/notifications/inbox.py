"""In-app notifications, and their delivery through Apprise (Discord, ntfy, email, ...).

`notify` adds a row in the caller's transaction. When the user has notification targets,
the delivery job is enqueued only once that transaction commits (never for a rollback),
and runs on a worker with retries: a slow or failing target never slows a check.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import apprise
import redis
from flask import current_app
from rq import Retry
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from webapp.clock import utcnow
from webapp.extensions import db, get_queue
from webapp.models import Notification, UserSettings, WatchlistItem
from webapp.notifications.targets import TargetRefused, check_target
from webapp.sites.http.guard import private_policy

log = logging.getLogger(__name__)

KINDS = ("new_episodes", "download_completed", "download_failed", "source_error")
TITLES = {
    "new_episodes": "New episodes",
    "download_completed": "Download finished",
    "download_failed": "Download failed",
    "source_error": "A source keeps failing",
}
NOTIFY_TYPES = {
    "new_episodes": apprise.NotifyType.INFO,
    "download_completed": apprise.NotifyType.SUCCESS,
    "download_failed": apprise.NotifyType.FAILURE,
    "source_error": apprise.NotifyType.WARNING,
}
DELIVERY_JOB = "workers.notify.deliver_notification_job"
DELIVERY_QUEUE = "default"
DELIVERY_RETRY_INTERVALS = [30, 120, 600]
MAX_TARGETS = 20
_PENDING = "pending_notification_deliveries"


class DeliveryFailed(RuntimeError):
    """Apprise could not deliver to every target; the job is retried."""


def silenced(item_id: str | None) -> bool:
    """Whether the item's owner turned its notifications off (`notify: false`)."""
    if item_id is None:
        return False
    return db.session.scalar(select(WatchlistItem.notify)
                             .where(WatchlistItem.id == item_id)) is False


def notify(user_id: int, kind: str, message: str,
           item_id: str | None = None) -> Notification | None:
    """Add a notification for the user in the current session (the caller commits);
    None when the item's notifications are silenced."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r} (one of {', '.join(KINDS)})")
    if silenced(item_id):
        return None
    note = Notification(user_id=user_id, kind=kind, message=message, item_id=item_id,
                        created_at=utcnow())
    db.session.add(note)
    targets = db.session.scalar(select(UserSettings.notification_urls)
                                .where(UserSettings.user_id == user_id))
    if targets:
        db.session().info.setdefault(_PENDING, []).append(note)
    return note


@event.listens_for(Session, "after_commit")
def _enqueue_after_commit(session: Session) -> None:
    for note in session.info.pop(_PENDING, []):
        enqueue_delivery(note.id)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def enqueue_delivery(notification_id: int) -> str | None:
    """Queue the Apprise delivery of one notification; None when Redis is unreachable."""
    try:
        job = get_queue(DELIVERY_QUEUE).enqueue(
            DELIVERY_JOB, notification_id, job_timeout=120, result_ttl=300,
            failure_ttl=7 * 86400, retry=Retry(max=len(DELIVERY_RETRY_INTERVALS),
                                               interval=DELIVERY_RETRY_INTERVALS))
    except (redis.RedisError, RuntimeError) as exc:
        # The row is kept (delivered_at stays empty); only the push is lost.
        log.warning("could not queue delivery of notification %s: %s", notification_id, exc)
        return None
    return job.id


def deliver(notification_id: int) -> bool:
    """Send one notification to the owner's Apprise targets; True when it was sent now."""
    note = db.session.get(Notification, notification_id)
    if note is None or note.delivered_at is not None:
        return False
    targets = db.session.scalar(select(UserSettings.notification_urls)
                                .where(UserSettings.user_id == note.user_id)) or []
    policy = private_policy(current_app.config.get("ALLOW_PRIVATE_HOSTS") or "")
    sender = apprise.Apprise()
    for url in targets:
        try:
            check_target(url, policy, must_resolve=True)
        except TargetRefused as exc:
            log.warning("notification %s not sent to a refused target: %s", notification_id, exc)
            continue
        sender.add(url)
    if len(sender) == 0:
        return False
    sent = sender.notify(title=TITLES[note.kind], body=note.message,
                         notify_type=NOTIFY_TYPES[note.kind])
    if not sent:
        raise DeliveryFailed(f"Notification {notification_id} could not be delivered to "
                             "every target; check the notification URLs in your settings.")
    note.delivered_at = utcnow()
    db.session.commit()
    return True


def validate_targets(urls: Iterable[str]) -> list[str]:
    """Check Apprise URLs; raises ValueError naming the first one Apprise does not accept."""
    cleaned = [u.strip() for u in urls if u and u.strip()]
    if len(cleaned) > MAX_TARGETS:
        raise ValueError(f"At most {MAX_TARGETS} notification targets are allowed.")
    policy = private_policy(current_app.config.get("ALLOW_PRIVATE_HOSTS") or "")
    for url in cleaned:
        if not apprise.Apprise().add(url):
            raise ValueError(f"{url[:80]!r} is not a notification URL Apprise understands "
                             "(see https://github.com/caronc/apprise/wiki).")
        try:
            check_target(url, policy, must_resolve=False)
        except TargetRefused as exc:
            raise ValueError(f"The server may not send notifications there: {exc}") from None
    return cleaned


def set_targets(user_id: int, urls: Iterable[str]) -> list[str]:
    """Replace the user's Apprise URLs after checking them; returns what was saved."""
    cleaned = validate_targets(urls)
    settings = db.session.get(UserSettings, user_id)
    if settings is None:
        settings = UserSettings(user_id=user_id)
        db.session.add(settings)
    settings.notification_urls = cleaned
    db.session.commit()
    return cleaned


def list_notifications(user_id: int, unread: bool = False, limit: int = 100) -> list[Notification]:
    """The user's notifications, newest first."""
    stmt = select(Notification).where(Notification.user_id == user_id)
    if unread:
        stmt = stmt.where(Notification.read_at.is_(None))
    stmt = stmt.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
    return list(db.session.scalars(stmt))


def mark_read(user_id: int, ids: list[int] | None = None, all: bool = False) -> int:  # noqa: A002
    """Mark notifications read (the given ids, or every unread one); returns how many."""
    if not all and not ids:
        return 0
    stmt = update(Notification).where(Notification.user_id == user_id,
                                      Notification.read_at.is_(None))
    if not all:
        stmt = stmt.where(Notification.id.in_(ids))
    result = db.session.execute(stmt.values(read_at=utcnow()))
    db.session.commit()
    return result.rowcount


def unread_count(user_id: int) -> int:
    """How many of the user's notifications are unread."""
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0
