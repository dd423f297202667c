"""anime-ultime: plain-http French site with ISO-8859-1 pages and direct MP4 files."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar
from urllib.parse import urlsplit

from webapp.providers.base import NormalisedUrl, Provider, UrlError, origin_of

SERIES_PATH_RE = re.compile(r"^/file-0-1/(?P<id>\d+)(?:/(?P<slug>[^/?#]*))?/?$", re.I)


@dataclass
class AnimeUltime(Provider):
    """www.anime-ultime.net (series pages list episodes; `og:video` MP4s)."""

    id: ClassVar[str] = "animeultime"
    name: ClassVar[str] = "Anime-Ultime"
    domains: ClassVar[tuple[str, ...]] = ("anime-ultime.net",)
    default_base_url: ClassVar[str] = "http://www.anime-ultime.net"
    langs: ClassVar[tuple[str, ...]] = ("vostfr",)
    default_lang: ClassVar[str] = "vostfr"
    can_search: ClassVar[bool] = True
    example_urls: ClassVar[tuple[str, ...]] = (
        "http://www.anime-ultime.net/file-0-1/1234/Nanoha-A-s-vostfr",
        "https://v5.anime-ultime.net/file-0-1/99/Slug",
    )

    def normalise(self, url: str, lang: str | None = None) -> NormalisedUrl:
        """Keep `/file-0-1/<id>/<slug>`."""
        url = self._require_host(url)
        match = SERIES_PATH_RE.match(urlsplit(url).path)
        if not match:
            raise UrlError("An anime-ultime URL must be a series page, like "
                           "/file-0-1/<id>/<name>-vostfr.")
        lang = (lang or self.default_lang).lower()
        if lang not in self.langs:
            raise UrlError("anime-ultime only has vostfr.")
        slug = match["slug"] or ""
        path = f"/file-0-1/{match['id']}/{slug}" if slug else f"/file-0-1/{match['id']}"
        return NormalisedUrl(key=path, lang=lang, display_url=origin_of(url) + path)
