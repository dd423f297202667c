"""Where a notification target (an Apprise URL) connects, checked by the outgoing-URL guard.

A user's notification URL makes the server connect somewhere: for a hosted service
(Discord, Telegram, ntfy.sh...) to that service's fixed public address; for a
self-hosted one (json://, xml://, form://, ntfy://host, gotify://, mailto's SMTP
server...) to the host the URL names. That host goes through the same guard as every
other fetch (private and loopback addresses refused unless ALLOW_PRIVATE_HOSTS allows
them) when the URL is saved, and again before each delivery, so that a name re-pointed
at a private address later is refused too.
"""

from __future__ import annotations

import apprise

from webapp.sites.http.errors import ConnectionFailed, UrlRejected
from webapp.sites.http.guard import PrivatePolicy, check_address, resolve_host


class TargetRefused(ValueError):
    """A notification URL that would make the server connect where it may not."""


def connects_to(url: str) -> tuple[str, int] | None:
    """(host, port) a self-hosted target connects to; None for a hosted service or junk."""
    plugin = apprise.Apprise.instantiate(url)
    if plugin is None or getattr(type(plugin), "notify_url", None):
        return None  # a fixed public service endpoint
    if getattr(plugin, "mode", None) == "cloud":
        return None  # ntfy.sh
    host = getattr(plugin, "smtp_host", None) or getattr(plugin, "host", None)
    if not host:
        return None
    port = getattr(plugin, "port", None) or (443 if getattr(plugin, "secure", False) else 80)
    return str(host), int(port)


def check_target(url: str, policy: PrivatePolicy, *, must_resolve: bool) -> None:
    """Raise TargetRefused when `url` would connect to an address the guard refuses.

    A name that does not resolve is refused only when `must_resolve` (at delivery: the
    connection would fail anyway); when saving, the server may just be down for now.
    """
    target = connects_to(url)
    if target is None:
        return
    host, port = target
    try:
        for address in resolve_host(host, port):
            check_address(host, address, policy, url)
    except UrlRejected as exc:
        raise TargetRefused(f"{host}: {exc}") from None
    except ConnectionFailed as exc:
        if must_resolve:
            raise TargetRefused(str(exc)) from None
