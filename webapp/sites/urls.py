"""URL helpers shared by the providers and the hosts: hosts, origins, plausible http(s) URLs."""

from __future__ import annotations

from urllib.parse import urlsplit

from webapp.sites.types import UrlError


def host_of(url: str) -> str:
    """The lower-case host name of a URL ('' when there is none)."""
    try:
        return (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


def origin_of(url: str) -> str:
    """`scheme://host[:port]` of a URL, lower-cased."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def host_matches(host: str, domain: str) -> bool:
    """True when `host` is `domain` or one of its subdomains."""
    domain = domain.lower().lstrip(".")
    return host == domain or host.endswith("." + domain)


def check_http_url(url: str) -> str:
    """Return the stripped URL if it is a plausible http(s) URL, else raise UrlError."""
    url = (url or "").strip()
    if len(url) > 2000:
        raise UrlError("The URL is longer than 2,000 characters.")
    try:
        parts = urlsplit(url)
    except ValueError:
        raise UrlError("This is not a valid URL.") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise UrlError("Only http:// and https:// URLs are accepted.")
    if not parts.hostname:
        raise UrlError("The URL has no host name.")
    if parts.username or parts.password:
        raise UrlError("URLs with a user name or password are not accepted.")
    return url
