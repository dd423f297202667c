"""Uqload (`uqload.<tld>/embed-<id>.html`, since 2026 also `/e/<id>`): packed JW Player → HLS.

Two page generations (tests/fixtures/SOURCES.md Part 2 §3): since 2026 a packed
`eval(function(p,a,c,k,e,d)…)` script whose unpacked text sets `sources:[{file:"…m3u8"}]`
(an HLS master); before, a plain `sources: ["…/v.mp4"]` (a direct MP4). The page needs no
Referer; the media wants `Referer: <uqload origin>/` and `Origin`. A removed video
redirects to the home page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from webapp.sites.hosts.common import EmbedHost
from webapp.sites.hosts.oneupload import jwplayer_media_url
from webapp.sites.types import MediaGone, MediaSource

TLDS = ("is", "com", "co", "to", "io", "cx", "bz", "net", "org", "ws", "vc")


@dataclass
class Uqload(EmbedHost):
    """uqload.*: (packed) JW Player sources → HLS master, or MP4 on older pages."""

    id = "uqload"
    name = "Uqload"
    domains = tuple(f"uqload.{tld}" for tld in TLDS)
    rank = 1

    def resolve(self, client: Any, url: str, headers: dict[str, str]) -> MediaSource:
        """Fetch the embed page; a redirect to the home page means the video is gone."""
        page = self.fetch(client, self.page_url(url), self.page_headers(url, headers))
        if urlsplit(page.url).path in ("", "/") and urlsplit(url).path not in ("", "/"):
            raise MediaGone("The video was not found on Uqload (it sent the player to its "
                            "home page).")
        return self.parse(page, headers)

    def find_media(self, text: str) -> str | None:
        """The sources of the (unpacked) JW Player setup, HLS first."""
        return jwplayer_media_url(text)
