"""directory: any HTTP directory listing (nginx/Apache autoindex, python http.server).

Reads nginx's HTML and JSON autoindex, Apache's table, python's list and, as a fallback,
any page of links. Names are taken from the `href` (display texts are truncated), files
that are not videos are ignored, and parent, sort (`?C=N;O=D`) and off-directory links
are skipped. One conditional request per check.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import quote, unquote, urljoin, urlsplit

from bs4 import BeautifulSoup

from webapp.sites.providers.generic import GenericProvider, MediaLink, episodes_from
from webapp.sites.providers.naming import is_media_name
from webapp.sites.types import EpisodeList, LayoutChanged

LISTING_MARKERS = ("index of", "directory listing", "<pre", "<table", "<ul")


def _inside(url: str, directory: str) -> bool:
    a, b = urlsplit(url), urlsplit(directory)
    return a.netloc == b.netloc and a.path.startswith(b.path.rsplit("/", 1)[0] + "/")


def json_links(data: Any, page_url: str) -> list[MediaLink]:
    """Files of an nginx `autoindex_format json` listing."""
    if not isinstance(data, list):
        raise LayoutChanged("The directory listing is JSON but not nginx's list of entries.")
    return [MediaLink(urljoin(page_url, quote(entry["name"])), entry["name"])
            for entry in data if isinstance(entry, dict) and isinstance(entry.get("name"), str)
            and entry.get("type", "file") == "file"]


def html_links(text: str, page_url: str) -> list[MediaLink]:
    """Files linked from an HTML listing, named by their href."""
    soup = BeautifulSoup(text, "lxml")
    anchors = soup.find_all("a", href=True)
    if not anchors and not any(m in text[:5000].lower() for m in LISTING_MARKERS):
        raise LayoutChanged("The page is not a directory listing (no links, no 'Index of').")
    links = []
    for anchor in anchors:
        href = anchor["href"].strip()
        if not href or href.startswith(("?", "#", "../", "mailto:", "javascript:")):
            continue
        url = urljoin(page_url, href)
        if url.endswith("/") or not _inside(url, page_url):
            continue
        links.append(MediaLink(url, unquote(urlsplit(url).path.rsplit("/", 1)[-1])))
    return links


@dataclass
class DirectoryListing(GenericProvider):
    """An HTTP directory whose files are the episodes."""

    id: ClassVar[str] = "directory"
    name: ClassVar[str] = "HTTP directory"
    what: ClassVar[str] = "the directory listing"
    example_urls: ClassVar[tuple[str, ...]] = (
        "https://files.example.org/anime/Frieren/",
        "http://seedbox.example.net:8080/downloads/Show%20Name/",
    )

    def episodes_of(self, page: Any) -> EpisodeList:
        """Number the listing's video files."""
        content_type = str(page.headers.get("Content-Type", "")).lower()
        if "json" in content_type or page.text.lstrip()[:1] == "[":
            try:
                links = json_links(json.loads(page.text), page.url)
            except ValueError:
                raise LayoutChanged("The directory listing is not valid JSON.") from None
        else:
            links = html_links(page.text, page.url)
        episodes, season = episodes_from(link for link in links if is_media_name(link.name))
        return EpisodeList(episodes=episodes, season=season)
