"""One HTTP client for the whole app (providers, hosts, downloads).

`HttpClient.fetch_page` fetches pages: http(s) only, on the given `allowed_hosts` (None:
any public host), every hop (redirects are followed by hand) refused on a private,
loopback, link-local, multicast or reserved address unless ALLOW_PRIVATE_HOSTS allows it;
connect/read timeouts; retries with exponential backoff on connection errors, timeouts
and 429/5xx (Retry-After honoured up to a cap); requests to one host paced through Redis
(HOST_RATE_LIMIT_PER_SECOND, shared by every process); conditional GET (304 ->
`Page.not_modified`); a browser-like User-Agent; a size cap (ResponseTooLarge).
`HttpClient.open_stream` opens media for streaming (any public host, guarded, unpaced).
Errors are FetchError subclasses whose message is a sentence for a person.
"""

from __future__ import annotations

from webapp.http.client import USER_AGENT, HttpClient, Page
from webapp.http.errors import (
    ConnectionFailed,
    FetchError,
    FetchTimeout,
    HttpStatusError,
    RedirectRejected,
    ResponseTooLarge,
    TooManyRedirects,
    UrlRejected,
    parse_retry_after,
)
from webapp.http.guard import guard_url, is_public, private_policy
from webapp.http.text import decode_text


def get_http_client() -> HttpClient:
    """The current app's HttpClient (built once per app from its config and Redis)."""
    from flask import current_app

    from webapp.extensions import get_redis

    client = current_app.extensions.get("http_client")
    if client is None:
        client = HttpClient.from_config(current_app.config, get_redis())
        current_app.extensions["http_client"] = client
    return client


def get_search_client() -> HttpClient:
    """The current app's HttpClient for interactive search (no retries, short timeouts)."""
    from flask import current_app

    from webapp.extensions import get_redis
    from webapp.providers.search import search_client

    client = current_app.extensions.get("search_http_client")
    if client is None:
        client = search_client(current_app.config, get_redis())
        current_app.extensions["search_http_client"] = client
    return client


__all__ = [
    "USER_AGENT", "ConnectionFailed", "FetchError", "FetchTimeout", "HttpClient",
    "HttpStatusError", "Page", "RedirectRejected", "ResponseTooLarge", "TooManyRedirects",
    "UrlRejected", "decode_text", "get_http_client", "get_search_client", "guard_url", "is_public",
    "parse_retry_after", "private_policy",
]
