"""Vidmoly (`vidmoly.{to,net,biz,me,org}/embed-<id>.html`, `/w/<id>`, `/v/<id>`): JW Player → HLS.

Like anime-sama's own player script, a player URL is first moved to `vidmoly.biz` and
`/w/<id>` or `/v/<id>` to `/embed-<id>.html` (the other domains only redirect there).
The embed page is asked for as an iframe (`Sec-Fetch-Dest: iframe`, a Referer). Vidmoly
sometimes answers an interstitial `<title>Please wait</title>` page carrying a token
`?g=<32 hex>`: the page is reloaded with that token (twice at most) and the real page's
JW Player `sources: [{file: "…master.m3u8"}]` gives the playlist. Still waiting after
that is HostUnavailable (retry later); an `<h2>Sorry…` page is a removed video. Vidmoly
is flaky and rate-limits, so it is tried after the other hosts.
(tests/fixtures/SOURCES.md Part 2 §1.2.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from webapp.sites.hosts.common import EmbedHost
from webapp.sites.hosts.oneupload import jwplayer_media_url
from webapp.sites.http.client import Page
from webapp.sites.types import HostError, HostUnavailable, MediaGone, MediaSource
from webapp.sites.urls import host_of, origin_of

_WAIT_TITLE = re.compile(r"<title>\s*Please wait\s*</title>", re.IGNORECASE)
_TOKEN = re.compile(r"[?&]g=([0-9a-fA-F]{32})\b")
_SORRY = re.compile(r"(?is)<h2[^>]*>\s*Sorry\b")
_SHORT_PATH = re.compile(r"^/(?:w|v)/(?P<id>[0-9A-Za-z]+)/?$")
_VIDMOLY_HOST = re.compile(r"(?:^|\.)vidmoly\.[a-z]+$")
MAX_WAIT_PAGES = 2
CANONICAL_DOMAIN = "vidmoly.biz"


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


def vidmoly_embed_url(url: str) -> str:
    """The URL anime-sama's player really loads: on vidmoly.biz, `/w/<id>` and `/v/<id>`
    as `/embed-<id>.html` (other hosts, e.g. a configured base URL, keep theirs)."""
    parts = urlsplit(url)
    path = parts.path
    short = _SHORT_PATH.match(path)
    if short:
        path = f"/embed-{short['id']}.html"
    netloc = parts.netloc
    if _VIDMOLY_HOST.search(host_of(url)):
        netloc = CANONICAL_DOMAIN
    return urlunsplit(("https" if netloc == CANONICAL_DOMAIN else parts.scheme, netloc, path,
                       parts.query, ""))


def moly_page_error(page: Page, name: str) -> HostError | None:
    """A Vidmoly-style page that says the video is gone (`<h2>Sorry…`), as MediaGone."""
    if _SORRY.search(page.text):
        return MediaGone(f"The video was removed from {name} (it says \"Sorry\").")
    return None


@dataclass
class MolyStack(EmbedHost):
    """Vidmoly's player stack (Vidmoly itself and its white-labels): a JW Player HLS
    playlist, or a "Sorry" page for a removed video."""

    def parse(self, page: Page, headers: dict[str, str]) -> MediaSource:
        """The JW Player playlist of the real page (a "Sorry" page is a removed video)."""
        gone = moly_page_error(page, self.name)
        if gone is not None:
            raise gone
        return super().parse(page, headers)

    def find_media(self, text: str) -> str | None:
        """The JW Player playlist of the page (HLS first, decoys left out)."""
        return jwplayer_media_url(text)


@dataclass
class Vidmoly(MolyStack):
    """vidmoly.*: iframe embed page (with its wait interstitial) → JW Player HLS."""

    id = "vidmoly"
    name = "Vidmoly"
    domains = ("vidmoly.to", "vidmoly.net", "vidmoly.biz", "vidmoly.me", "vidmoly.org")
    rank = 3

    def page_url(self, url: str) -> str:
        """The canonical embed URL, moved onto the configured base URL when there is one."""
        return super().page_url(vidmoly_embed_url(url))

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
