"""anime-ultime: plain-http French site with ISO-8859-1 pages and direct MP4 files.

A series page (`/file-0-1/<id>/<slug>`) lists its episodes as rows linking
`info-0-1/<episode id>/<slug>-<NN>-vostfr`. The stream files are not derivable from the
episode ids: they come from the series' JW Player playlist (`/playlist-<id>.xml`,
malformed XML read with patterns), fetched only when the series page changed; an episode
missing from it gets its page as a "page" player, whose `og:video` `expand_player` reads.
`ddl_link` performs the original-file download handshake (wait, then link).
"""

from __future__ import annotations

import html
import json
import logging
import re
import time
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urljoin

from bs4 import BeautifulSoup

from webapp.sites.providers.base import NormalisedUrl, Provider
from webapp.sites.providers.fetching import fetch
from webapp.sites.providers.naming import episode_number
from webapp.sites.providers.textutil import matches_query, meta, node_text
from webapp.sites.types import (
    AnimeInfo,
    Conditional,
    Episode,
    EpisodeList,
    LayoutChanged,
    Player,
    ProviderError,
    SiteUnreachable,
)
from webapp.sites.urls import origin_of

ULTIME_SERIES_PATH_RE = re.compile(r"^/file-0-1/(?P<id>\d+)(?:/(?P<slug>[^/?#]*))?/?$", re.I)

EPISODE_LINK_RE = re.compile(r"""href=["'](?:\./|/)?info-0-1/(\d+)/([^"'#?]*)""", re.I)
SLUG_NUMBER_RE = re.compile(r"-(\d+(?:\.\d+)?)(?:v\d)?-vost\w*$", re.I)
ITEM_RE = re.compile(r"<item>([\s\S]*?)</item>", re.I)
TITLE_RE = re.compile(r"<title>([\s\S]*?)</title>", re.I)
SD_RE = re.compile(r"<jwplayer:file>\s*([^<\s]+)", re.I)
CONTENT_RE = re.compile(r"<media:content[^>]*\burl=[\"']([^\"']+)", re.I)
HD_RE = re.compile(r"<jwplayer:hd\.file>\s*([^<\s]+)", re.I)
DDL_MAX_WAIT = 120.0

log = logging.getLogger(__name__)


