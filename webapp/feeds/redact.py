"""Keep feed tokens out of the web server's logs.

Feed URLs carry their token in the query string (`?token=wl_...`). The web server of the
pool runs gunicorn without an access log, but its error log names the request URI when a
request breaks, a deployment may turn the access log on, and the development server
(`flask run`, the browser tests' server) logs every request line. A filter on those loggers
rewrites `token=<value>` to `token=[redacted]` in each record before any handler sees it.
"""

from __future__ import annotations

import logging
import re

SERVER_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")
_TOKEN = re.compile(r"(?i)(\btoken=)[^&\s\"']+")
REDACTED = r"\1[redacted]"


def redact(text: str) -> str:
    """`text` with the value of every `token=` parameter replaced."""
    return _TOKEN.sub(REDACTED, text)


class TokenRedactingFilter(logging.Filter):
    """Rewrites a record whose message carries a `token=` parameter; never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the formatted message (arguments included) in place."""
        try:
            message = record.getMessage()
        except (TypeError, ValueError):   # a malformed record: leave it to the handler
            return True
        if "token=" in message.lower():
            record.msg, record.args = redact(message), None
        return True


_FILTER = TokenRedactingFilter()


def redact_server_logs() -> None:
    """Install the filter on the web servers' loggers (once per process)."""
    for name in SERVER_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
