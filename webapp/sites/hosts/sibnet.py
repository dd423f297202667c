"""Sibnet (`video.sibnet.ru/shell.php?videoid=<n>`): a direct MP4 behind a Referer check.

The shell page's script calls `player.src([{src: "/v/<hash>/<n>.mp4", type: "video/mp4"}])`;
that path answers 302 to a CDN MP4 and refuses requests without a Sibnet Referer, so the
media keeps the shell page URL as its Referer (the HTTP engine follows the redirect).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from webapp.sites.hosts.common import EmbedHost

_PLAYER_SRC = re.compile(
    r"""player\.src\(\s*\[\s*\{\s*src\s*:\s*(?P<q>["'])(?P<url>[^"']+)(?P=q)""")


def sibnet_video_path(text: str) -> str | None:
    """The `/v/…mp4` path from a shell page's script, or None."""
    match = _PLAYER_SRC.search(text)
    return match["url"] if match else None


@dataclass
class Sibnet(EmbedHost):
    """video.sibnet.ru: shell.php page → /v/…mp4 → 302 → MP4 (Referer required)."""

    id = "sibnet"
    name = "Sibnet"
    domains = ("video.sibnet.ru", "sibnet.ru")
    rank = 0
    page_referer = True

    def find_media(self, text: str) -> str | None:
        """The MP4 path of the shell page."""
        return sibnet_video_path(text)
