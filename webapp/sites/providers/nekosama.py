"""neko-sama: offline since 2024; built to its documented format for a mirror or a return.

It has had no live domain since about August 2024 (`live_domain_known` is False and the
`status_note` says so on the admin's providers page and in `/api/providers`); the base URL
stays configurable (NEKOSAMA_BASE_URL).

Search downloads the per-language JSON index (`/animes-search-vostfr.json`, `-vf.json`)
and filters it locally. An anime page (`/anime/info/<id>-<slug>_<lang>`) lists its
episodes in an inline `var episodes = [...]`; the players are on each episode page
(`var video = []; video[0] = '...'`, or without an index: `video[] = '...'`,
`video.push('...')`), so an episode's player is its page (kind "page"),
expanded into the embed players by `expand_player` when it is downloaded — the check
itself stays one request per source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urljoin

from bs4 import BeautifulSoup

from webapp.sites.providers.base import NormalisedUrl, Provider
from webapp.sites.providers.fetching import fetch
from webapp.sites.providers.naming import episode_number
from webapp.sites.providers.textutil import js_value, matches_query, meta, node_text
from webapp.sites.types import (
    AnimeInfo,
    Conditional,
    Episode,
    EpisodeList,
    LayoutChanged,
    Player,
)
from webapp.sites.urls import origin_of

NEKO_INFO_PATH_RE = re.compile(
    r"^/anime/info/(?P<id>\d+)-(?P<slug>[a-z0-9-]+)_(?P<lang>vostfr|vf)/?$", re.I)

# video[0] = '...'; video[] = '...'; video.push('...')
VIDEO_RE = re.compile(
    r"\bvideo\s*(?:\[\s*(\d*)\s*\]\s*=|\.\s*push\s*\()\s*(['\"])(.*?)\2")
EPISODE_URL_NUMBER_RE = re.compile(r"-(\d+(?:\.\d+)?)_(?:vostfr|vf)/?$")


def video_urls(script: str) -> list[str]:
    """The `video` array an episode page's script builds, in index order (empty slots out)."""
    slots: dict[int, str] = {}
    for index, _quote, url in VIDEO_RE.findall(script):
        # No index (`video[] =`, `push`) appends, as the array would in the browser.
        slots[int(index) if index else max(slots, default=-1) + 1] = url.strip()
    return [slots[i] for i in sorted(slots) if slots[i]]


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
    catalogue_path: ClassVar[str | None] = "/animes-search-"
    live_domain_known: ClassVar[bool] = False
    status_note: ClassVar[str | None] = (
        "neko-sama has had no live domain since 2024; set NEKOSAMA_BASE_URL to a mirror "
        "if one appears.")
    example_urls: ClassVar[tuple[str, ...]] = (
        "https://neko-sama.fr/anime/info/9520-tensei-shitara-slime-datta-ken_vostfr",
        "https://animecat.net/anime/info/3458-hunter-x-hunter-2011_vf",
    )

    def normalise(self, url: str, lang: str | None = None) -> NormalisedUrl:
        """Keep `/anime/info/<id>-<slug>_<lang>`; the language is part of the page."""
        url, match = self._match_path(url, NEKO_INFO_PATH_RE,
                                      "A neko-sama URL must be an anime page, like "
                                      "/anime/info/<id>-<name>_vostfr.")
        lang = self._check_lang(lang or match["lang"], "neko-sama languages are vostfr and vf.")
        path = f"/anime/info/{match['id']}-{match['slug'].lower()}_{lang}"
        return NormalisedUrl(key=path, lang=lang, display_url=origin_of(url) + path)

    def _fetch(self, client: Any, url: str, what: str, **kwargs: Any) -> Any:
        return fetch(client, url, site=self.name, what=what, allowed_hosts=self.page_hosts(),
                     headers={"Referer": self.base_url + "/"}, **kwargs)

    def fetch_episodes(self, client: Any, key: str, lang: str,
                       conditional: Conditional | None = None) -> EpisodeList:
        """The anime page's `var episodes` (one conditional request)."""
        page = self._fetch(client, self.base_url + key, "the anime page",
                           conditional=conditional)
        validators = Conditional(page.etag, page.last_modified)
        if page.not_modified:
            return EpisodeList(not_modified=True, validators=validators)
        try:
            entries = js_value(page.text, "episodes")
        except ValueError:
            entries = "invalid"
        if not isinstance(entries, list):
            raise LayoutChanged("neko-sama's anime page no longer has a readable "
                                "`var episodes` list: the site's layout has changed.")
        episodes: dict[float, Episode] = {}
        for entry in entries:
            if not isinstance(entry, dict) or not isinstance(entry.get("url"), str):
                continue
            number = episode_number(str(entry.get("episode") or ""))
            if number is None:
                found = EPISODE_URL_NUMBER_RE.search(entry["url"])
                number = float(found.group(1)) if found else None
            if number is None or number in episodes:
                continue
            url = urljoin(page.url, entry["url"])
            episodes[number] = Episode(number=number, players=(
                Player(url=url, kind="page", label=self.name),))
        soup = BeautifulSoup(page.text, "lxml")
        return EpisodeList(episodes=tuple(episodes[n] for n in sorted(episodes)),
                           title=meta(soup, "og:title"), validators=validators)

    def expand_player(self, client: Any, player: Player) -> list[Player]:
        """An episode page's `video[n]` embeds, in the site's order."""
        if player.kind != "page":
            return [player]
        page = self._fetch(client, player.url, "the episode page")
        players = [Player(url=urljoin(page.url, url), kind="embed",
                          headers=(("Referer", page.url),))
                   for url in video_urls(page.text)]
        if not players:
            raise LayoutChanged("neko-sama's episode page lists no players (`video[...]`): "
                                "the site's layout has changed.")
        return players

    def anime_info(self, client: Any, key: str, lang: str) -> AnimeInfo:
        """Title, cover, synopsis and genres from the anime page."""
        page = self._fetch(client, self.base_url + key, "the anime page")
        soup = BeautifulSoup(page.text, "lxml")
        heading = soup.find("h1")
        if heading is not None and heading.small is not None:
            heading.small.extract()
        title = meta(soup, "og:title") or node_text(heading)
        if not title:
            raise LayoutChanged("neko-sama's anime page has no title any more: the site's "
                                "layout has changed.")
        cover = soup.select_one("div.cover img[src]")
        return AnimeInfo(
            title=title, url=page.url, provider_id=self.id,
            poster_image=urljoin(page.url, cover["src"]) if cover is not None else None,
            synopsis=node_text(soup.select_one("div.synopsis p")),
            genres=tuple(a.get_text(strip=True) for a in soup.select("div.genres a")),
            langs=(lang,))

    def search(self, client: Any, query: str) -> list[AnimeInfo]:
        """Filter both language indexes locally by title (every title variant counts)."""
        results = []
        for lang in self.langs:
            page = self._fetch(client, f"{self.base_url}/animes-search-{lang}.json",
                               f"the {lang} search index")
            try:
                entries = page.json()
            except ValueError:
                entries = None
            if not isinstance(entries, list):
                raise LayoutChanged("neko-sama's search index is no longer a JSON list.")
            for entry in entries:
                if not isinstance(entry, dict) or not isinstance(entry.get("url"), str):
                    continue
                titles = [entry.get(k) for k in ("title", "title_english", "title_romanji",
                                                 "title_french", "others")]
                if not matches_query(query, *[t for t in titles if isinstance(t, str)]):
                    continue
                genres = entry.get("genres") if isinstance(entry.get("genres"), list) else []
                results.append(AnimeInfo(
                    title=str(entry.get("title") or entry["url"]),
                    url=urljoin(page.url, entry["url"]), provider_id=self.id,
                    alt_titles=tuple(t for t in titles[1:4] if isinstance(t, str) and t),
                    poster_image=entry.get("url_image") or None,
                    genres=tuple(str(g) for g in genres), langs=(lang,)))
        return results
