"""Hosts hiding their player in p.a.c.k.e.r JavaScript (Smoothpre, Movearnpre, Dingtezuni,
Mivalyo — `…/embed/<id>`, CDN ovaltinecdn.com).

The page's `eval(function(p,a,c,k,e,d)…)` scripts are unpacked (webapp.hosts.unpacker);
the player setup inside names a (usually relative) `/stream/…/master.m3u8`. Playlist and
segments want the embed host as Referer. Each site is its own small class so that each
has its own `<ID>_BASE_URL`.
"""

from __future__ import annotations

from dataclasses import dataclass

from webapp.hosts.base import MediaSource
from webapp.hosts.common import EmbedHost, jwplayer_sources, m3u8_urls
from webapp.hosts.unpacker import find_packed
from webapp.http import Page


def packed_media_url(text: str) -> str | None:
    """The master playlist named in a page's packed scripts (or in the page), or None."""
    for script in [*find_packed(text), text]:
        urls = m3u8_urls(script) or [u for u, _ in jwplayer_sources(script) if ".m3u8" in u]
        if urls:
            return urls[0]
    return None


@dataclass
class PackedJsHost(EmbedHost):
    """A host whose player setup is packed JavaScript revealing an HLS master playlist."""

    rank = 2

    def parse(self, page: Page, headers: dict[str, str]) -> MediaSource:
        """Unpack the page's scripts and return the master playlist they name."""
        url = packed_media_url(page.text)
        if not url:
            raise self.no_media(page)
        return self.media(page, url)


@dataclass
class Smoothpre(PackedJsHost):
    """smoothpre.com embeds."""

    id = "smoothpre"
    name = "Smoothpre"
    domains = ("smoothpre.com",)


@dataclass
class Movearnpre(PackedJsHost):
    """movearnpre.com embeds."""

    id = "movearnpre"
    name = "Movearnpre"
    domains = ("movearnpre.com",)


@dataclass
class Dingtezuni(PackedJsHost):
    """dingtezuni.com embeds."""

    id = "dingtezuni"
    name = "Dingtezuni"
    domains = ("dingtezuni.com",)


@dataclass
class Mivalyo(PackedJsHost):
    """mivalyo.com embeds."""

    id = "mivalyo"
    name = "Mivalyo"
    domains = ("mivalyo.com",)


PACKED_HOSTS: tuple[type[PackedJsHost], ...] = (Smoothpre, Movearnpre, Dingtezuni, Mivalyo)
