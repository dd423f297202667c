"""Fetching provider pages: HTTP failures become the provider errors a person reads."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from webapp.sites.http.client import Page
from webapp.sites.http.errors import (
    ConnectionFailed,
    FetchError,
    FetchTimeout,
    HttpStatusError,
    RedirectRejected,
    ResponseTooLarge,
)
from webapp.sites.types import (
    AnimeRemoved,
    FetchFailed,
    ProviderError,
    SiteBlocked,
    SiteMoved,
    SiteUnreachable,
)

CHALLENGE_MARKERS = (
    "<title>just a moment", "_cf_chl_opt", "/cdn-cgi/challenge-platform", "cf-browser-verification",
    "attention required! | cloudflare", "ddos-guard", "checking your browser before",
    "cf-turnstile", "enable javascript and cookies to continue",
)


def is_challenge(text: str, headers: Mapping[str, str] | None = None) -> bool:
    """Whether a response is an anti-bot challenge page (Cloudflare, DDoS-Guard...)."""
    headers = headers or {}
    if str(headers.get("cf-mitigated", "")).lower() == "challenge":
        return True
    head = text[:20000].lower()
    return any(marker in head for marker in CHALLENGE_MARKERS)


def blocked(site: str, what: str) -> SiteBlocked:
    """The error for a challenge page served instead of `what`."""
    return SiteBlocked(f"{site} answered with an anti-bot challenge page (Cloudflare) instead "
                       f"of {what}; the check will be tried again later.")


def _status_error(exc: HttpStatusError, site: str, what: str) -> ProviderError:
    text = exc.body.decode("utf-8", errors="replace")
    if is_challenge(text, exc.headers):
        return blocked(site, what)
    if exc.status in (404, 410):
        return AnimeRemoved(f"{site} no longer has {what} (HTTP {exc.status}): the anime, "
                            "season or language was removed or renamed.")
    if exc.status in (401, 403, 451):
        return SiteBlocked(f"{site} refused access to {what} (HTTP {exc.status}); it may be "
                           "blocking automated requests.")
    if exc.status == 429:
        err = SiteUnreachable(f"{site} is rate limiting requests (HTTP 429); the check will "
                              "be tried again later.")
        err.retry_after = exc.retry_after  # type: ignore[attr-defined]
        return err
    if exc.status >= 500:
        return SiteUnreachable(f"{site} is not working properly: {exc}")
    return FetchFailed(f"{site} refused the request for {what}: {exc}")


def fetch(client: Any, url: str, *, site: str, what: str = "the page",
          allowed_hosts: Iterable[str] | None = None, **kwargs: Any) -> Page:
    """`client.fetch_page` with every failure turned into a ProviderError subclass.

    A 200 page that is an anti-bot challenge raises SiteBlocked too.
    """
    try:
        page = client.fetch_page(url, allowed_hosts=allowed_hosts, **kwargs)
    except HttpStatusError as exc:
        raise _status_error(exc, site, what) from None
    except (FetchTimeout, ConnectionFailed) as exc:
        raise SiteUnreachable(f"{site} did not answer: {exc}") from None
    except RedirectRejected as exc:
        raise SiteMoved(f"{site} redirected to an unknown host: {exc}", exc.location) from None
    except ResponseTooLarge as exc:
        raise FetchFailed(f"{site}: {exc} No episode list is that large; the address is "
                          "probably not the right page.") from None
    except FetchError as exc:
        raise FetchFailed(f"{site}: {exc}") from None
    if not page.not_modified and is_challenge(page.text, page.headers):
        raise blocked(site, what)
    return page
