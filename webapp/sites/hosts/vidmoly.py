"""Vidmoly (`vidmoly.{to,net,biz,me,org}/embed-<id>.html`, `/w/<id>`): JW Player → HLS.

The embed page is asked for as an iframe (`Sec-Fetch-Dest: iframe`, a Referer). Vidmoly
sometimes answers an interstitial `<title>Please wait</title>` page carrying a token
`?g=<32 hex>`: the page is reloaded with that token (twice at most) and the real page's
JW Player `sources: [{file: "…master.m3u8"}]` gives the playlist. Still waiting after
that is HostUnavailable (retry later). Vidmoly is flaky and rate-limits, so it is tried
after the other hosts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from webapp.sites.hosts.common import EmbedHost
from webapp.sites.hosts.oneupload import jwplayer_media_url
from webapp.sites.types import HostUnavailable, MediaSource
from webapp.sites.urls import origin_of

_WAIT_TITLE = re.compile(r"<title>\s*Please wait\s*</title>", re.IGNORECASE)
_TOKEN = re.compile(r"[?&]g=([0-9a-fA-F]{32})\b")
MAX_WAIT_PAGES = 2


def wait_token(text: str) -> str | None:
    """The `g` token of a "Please wait" interstitial, or None when this is the real page."""
    if not _WAIT_TITLE.search(text):
        return None
    match = _TOKEN.search(text)
    return match.group(1) if match else ""


def with_token(url: str, token: str) -> str:
    """The URL with its `g` query parameter set to `token`."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "g"]
    query.append(("g", token))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


@dataclass
class Vidmoly(EmbedHost):
    """vidmoly.*: iframe embed page (with its wait interstitial) → JW Player HLS."""

    id = "vidmoly"
    name = "Vidmoly"
    domains = ("vidmoly.to", "vidmoly.net", "vidmoly.biz", "vidmoly.me", "vidmoly.org")
    rank = 3

    def page_headers(self, url: str, headers: dict[str, str]) -> dict[str, str]:
        """Ask for the page the way a browser loads an iframe."""
        sent = {"Sec-Fetch-Dest": "iframe", "Sec-Fetch-Mode": "navigate",
                "Referer": origin_of(self.page_url(url)) + "/"}
        sent.update(headers)
        return sent

    def resolve(self, client: object, url: str, headers: dict[str, str]) -> MediaSource:
        """Fetch the embed page, answering the "Please wait" interstitial with its token."""
        target = self.page_url(url)
        sent = self.page_headers(url, headers)
        page = self.fetch(client, target, sent)
        for attempt in range(MAX_WAIT_PAGES + 1):
            token = wait_token(page.text)
            if token is None:
                return self.parse(page, headers)
            if not token or attempt == MAX_WAIT_PAGES:
                break
            page = self.fetch(client, with_token(target, token), sent)
        raise HostUnavailable("Vidmoly keeps answering 'Please wait'; it will be tried later.")

    def find_media(self, text: str) -> str | None:
        """The JW Player playlist of the real page."""
        return jwplayer_media_url(text)
