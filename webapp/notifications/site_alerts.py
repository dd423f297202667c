"""Tell the admins, once, when a site's or a video host's pages change under the parsers.

Both pipeline stages that talk to sites report here: a check with what its provider did,
a download with what each player's host did. Every result goes to the site watch
(webapp.infra.site_watch); the first layout change since the site last parsed becomes a
`source_error` notification for every admin (the caller's transaction commits it), and
nothing more is sent until the site parses again.
"""

from __future__ import annotations

from sqlalchemy import select

from webapp.extensions import db, get_redis
from webapp.infra import site_watch
from webapp.models import User
from webapp.notifications.inbox import notify
from webapp.sites.types import HostLayoutChanged, LayoutChanged


def is_layout_change(error: BaseException) -> bool:
    """Whether the error says the page's shape changed (not an outage or a removal)."""
    return isinstance(error, LayoutChanged | HostLayoutChanged)


def observe(kind: str, name: str, label: str, error: BaseException | None = None) -> None:
    """Record a provider's or host's result; alert the admins when it newly breaks."""
    conn = get_redis()
    if error is None:
        site_watch.record_success(conn, kind, name)
        return
    newly_broken = site_watch.record_failure(conn, kind, name, str(error),
                                             layout_changed=is_layout_change(error))
    if newly_broken:
        what = "site" if kind == site_watch.PROVIDER else "video host"
        message = (f"{label} ({what}) changed its pages: {error} Until the app reads the new "
                   "layout, this fails for every user; Admin → Health shows when it recovers.")
        for admin_id in db.session.scalars(select(User.id).where(
                User.is_admin.is_(True), User.disabled.is_(False))):
            notify(admin_id, "source_error", message)
