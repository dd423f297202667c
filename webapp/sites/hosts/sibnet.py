"""Sibnet (`video.sibnet.ru/shell.php?videoid=<n>`): a direct MP4 behind a Referer check.

The shell page (windows-1251, decoded by its declared charset) calls `player.src([{src:
"/v/<hash>/<n>.mp4", type: "video/mp4"}])`; that path answers 302 with a
protocol-relative `Location: //dvNN…/…mp4` and refuses requests without a Sibnet Referer
(and without a browser User-Agent, which HttpClient always sends), so the media keeps the
shell page URL as its Referer; the HTTP engine follows the redirect. Only
`video.sibnet.ru` serves shell.php (tests/fixtures/SOURCES.md Part 2 §6).
"""

from __future__ import annotations

from dataclasses import dataclass

from webapp.sites.hosts import patterns
from webapp.sites.hosts.common import EmbedHost


def sibnet_video_path(text: str) -> str | None:
    """The `/v/…mp4` path from a shell page's Video.js `player.src(...)`, or None."""
    return patterns.first_usable(patterns.videojs_sources(text))


@dataclass
class Sibnet(EmbedHost):
    """video.sibnet.ru: shell.php page → /v/…mp4 → 302 → MP4 (Referer required)."""

    id = "sibnet"
    name = "Sibnet"
    domains = ("video.sibnet.ru",)
    rank = 0
    page_referer = True

    def find_media(self, text: str) -> str | None:
        """The MP4 path of the shell page."""
        return sibnet_video_path(text)
