"""Sendvid (`sendvid.com/embed/<id>` or `/<id>`): a direct MP4 named in the page.

In order: `<source id="video_source" src=…>`, the script's `var video_source = "…"`, then
the `og:video` meta tags. Requests carry a Sendvid Referer and Origin.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import BeautifulSoup

from webapp.sites.hosts.common import EmbedHost

_VAR_SOURCE = re.compile(r"""video_source\s*=\s*(?P<q>["'])(?P<url>[^"']+)(?P=q)""")
_OG_PROPS = ("og:video", "og:video:url", "og:video:secure_url")


def sendvid_video_url(text: str) -> str | None:
    """The video URL of a Sendvid page, or None."""
    soup = BeautifulSoup(text, "lxml")
    tag = soup.find("source", id="video_source") or soup.select_one("video source[src]")
    if tag is not None and tag.get("src"):
        return str(tag["src"])
    match = _VAR_SOURCE.search(text)
    if match:
        return match["url"].replace("\\/", "/")
    for prop in _OG_PROPS:
        meta = soup.find("meta", attrs={"property": prop})
        if meta is not None and meta.get("content"):
            return str(meta["content"])
    return None


@dataclass
class Sendvid(EmbedHost):
    """sendvid.com: the `video_source` tag, variable or og:video → MP4."""

    id = "sendvid"
    name = "Sendvid"
    domains = ("sendvid.com",)
    rank = 1

    def find_media(self, text: str) -> str | None:
        """The video URL of the page."""
        return sendvid_video_url(text)