def _row_title(anchor: Any, img: Any) -> str:
    """A catalogue link's title: its own `title`, its text, else its image's `title`/`alt`.

    The `.jtable` rows link the series with an image alone: the name is only in the
    image's `title`.
    """
    title = anchor.get("title") or anchor.get_text(" ", strip=True)
    if not title and img is not None:
        title = img.get("title") or img.get("alt") or ""
    return str(title).strip()


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
    catalogue_path: ClassVar[str | None] = "/series-0-1/"
    example_urls: ClassVar[tuple[str, ...]] = (
        "http://www.anime-ultime.net/file-0-1/1234/Nanoha-A-s-vostfr",
        "https://v5.anime-ultime.net/file-0-1/99/Slug",
    )

    def normalise(self, url: str, lang: str | None = None) -> NormalisedUrl:
        """Keep `/file-0-1/<id>/<slug>`."""
        url, match = self._match_path(url, ULTIME_SERIES_PATH_RE,
                                      "An anime-ultime URL must be a series page, like "
                                      "/file-0-1/<id>/<name>-vostfr.")
        lang = self._check_lang(lang or self.default_lang, "anime-ultime only has vostfr.")
        slug = match["slug"] or ""
        path = f"/file-0-1/{match['id']}/{slug}" if slug else f"/file-0-1/{match['id']}"
        return NormalisedUrl(key=path, lang=lang, display_url=origin_of(url) + path)

    def _fetch(self, client: Any, path_or_url: str, what: str, **kwargs: Any) -> Any:
        return fetch(client, urljoin(self.base_url + "/", path_or_url), site=self.name,
                     what=what, allowed_hosts=self.page_hosts(), **kwargs)

    def fetch_episodes(self, client: Any, key: str, lang: str,
                       conditional: Conditional | None = None) -> EpisodeList:
        """The series page (conditional), then its playlist for the stream files."""
        page = self._fetch(client, key, "the series page", conditional=conditional)
        validators = Conditional(page.etag, page.last_modified)
        if page.not_modified:
            return EpisodeList(not_modified=True, validators=validators)
        rows: dict[float, str] = {}
        for episode_id, slug in EPISODE_LINK_RE.findall(page.text):
            found = SLUG_NUMBER_RE.search(slug)
            number = float(found.group(1)) if found else episode_number(slug)
            if number is not None:
                rows.setdefault(int(number) if float(number).is_integer() else number,
                                urljoin(page.url, f"/info-0-1/{episode_id}/{slug}"))
        if not rows and "file-0-1" not in page.text and "jtable" not in page.text:
            raise LayoutChanged("anime-ultime's series page no longer lists episodes the "
                                "way it did: the site's layout has changed.")
        streams = self._playlist(client, key) if rows else {}
        episodes = []
        for number in sorted(rows):
            players = streams.get(number) or (Player(url=rows[number], kind="page",
                                                     label=self.name),)
            episodes.append(Episode(number=number, players=players))
        soup = BeautifulSoup(page.text, "lxml")
        title = meta(soup, "og:title") or node_text(soup.find("h1"))
        return EpisodeList(episodes=tuple(episodes), title=title, validators=validators)

    def _playlist(self, client: Any, key: str) -> dict[float, tuple[Player, ...]]:
        """Stream players per episode number from `/playlist-<id>.xml` ({} when absent)."""
        series_id = ULTIME_SERIES_PATH_RE.match(key)["id"]  # type: ignore[index]
        try:
            page = self._fetch(client, f"/playlist-{series_id}.xml", "the playlist")
        except ProviderError as exc:  # the episode pages still work, one by one
            log.info("anime-ultime playlist of %s unavailable: %s", key, exc)
            return {}
        found: dict[float, tuple[Player, ...]] = {}
        for item in ITEM_RE.findall(page.text):
            title = TITLE_RE.search(item)
            number = episode_number(html.unescape(title.group(1))) if title else None
            hd, sd = HD_RE.search(item), SD_RE.search(item) or CONTENT_RE.search(item)
            players = [Player(url=html.unescape(m.group(1)), kind="file", quality=q,
                              label=f"{self.name} {q}")
                       for m, q in ((hd, "HD"), (sd, "SD")) if m]
            if number is not None and players and number not in found:
                found[number] = tuple(players)
        return found

    def expand_player(self, client: Any, player: Player) -> list[Player]:
        """An episode page's `og:video` MP4 as a "file" player."""
        if player.kind != "page":
            return [player]
        page = self._fetch(client, player.url, "the episode page")
        video = meta(BeautifulSoup(page.text, "lxml"), "og:video")
        if not video:
            raise LayoutChanged("anime-ultime's episode page has no video (og:video) any more.")
        return [Player(url=urljoin(page.url, video), kind="file", label=self.name)]

    def ddl_link(self, client: Any, episode_id: int | str, *,
                 max_wait: float = DDL_MAX_WAIT) -> str:
        """The original file's URL: POST, sleep the `wait` the site asks for, POST again."""
        waited = 0.0
        for _attempt in range(4):
            page = self._fetch(client, "/ddl/authorized_download.php", "the download link",
                               method="POST", data={"idfile": str(episode_id), "type": "orig"},
                               headers={"X-Requested-With": "XMLHttpRequest"})
            try:
                answer = json.loads(page.text)
            except ValueError:
                answer = None
            if not isinstance(answer, dict):
                raise LayoutChanged("anime-ultime's download endpoint no longer answers JSON.")
            if answer.get("auth") and answer.get("link"):
                return urljoin(page.url, str(answer["link"]))
            wait = float(answer.get("wait") or 0)
            if wait <= 0 or waited + wait > max_wait:
                raise SiteUnreachable(f"anime-ultime did not give the download link "
                                      f"(asked to wait {wait:g} s more).")
            time.sleep(wait + 0.05)
            waited += wait
        raise SiteUnreachable("anime-ultime kept asking to wait for the download link.")

    def anime_info(self, client: Any, key: str, lang: str) -> AnimeInfo:
        """Title, cover and synopsis from the series page."""
        page = self._fetch(client, key, "the series page")
        soup = BeautifulSoup(page.text, "lxml")
        title = meta(soup, "og:title") or node_text(soup.find("h1"))
        if not title:
            raise LayoutChanged("anime-ultime's series page has no title any more.")
        cover = soup.select_one("img.couverture[src], .main img[src]")
        return AnimeInfo(title=title, url=page.url, provider_id=self.id,
                         poster_image=urljoin(page.url, cover["src"]) if cover else None,
                         synopsis=node_text(soup.select_one(".resume")), langs=("vostfr",))

    def search(self, client: Any, query: str) -> list[AnimeInfo]:
        """Filter the anime catalogue table by title."""
        page = self._fetch(client, "/series-0-1/anime/0-", "the catalogue")
        soup = BeautifulSoup(page.text, "lxml")
        results: dict[str, AnimeInfo] = {}
        # The site's relative links (`file-0-1/<id>/...`) are relative to its root.
        base = soup.base.get("href") if soup.base is not None else None
        root = urljoin(page.url, base or "/")
        for anchor in soup.select('a[href*="file-0-1/"]'):
            url = urljoin(root, anchor["href"])
            img = anchor.find("img")
            title = _row_title(anchor, img)
            if not title or url in results or not matches_query(query, title):
                continue
            results[url] = AnimeInfo(title=title, url=url, provider_id=self.id,
                                     poster_image=img.get("src") if img else None,
                                     langs=("vostfr",))
        if not results and not soup.select('a[href*="file-0-1/"]') and query:
            raise LayoutChanged("anime-ultime's catalogue no longer lists series links.")
        return list(results.values())

