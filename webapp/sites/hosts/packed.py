"""Hosts hiding their player in p.a.c.k.e.r JavaScript (Smoothpre, Movearnpre, Dingtezuni,
Mivalyo — `…/embed/<id>`, CDN ovaltinecdn.com).

The page's `eval(function(p,a,c,k,e,d)…)` scripts are unpacked (webapp.sites.hosts.unpacker);
the player setup inside names a (usually relative) `/stream/…/master.m3u8`. Playlist and
segments want the embed host as Referer. Each site is its own small class so that each
has its own `<ID>_BASE_URL`.
"""

from __future__ import annotations

from dataclasses import dataclass

from webapp.sites.hosts.common import EmbedHost, jwplayer_sources, m3u8_urls
from webapp.sites.hosts.unpacker import find_packed


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

    def find_media(self, text: str) -> str | None:
        """The master playlist named by the unpacked scripts."""
        return packed_media_url(text)


def _packed_host(host_id: str, name: str, domain: str) -> type[PackedJsHost]:
    """One site's own PackedJsHost subclass (its own id, so its own `<ID>_BASE_URL`)."""
    namespace = {"__doc__": f"{domain} embeds.", "__module__": __name__, "id": host_id,
                 "name": name, "domains": (domain,)}
    return dataclass(type(name, (PackedJsHost,), namespace))


Smoothpre = _packed_host("smoothpre", "Smoothpre", "smoothpre.com")
Movearnpre = _packed_host("movearnpre", "Movearnpre", "movearnpre.com")
Dingtezuni = _packed_host("dingtezuni", "Dingtezuni", "dingtezuni.com")
Mivalyo = _packed_host("mivalyo", "Mivalyo", "mivalyo.com")

PACKED_HOSTS: tuple[type[PackedJsHost], ...] = (Smoothpre, Movearnpre, Dingtezuni, Mivalyo)
