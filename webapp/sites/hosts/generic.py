"""The embed pages of hosts we have no module for, read the way most players are written.

Tried before yt-dlp for an unknown host (yt-dlp has no extractor for most of the hosts
anime-sama embeds, and its generic extractor neither unpacks p.a.c.k.e.r scripts nor
reads a JW Player set up on another line than `jwplayer("…")`): the page is fetched once
and `patterns.find_media` looks for a JW Player setup, a Video.js source, a `<video>` tag,
og:video, a packed script, `var links`, then any quoted .m3u8/.mp4 URL (decoys left
out). A page naming none of these is handed to yt-dlp (`NothingFound`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from webapp.sites.hosts.common import EmbedHost, host_error
from webapp.sites.http.client import Page
from webapp.sites.http.errors import FetchError
from webapp.sites.types import HostError, MediaSource
from webapp.sites.urls import host_of, origin_of


class NothingFound(HostError):
    """The page names no video the generic patterns know (yt-dlp may still)."""


@dataclass
class GenericEmbed(EmbedHost):
    """Any http(s) embed page whose player names its media in one of the usual ways."""

    id = "generic"
    name = "the video page"
    rank = 4

    def matches(self, url: str) -> bool:
        """Any http(s) URL."""
        return url.lower().startswith(("http://", "https://")) and bool(host_of(url))

    def fetch(self, client: Any, url: str, headers: dict[str, str]) -> Page:
        """GET the page from wherever it is (every hop still guarded by the client)."""
        try:
            return client.fetch_page(url, headers=headers)
        except FetchError as exc:
            raise host_error(exc, host_of(url) or self.name) from exc

    def parse(self, page: Page, headers: dict[str, str]) -> MediaSource:
        """The page's media with the page as Referer; NothingFound when there is none."""
        url = self.find_media(page.text)
        if not url:
            raise NothingFound(f"No video found on {host_of(page.url)}'s page.")
        media = self.media(page, url, referer=page.url, origin=False)
        media.headers["Origin"] = origin_of(page.url)
        return media
