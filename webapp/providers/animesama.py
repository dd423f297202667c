"""anime-sama: French catalogue whose domain changes every few months.

Sources are keyed by the path `/catalogue/<slug>/<season>/<lang>/`, never the domain, and
fetched from the base URL in force.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar
from urllib.parse import urlsplit

from webapp.providers.base import NormalisedUrl, Provider, UrlError, origin_of

SEASON_PATH_RE = re.compile(
    r"^/catalogue/(?P<slug>[a-z0-9][a-z0-9._-]*)/(?P<season>[a-z0-9_-]+)/(?P<lang>[a-z0-9]+)/?"
    r"(?:episodes\.js)?$", re.I)


@dataclass
class AnimeSama(Provider):
    """anime-sama.* (VOSTFR/VF catalogue with JS episode lists)."""

    id: ClassVar[str] = "animesama"
    name: ClassVar[str] = "Anime-Sama"
    domains: ClassVar[tuple[str, ...]] = (
        "anime-sama.fr", "anime-sama.org", "anime-sama.eu", "anime-sama.si",
        "anime-sama.tv", "anime-sama.to", "anime-sama.pw",
    )
    default_base_url: ClassVar[str] = "https://anime-sama.to"
    langs: ClassVar[tuple[str, ...]] = ("vostfr", "vf", "vf1", "vf2", "va", "vcn", "vj",
                                        "vkr", "vqc")
    default_lang: ClassVar[str] = "vostfr"
    can_search: ClassVar[bool] = True
    example_urls: ClassVar[tuple[str, ...]] = (
        "https://anime-sama.si/catalogue/frieren/saison1/vostfr/",
        "https://anime-sama.to/catalogue/naruto-shippuden/saison2/vf/",
        "https://anime-sama.fr/catalogue/one-piece/film/vostfr",
    )

    def normalise(self, url: str, lang: str | None = None) -> NormalisedUrl:
        """Keep `/catalogue/<slug>/<season>/<lang>/`; a given `lang` replaces the URL's."""
        url = self._require_host(url)
        match = SEASON_PATH_RE.match(urlsplit(url).path)
        if not match:
            raise UrlError("An anime-sama URL must name a season and a language, like "
                           "/catalogue/<anime>/saison1/vostfr/.")
        lang = (lang or match["lang"]).lower()
        if lang not in self.langs:
            raise UrlError(f"Unknown anime-sama language {lang!r} "
                           f"(one of {', '.join(self.langs)}).")
        path = f"/catalogue/{match['slug'].lower()}/{match['season'].lower()}/{lang}/"
        return NormalisedUrl(key=path, lang=lang, display_url=origin_of(url) + path)
