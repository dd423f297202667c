"""rss: RSS 2.0 / Atom feeds whose items link media files directly.

Each item's enclosure (RSS `<enclosure>`, Atom `<link rel="enclosure">`, `media:content`)
or link is used when it is a video file or an HLS playlist; the episode number and the
quality come from the item title (else the file name). Torrent items (magnet links,
`.torrent` files, `application/x-bittorrent` enclosures, nyaa's extension-less
`?page=download&tid=N` and `/download/N` links, items carrying an `infoHash`) are not
supported yet: a feed with nothing else says so clearly instead of listing nothing, and a
mixed feed lists only its media items. One conditional request per check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

from lxml import etree

from webapp.sites.providers.generic import GenericProvider, MediaLink, episodes_from
from webapp.sites.providers.naming import is_media_name
from webapp.sites.types import AnimeInfo, EpisodeList, LayoutChanged, Unsupported

ATOM = "{http://www.w3.org/2005/Atom}"
MEDIA = "{http://search.yahoo.com/mrss/}"
TORRENT_TYPES = ("application/x-bittorrent",)
# nyaa-style download links carry no `.torrent` suffix: /download/1234567
TORRENT_PATH_RE = re.compile(r"/download/\d+/?$")


def _parser() -> etree.XMLParser:
    # No entities, no network, no huge trees: feeds come from anywhere.
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                           recover=True, remove_comments=True, load_dtd=False)


def parse_feed(content: bytes) -> etree._Element:
    """The feed's root element, or LayoutChanged when it is not RSS or Atom."""
    try:
        root = etree.fromstring(content, _parser())
    except (etree.XMLSyntaxError, ValueError):
        root = None
    if root is None or etree.QName(root).localname not in ("rss", "feed", "RDF"):
        raise LayoutChanged("The address does not serve an RSS or Atom feed any more.")
    return root


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _text(element: etree._Element) -> str:
    """The element's text content (unresolved entities left out), stripped."""
    return str(element.xpath("string()")).strip()


def feed_title(root: etree._Element) -> str | None:
    """The channel/feed title."""
    return next((_text(c) for c in root.iter() if _local(c) == "title" and _text(c)), None)


def _item_candidates(item: etree._Element, base: str) -> list[tuple[str, str | None]]:
    """(URL, type) of an item's enclosures and links, enclosures first."""
    found: list[tuple[str, str | None]] = []
    for child in item:
        name = _local(child)
        if name == "enclosure" and child.get("url"):
            found.insert(0, (child.get("url"), child.get("type")))
        elif name == "content" and child.tag.startswith(MEDIA) and child.get("url"):
            found.append((child.get("url"), child.get("type")))
        elif name == "link":
            href, rel = child.get("href"), child.get("rel", "alternate")
            if href and rel == "enclosure":
                found.insert(0, (href, child.get("type")))
            elif href:
                found.append((href, child.get("type")))
            elif _text(child):
                found.append((_text(child), None))
    return [(urljoin(base, url.strip()), kind) for url, kind in found]


def _is_torrent(url: str, kind: str | None) -> bool:
    """Whether a link is a torrent: magnet, `.torrent`, bittorrent type or a nyaa link."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    nyaa = (query.get("page") == ["download"] and "tid" in query) or \
        (not kind and TORRENT_PATH_RE.search(parts.path) is not None)
    return url.startswith("magnet:") or parts.path.lower().endswith(".torrent") \
        or (kind or "").lower() in TORRENT_TYPES or nyaa


def _has_info_hash(item: etree._Element) -> bool:
    """Whether the item names a torrent by hash (`nyaa:infoHash`, ezRSS `infoHash`)."""
    return any(_local(e).lower() == "infohash" and _text(e) for e in item.iter())


def _is_media(url: str, kind: str | None) -> bool:
    kind = (kind or "").lower()
    return kind.startswith("video/") or "mpegurl" in kind or is_media_name(urlsplit(url).path)


@dataclass
class RssFeed(GenericProvider):
    """A feed whose items are the episodes."""

    id: ClassVar[str] = "rss"
    name: ClassVar[str] = "RSS/Atom feed"
    what: ClassVar[str] = "the feed"
    example_urls: ClassVar[tuple[str, ...]] = (
        "https://feeds.example.org/show/rss.xml",
        "https://media.example.net/atom/some-show.atom",
    )

    def episodes_of(self, page: Any) -> EpisodeList:
        """One episode per usable item number of the feed."""
        root = parse_feed(page.content)
        items = [e for e in root.iter() if _local(e) in ("item", "entry")]
        links, torrents = [], 0
        for item in items:
            title = next((_text(c) for c in item if _local(c) == "title"), "")
            candidates = _item_candidates(item, page.url)
            media = [(u, k) for u, k in candidates if _is_media(u, k) and not _is_torrent(u, k)]
            if media:
                url, kind = media[0]
                name = title or unquote(urlsplit(url).path.rsplit("/", 1)[-1])
                links.append(MediaLink(url, name, kind))
            elif any(_is_torrent(u, k) for u, k in candidates) or _has_info_hash(item):
                torrents += 1
        if torrents and not links:
            raise Unsupported(f"This feed only offers torrent or magnet links ({torrents} "
                              "items); torrent downloads are not supported yet, so use a "
                              "feed with direct video links.")
        episodes, season = episodes_from(links)
        return EpisodeList(episodes=episodes, season=season, title=feed_title(root))

    def anime_info(self, client: Any, key: str, lang: str) -> AnimeInfo:
        """The feed's own title."""
        page = self._fetch(client, key)
        root = parse_feed(page.content)
        fallback = super().anime_info(client, key, lang)
        return AnimeInfo(title=feed_title(root) or fallback.title, url=key, provider_id=self.id,
                         langs=(lang,))
