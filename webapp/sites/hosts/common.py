"""What the embed-page hosts share: domain matching, base-URL rebasing, page fetching.

A host recognises its real domains and the host of its configured base URL
(`<ID>_BASE_URL`, config["BASE_URLS"][id]). A player URL on a real domain is fetched
from the base URL in force (same path and query), so a fixture server can stand in for
the host. Fetch errors become HostError subclasses with the host's name in the sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit, urlunsplit

from webapp.sites.hosts import patterns
from webapp.sites.hosts.base import Host
from webapp.sites.http.client import Page
from webapp.sites.http.errors import FetchError, HttpStatusError
from webapp.sites.types import (
    HostError,
    HostLayoutChanged,
    HostUnavailable,
    MediaGone,
    MediaSource,
)
from webapp.sites.urls import host_matches, host_of, origin_of


def _netloc(url: str) -> str:
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError:
        return ""
    return f"{(parts.hostname or '').lower()}:{port}"


def host_error(exc: FetchError, name: str) -> HostError:
    """Turn a fetch error on a host's page into the matching HostError."""
    if isinstance(exc, HttpStatusError) and exc.status in (404, 410):
        return MediaGone(f"The video is gone from {name} (HTTP {exc.status}).")
    if exc.retryable or (isinstance(exc, HttpStatusError) and exc.status == 403):
        return HostUnavailable(f"{name}: {exc}")
    return HostError(f"{name}: {exc}")


def media_kind(url: str) -> str:
    """"hls" for a playlist URL, "file" otherwise."""
    return "hls" if urlsplit(url).path.lower().endswith((".m3u8", ".m3u")) else "file"


@dataclass
class EmbedHost(Host):
    """A host whose embed page is fetched and parsed; subclasses implement `parse`."""

    name: ClassVar[str] = ""
    # Lower ranks are tried first when an episode has several players.
    rank: ClassVar[int] = 5
    # Hosts that check the Referer against the embed page itself (and want no Origin).
    page_referer: ClassVar[bool] = False

    @property
    def base(self) -> str:
        """The base URL in force ('' when the real domains are used)."""
        return (self.base_url or self.default_base_url or "").rstrip("/")

    def known_domains(self) -> tuple[str, ...]:
        """The real domains plus the configured base URL's host."""
        extra = host_of(self.base_url or "")
        return tuple(dict.fromkeys([*self.domains, *([extra] if extra else [])]))

    def matches(self, url: str) -> bool:
        """Whether the URL is on one of this host's real domains or on its base URL
        (same host and port: several fixture hosts may share 127.0.0.1)."""
        host = host_of(url)
        if not host:
            return False
        if self.base_url and _netloc(url) == _netloc(self.base_url):
            return True
        return any(host_matches(host, d) for d in self.domains)

    def page_url(self, url: str) -> str:
        """The URL to fetch: a real-domain URL moved onto the configured base URL."""
        if not self.base_url or _netloc(url) == _netloc(self.base_url):
            return url
        base = urlsplit(self.base_url.rstrip("/"))
        parts = urlsplit(url)
        return urlunsplit((base.scheme, base.netloc, base.path + parts.path, parts.query, ""))

    def fetch(self, client: Any, url: str, headers: dict[str, str]) -> Page:
        """GET an embed page of this host (errors become HostError)."""
        try:
            return client.fetch_page(url, allowed_hosts=self.known_domains(), headers=headers)
        except FetchError as exc:
            raise host_error(exc, self.name) from exc

    def resolve(self, client: Any, url: str, headers: dict[str, str]) -> MediaSource:
        """Fetch the embed page and parse the media URL out of it."""
        page = self.fetch(client, self.page_url(url), self.page_headers(url, headers))
        return self.parse(page, headers)

    def page_headers(self, url: str, headers: dict[str, str]) -> dict[str, str]:
        """Headers for the embed page: the player's own (e.g. the provider's Referer)."""
        return dict(headers)

    def find_media(self, text: str) -> str | None:
        """The media URL (possibly relative) in an embed page's text, or None: by default
        whatever a player setup in the page (or its packed scripts) names."""
        return patterns.find_media(text)

    def parse(self, page: Page, headers: dict[str, str]) -> MediaSource:
        """Find the media in a fetched embed page (`find_media`) with the host's Referer."""
        url = self.find_media(page.text)
        if not url:
            raise self.no_media(page)
        if self.page_referer:
            return self.media(page, url, referer=page.url, origin=False)
        return self.media(page, url)

    def media(self, page: Page, url: str, *, referer: str | None = None,
              origin: bool = True) -> MediaSource:
        """A MediaSource for `url` (relative to the page) with the page's Referer (and
        Origin, which players send for HLS requests) and the quality its label states."""
        absolute = urljoin(page.url, url)
        headers = {"Referer": referer or origin_of(page.url) + "/"}
        if origin:
            headers["Origin"] = origin_of(page.url)
        return MediaSource(url=absolute, kind=media_kind(absolute), host=self.id,
                           headers=headers, quality=patterns.source_label(page.text, url))

    def no_media(self, page: Page) -> HostError:
        """The error for a page without a video: gone, or a layout we do not know."""
        if re.search(r"(?i)file (?:was )?(?:not found|deleted|removed)|video (?:not found|"
                     r"removed|deleted)|n'existe pas|не существует|удален", page.text):
            return MediaGone(f"The video was removed from {self.name}.")
        if any(patterns.is_decoy(u) for u in patterns.media_urls(page.text)
               + patterns.jwplayer_files(page.text)):
            return HostError(f"No video on the {self.name} page: it only offers a decoy "
                             "stream (a sample, not the episode).")
        return HostLayoutChanged(f"No video found on the {self.name} page: none of the player "
                                 "setups it used is there (its layout may have changed, or "
                                 "the video was removed).")
