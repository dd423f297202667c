"""Sendvid (`sendvid.com/embed/<id>` or `/<id>`): a direct MP4 named in the page.

In order: the `<video>`'s `<source id="video_source" src=…>` (else an `og:video` meta tag),
then the script's `var video_source = "…"`, as `patterns.find_media` reads any page.
Requests carry a Sendvid Referer and Origin.
"""

from __future__ import annotations

from dataclasses import dataclass

from webapp.sites.hosts import patterns
from webapp.sites.hosts.common import EmbedHost


def sendvid_video_url(text: str) -> str | None:
    """The video URL of a Sendvid page, or None."""
    return patterns.find_media(text)


@dataclass
class Sendvid(EmbedHost):
    """sendvid.com: the `video_source` tag, og:video or variable → MP4."""

    id = "sendvid"
    name = "Sendvid"
    domains = ("sendvid.com",)
    rank = 1

    def find_media(self, text: str) -> str | None:
        """The video URL of the page."""
        return sendvid_video_url(text)
