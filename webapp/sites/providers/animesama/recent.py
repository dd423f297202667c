"""anime-sama's home page: the "Derniers épisodes ajoutés" section, the site's own feed.

`#containerAjoutsAnimes` holds one `div.anime-card-premium` per recently added episode
(tests/fixtures/SOURCES.md Part 1 §4.1, "Homepage cards"): a link to the season page
(`/catalogue/<slug>/<season>/<lang>/`), `.card-title`, `.info-text` ("Saison 1 Episode 9"),
a flag image whose alt/title is the language, and the time of the release, as
`data-release-ts` (epoch seconds) and as the text of `.time-text` ("02/09/2026 20:10",
Paris time). Older pages held plain links in the same container; those still count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

from bs4 import BeautifulSoup, Tag

from webapp.sites.providers.animesama.pages import text_of
from webapp.sites.types import LayoutChanged

SEASON_LINK_RE = re.compile(
    r"^/catalogue/(?P<slug>[a-z0-9][a-z0-9._-]*)/(?P<season>[a-z0-9_-]+)/(?P<lang>[a-z0-9]+)/?$",
    re.I)
SITE_TIME_RE = re.compile(r"(\d{2})/(\d{2})/(\d{4})\s+(\d{1,2})[:h](\d{2})")
PARIS = ZoneInfo("Europe/Paris")


@dataclass(frozen=True)
class RecentCard:
    """One card of the section: which season page, what it says, when."""

    key: str
    lang: str
    label: str | None
    released_at: datetime | None


def _released_at(card: Tag) -> datetime | None:
    stamp = card.get("data-release-ts")
    if isinstance(stamp, str) and stamp.strip().isdigit():
        return datetime.fromtimestamp(int(stamp.strip()), UTC).replace(tzinfo=None)
    found = SITE_TIME_RE.search(text_of(card.select_one(".time-text")) or "")
    if found is None:
        return None
    day, month, year, hour, minute = (int(g) for g in found.groups())
    try:
        local = datetime(year, month, day, hour, minute, tzinfo=PARIS)
    except ValueError:
        return None
    return local.astimezone(UTC).replace(tzinfo=None)


def recent_cards(html: str, page_url: str) -> list[RecentCard]:
    """The season pages the home page says got an episode lately, newest first as shown."""
    soup = BeautifulSoup(html, "lxml")
    container = soup.find(id="containerAjoutsAnimes")
    if not isinstance(container, Tag):
        raise LayoutChanged("anime-sama's home page has no recently added episodes section "
                            "(#containerAjoutsAnimes) any more: the site's layout has changed.")
    cards: dict[str, RecentCard] = {}
    for anchor in container.find_all("a", href=True):
        match = SEASON_LINK_RE.match(urlsplit(urljoin(page_url, anchor["href"])).path)
        if match is None:
            continue
        key = (f"/catalogue/{match['slug'].lower()}/{match['season'].lower()}/"
               f"{match['lang'].lower()}/")
        if key in cards:
            continue
        card = anchor.find_parent(class_="anime-card-premium") or anchor
        info = " ".join(t.get_text(" ", strip=True) for t in card.select(".info-text"))
        cards[key] = RecentCard(key=key, lang=match["lang"].lower(), label=info or None,
                                released_at=_released_at(card))
    return list(cards.values())
