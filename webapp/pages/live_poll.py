"""The open page's poll (SPEC §6): every LIVE_POLL_SECONDS one small request asks whether
anything the user sees changed; the answer is 204 when nothing did, else the poll element
with new fingerprints and an `HX-Trigger` naming the changed channels (`live-items`,
`live-downloads`, `live-notes`). Page parts that show those things refresh themselves on
those events (`hx-trigger="live-items from:body"`), one request each.

With a 3-second poll and at most one refresh per part, a page makes about one request a
second at worst, and a change shows within the poll interval plus one request.
"""

from __future__ import annotations

import json

from flask import current_app, render_template, request
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.pages import bp
from webapp.pages.live import live_redis
from webapp.watchlist.changes import changed_channels, fingerprints, version

LIVE_POLL_SECONDS = 3


@bp.app_context_processor
def live_context() -> dict[str, object]:
    """`live_version()` and the poll interval for base.html's poll element."""
    def current() -> str:
        return version(fingerprints(current_user.id, live_redis()))

    return {"live_version": current,
            "live_poll_seconds": current_app.config.get("LIVE_POLL_SECONDS",
                                                        LIVE_POLL_SECONDS)}


@bp.get("/live")
def live_poll() -> Response:
    """204 while nothing changed; else the new poll element and the events to fire."""
    prints = fingerprints(current_user.id, live_redis())
    changed = changed_channels(request.args.get("v", ""), prints)
    if not changed:
        return Response(status=204, headers={"Cache-Control": "no-store"})
    body = render_template("_live.html", version=version(prints))
    return Response(body, headers={
        "Cache-Control": "no-store",
        "HX-Trigger": json.dumps({f"live-{channel}": True for channel in changed})})
