"""How close a list entry's titles are to a search result's, with rapidfuzz.

Titles are folded (accents, case and punctuation removed) and compared word-order-free
(`fuzz.token_sort_ratio`); a season marker ("Season 2", "2nd Season", "Part 2", "The
Final Season") is compared apart, since a site lists an anime once for all its seasons.
Numbers that differ once the season is set aside ("Hunter x Hunter" against "Hunter x
Hunter (2011)") lower the score: they usually mean another series.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from webapp.sites.providers.textutil import fold

# A proposed match needs this confidence; at PRECHECK_CONFIDENCE the page ticks it.
MATCH_THRESHOLD = 0.75
NUMBER_MISMATCH = 0.8
BASE_MATCH = 0.98  # equal once the season markers are set aside
_SEASON_NUMBER = (
    re.compile(r"\b(?:season|saison)\s*(\d{1,2})\b"),
    re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\s+season\b"),
    re.compile(r"\bs(\d{1,2})\b"),
)
_SEASON_MARKER = re.compile(
    r"\b(?:(?:season|saison|part|partie|cour)\s*\d{1,2}|\d{1,2}(?:st|nd|rd|th)\s+season"
    r"|s\d{1,2}|(?:the\s+)?final\s+season)\b")
_NUMBER = re.compile(r"\b\d+\b")


def base_title(folded: str) -> str:
    """A folded title without its season markers."""
    return " ".join(_SEASON_MARKER.sub(" ", folded).split())


def season_of(titles: Iterable[str]) -> int | None:
    """The season number a title names ("Season 2", "2nd Season", "S2"), if any."""
    for title in titles:
        folded = fold(title)
        for pattern in _SEASON_NUMBER:
            found = pattern.search(folded)
            if found:
                return int(found.group(1))
    return None


def _pair(a: str, b: str) -> float:
    from rapidfuzz import fuzz  # loaded by the process that matches a list, not at start

    fa, fb = fold(a), fold(b)
    if not fa or not fb:
        return 0.0
    if fa == fb:
        return 1.0
    score = fuzz.token_sort_ratio(fa, fb) / 100
    ba, bb = base_title(fa), base_title(fb)
    if ba and bb:
        score = max(score, BASE_MATCH if ba == bb else fuzz.token_sort_ratio(ba, bb) / 100)
        if set(_NUMBER.findall(ba)) != set(_NUMBER.findall(bb)):
            score *= NUMBER_MISMATCH
    return score


def similarity(entry_titles: Sequence[str], site_titles: Sequence[str]) -> float:
    """The best score (0..1) between any title of the entry and any title on the site."""
    return max((_pair(a, b) for a in entry_titles for b in site_titles if a and b),
               default=0.0)


def queries_for(titles: Sequence[str], limit: int) -> list[str]:
    """What to type in the sites' search, best first: each title as written, then the
    title folded, then without its season or its subtitle (sites search by substring,
    so a shorter query finds the anime a longer one misses)."""
    queries: list[str] = []
    latin = [t for t in titles if fold(t) and fold(t).isascii()]
    for title in latin:
        queries.append(title)
    for title in latin:
        folded = fold(title)
        queries += [folded, base_title(folded)]
        if ":" in title:
            queries.append(fold(title.split(":", 1)[0]))
    unique = list(dict.fromkeys(q.strip() for q in queries if len(q.strip()) >= 2))
    return unique[:limit]


def choose_season(seasons: Sequence[tuple[str, str]], number: int | None, kind: str | None,
                  lang: str) -> str | None:
    """The season URL (`.../<season>/<lang>/`) an entry most likely means: its season
    number, a film for a movie, else the first season; in `lang` when the site has it."""
    parsed = []
    for _label, url in seasons:
        parts = urlsplit(url).path.strip("/").split("/")
        if len(parts) >= 2:
            parsed.append((parts[-2].lower(), parts[-1].lower(), url))
    if not parsed:
        return None
    parsed.sort(key=lambda p: p[1] != lang)  # stable: the site's order within a language
    tests = []
    if kind == "movie":
        tests.append(lambda season: season.startswith("film"))
    if number is not None:
        tests.append(lambda season: season == f"saison{number}")
    tests.append(lambda season: season == "saison1")
    tests.append(lambda season: season.startswith("saison"))
    for test in tests:
        for season, _lang, url in parsed:
            if test(season):
                return url
    return parsed[0][2]
