"""Feeds a calendar app or a feed reader subscribes to (SPEC §4): `/feeds/calendar.ics`,
`/feeds/downloads.xml`, `/feeds/new-episodes.xml` (and the downloads feed's enclosures,
`/feeds/files/<id>`).

Readers cannot send headers, so the token comes in the query string (`?token=`) and must
carry the `feeds` scope; a `feeds` token opens nothing else, and no other token opens a
feed. Every feed shows only its token owner's data. Responses are `Cache-Control: private`,
and the server's own request logs show such tokens redacted (webapp.feeds.redact).
"""

from __future__ import annotations

from flask import Blueprint, Response, g, request

from webapp.auth.tokens import authenticate_token
from webapp.errors import error_response

FEEDS_SCOPE = "feeds"

bp = Blueprint("feeds", __name__, url_prefix="/feeds")


@bp.before_request
def require_feeds_token() -> Response | None:
    """401 without a valid token, 403 for a token lacking the `feeds` scope."""
    auth = authenticate_token(request.args.get("token", ""))
    if auth is None:
        return private(error_response(
            401, "A valid feeds token is required (?token=...); create one on the settings "
                 "page."))
    if FEEDS_SCOPE not in auth.scopes:
        return private(error_response(403, "This token lacks the 'feeds' scope."))
    g.feed_auth = auth
    g.feed_user = auth.user
    return None


def feed_user_id() -> int:
    """The id of the user whose token opened this feed."""
    return g.feed_user.id


def private(resp: Response) -> Response:
    """Mark a feed response as one user's: no shared cache may keep it."""
    resp.cache_control.private = True
    resp.cache_control.public = False
    return resp


def register_feeds(app) -> None:  # noqa: ANN001 - the Flask app
    """Attach the feed routes, and keep their tokens out of the server's request logs."""
    from webapp.feeds import atom, calendar_ics  # noqa: F401  (register routes)
    from webapp.feeds.redact import redact_server_logs

    app.register_blueprint(bp)
    redact_server_logs()
