"""Search results: catalogue cards (`/catalogue/?search=`) and quick-search fragments.

Three card shapes are read (SOURCES.md §4): the 2026 `div.catalog-card > a` with
`h2.card-title`, `p.alternate-titles`, `span.genre-tag`, `.type-row .info-value` and
`span.lang-flag[title]`; the earlier cards with `.info-row` label/value pairs
(Genres/Types/Langues) or bare `<p>`s; and the fetch.php fragment's `a.asn-search-result`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from webapp.sites.providers.animesama.pages import split_list, text_of

HUB_HREF_RE = re.compile(r"/catalogue/([a-z0-9][a-z0-9._-]*)/?$", re.I)
# Cards name languages by flag (JP, FR, EN) or by the catalogue's filter names. A JP flag
# is the original Japanese audio, which the site offers subtitled: our "vostfr"; FR is
# the French dub "vf"; EN is the English audio with French subtitles, the site's "va".
LANGUAGE_CODES = {"jp": "vostfr", "fr": "vf", "en": "va", "vostfr": "vostfr", "vf": "vf",
                  "vastfr": "va", "va": "va", "var": "var", "ar": "var", "vcn": "vcn",
                  "cn": "vcn", "vkr": "vkr", "kr": "vkr", "vqc": "vqc", "qc": "vqc",
                  "vj": "vj", "vjstfr": "vj"}
ELLIPSES = {"…", "...", ""}


@dataclass(frozen=True)
class SearchHit:
    """One anime found by the catalogue or the quick search."""

    slug: str
    title: str
    alt_titles: tuple[str, ...]
    poster: str | None
    genres: tuple[str, ...]
    langs: tuple[str, ...]
    types: tuple[str, ...] = ()


def _info_rows(anchor: Tag) -> dict[str, str]:
    rows = {}
    for row in anchor.select(".info-row"):
        label, value = row.select_one(".info-label"), row.select_one(".info-value")
        if label is not None and value is not None:
            rows[label.get_text(strip=True).lower()] = value.get_text(" ", strip=True)
    return rows


def _bare_paragraphs(anchor: Tag) -> list[str]:
    """The older card's `<p>`s without classes: alt titles, genres, types, languages."""
    return [p.get_text(" ", strip=True) for p in anchor.find_all("p") if not p.get("class")]


def _languages(anchor: Tag, rows: dict[str, str], bare: list[str]) -> tuple[str, ...]:
    names = [str(flag["title"]) for flag in anchor.select(".lang-flag[title]")] \
        or list(split_list(rows.get("langues") or (bare[3] if len(bare) > 3 else None)))
    codes = (LANGUAGE_CODES.get(name.strip().lower()) for name in names)
    return tuple(dict.fromkeys(code for code in codes if code))


def _card(anchor: Tag, slug: str, page_url: str) -> SearchHit | None:
    title = text_of(anchor.select_one(".card-title, .asn-search-result-title, h1, h2, h3"))
    if not title:
        return None
    rows, bare = _info_rows(anchor), _bare_paragraphs(anchor)
    alt = text_of(anchor.select_one(".alternate-titles, .asn-search-result-subtitle")) \
        or (bare[0] if bare else None)
    genres = tuple(g for g in (t.get_text(strip=True) for t in anchor.select(".genre-tag"))
                   if g not in ELLIPSES) \
        or split_list(rows.get("genres") or (bare[1] if len(bare) > 1 else None))
    types = split_list(text_of(anchor.select_one(".type-row .info-value")) or rows.get("types")
                       or (bare[2] if len(bare) > 2 else None))
    img = anchor.find("img", src=True)
    return SearchHit(slug=slug, title=title, alt_titles=split_list(alt, ","),
                     poster=urljoin(page_url, str(img["src"])) if img is not None else None,
                     genres=genres, langs=_languages(anchor, rows, bare), types=types)


def search_hits(html: str, page_url: str) -> list[SearchHit]:
    """Anime of the catalogue page or of a fetch.php fragment, in page order.

    A work listed only as scans is left out: it has nothing to watch.
    """
    soup = BeautifulSoup(html, "lxml")
    root = soup.find(id="list_catalog") or soup
    hits: dict[str, SearchHit] = {}
    for anchor in root.find_all("a", href=True):
        match = HUB_HREF_RE.search(urlsplit(urljoin(page_url, str(anchor["href"]))).path)
        if not match or match.group(1).lower() in hits:
            continue
        hit = _card(anchor, match.group(1).lower(), page_url)
        if hit is not None and not (hit.types and all(t.lower().startswith("scan")
                                                      for t in hit.types)):
            hits[hit.slug] = hit
    return list(hits.values())
