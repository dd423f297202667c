"""The VidHide family: hosts hiding their JW Player in p.a.c.k.e.r JavaScript (Minochinos,
Smoothpre, Movearnpre, Dingtezuni, Mivalyo — `…/{v,e,embed}/<id>`).

The page's `eval(function(p,a,c,k,e,d)…)` scripts are unpacked (yt-dlp's
`decode_packed_codes`); inside, `var links={"hls4": "/stream/…/master.m3u8", "hls3": …,
"hls2": …}` feeds `jwplayer("vplayer").setup({sources:[{file:links.hls4||links.hls3||
links.hls2}]})`, so the first usable link in that order is the master playlist
(relative links are on the embed host). Older pages name the `/stream/…/master.m3u8`
directly. Playlist and segments want the embed origin as Referer. Download pages
(`/d/`, `/f/`, `/download/`, `/file/`) are read as the `/v/` player page of the same
file (tests/fixtures/SOURCES.md Part 2 §4). Each site is its own small class so that
each has its own `<ID>_BASE_URL`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from webapp.sites.hosts import patterns
from webapp.sites.hosts.common import EmbedHost

_DOWNLOAD_PATH = re.compile(r"^/(?:d|f|download|file)/")


def packed_media_url(text: str) -> str | None:
    """The master playlist named by a page's packed player (or by the page), or None."""
    return patterns.find_media(text, (patterns.links_sources, patterns.jwplayer_files))


@dataclass
class PackedJsHost(EmbedHost):
    """A VidHide-style host: packed JavaScript revealing an HLS master playlist."""

    rank = 1

    def page_url(self, url: str) -> str:
        """The player page of the file (a download page's path read as `/v/`)."""
        parts = urlsplit(super().page_url(url))
        return urlunsplit(parts._replace(path=_DOWNLOAD_PATH.sub("/v/", parts.path)))

    def find_media(self, text: str) -> str | None:
        """The master playlist named by the unpacked scripts."""
        return packed_media_url(text)


def _packed_host(host_id: str, name: str, *domains: str) -> type[PackedJsHost]:
    """One site's own PackedJsHost subclass (its own id, so its own `<ID>_BASE_URL`)."""
    namespace = {"__doc__": f"{domains[0]} embeds.", "__module__": __name__, "id": host_id,
                 "name": name, "domains": domains}
    return dataclass(type(name, (PackedJsHost,), namespace))


Minochinos = _packed_host("minochinos", "Minochinos", "minochinos.com")
Smoothpre = _packed_host("smoothpre", "Smoothpre", "smoothpre.com")
Movearnpre = _packed_host("movearnpre", "Movearnpre", "movearnpre.com")
Dingtezuni = _packed_host("dingtezuni", "Dingtezuni", "dingtezuni.com")
Mivalyo = _packed_host("mivalyo", "Mivalyo", "mivalyo.com")

PACKED_HOSTS: tuple[type[PackedJsHost], ...] = (Minochinos, Smoothpre, Movearnpre, Dingtezuni,
                                                Mivalyo)
