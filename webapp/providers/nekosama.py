"""neko-sama: offline since 2024; built to its documented format for a mirror or a return."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar
from urllib.parse import urlsplit

from webapp.providers.base import NormalisedUrl, Provider, UrlError, origin_of

INFO_PATH_RE = re.compile(r"^/anime/info/(?P<id>\d+)-(?P<slug>[a-z0-9-]+)_(?P<lang>vostfr|vf)/?$",
                          re.I)


@dataclass
class NekoSama(Provider):
    """neko-sama.fr / animecat.net (JSON search index, `var episodes` on info pages)."""

    id: ClassVar[str] = "nekosama"
    name: ClassVar[str] = "Neko-Sama"
    domains: ClassVar[tuple[str, ...]] = ("neko-sama.fr", "animecat.net")
    default_base_url: ClassVar[str] = "https://animecat.net"
    langs: ClassVar[tuple[str, ...]] = ("vostfr", "vf")
    default_lang: ClassVar[str] = "vostfr"
    can_search: ClassVar[bool] = True
    example_urls: ClassVar[tuple[str, ...]] = (
        "https://neko-sama.fr/anime/info/9520-tensei-shitara-slime-datta-ken_vostfr",
        "https://animecat.net/anime/info/3458-hunter-x-hunter-2011_vf",
    )

    def normalise(self, url: str, lang: str | None = None) -> NormalisedUrl:
        """Keep `/anime/info/<id>-<slug>_<lang>`; the language is part of the page."""
        url = self._require_host(url)
        match = INFO_PATH_RE.match(urlsplit(url).path)
        if not match:
            raise UrlError("A neko-sama URL must be an anime page, like "
                           "/anime/info/<id>-<name>_vostfr.")
        url_lang = match["lang"].lower()
        lang = (lang or url_lang).lower()
        if lang not in self.langs:
            raise UrlError("neko-sama languages are vostfr and vf.")
        path = f"/anime/info/{match['id']}-{match['slug'].lower()}_{lang}"
        return NormalisedUrl(key=path, lang=lang, display_url=origin_of(url) + path)
