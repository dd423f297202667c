"""anime-sama parsers: episodes.js arrays, episode names, hub page, search results.

All pure functions of page text, so they are easy to test on fixtures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from webapp.sites.types import LayoutChanged, SiteBlocked

BLOCK_COMMENT_RE = re.compile(r"/\*[\s\S]*?\*/|<!--[\s\S]*?-->")
LINE_COMMENT_RE = re.compile(r"(?m)^\s*//.*$")
EPS_RE = re.compile(r"\beps(\d+)\s*=\s*\[([^\]]*)\]")
QUOTED_RE = re.compile(r"'((?:[^'\\\n]|\\.)*)'|\"((?:[^\"\\\n]|\\.)*)\"")
PANEL_RE = re.compile(r"panneauAnime\(\s*([\"'])(.*?)\1\s*,\s*([\"'])(.*?)\3\s*\)")
NAMES_RE = re.compile(r"\b(resetListe|creerListe|newSPF|newSP|finirListe)\s*\(([^)]*)\)")
SEASON_RE = re.compile(r"^saison(\d+)(hs)?$")
EMPTY_ID_PARAMS = {"videoid", "id", "oid", "v", "vid", "file"}
PLACEHOLDER_PATHS = {"", "/", "/embed", "/embed/", "/e", "/e/", "/v", "/v/", "/video", "/f/u"}


def strip_js_comments(text: str) -> str:
    """Remove /* */, <!-- --> and whole-line // comments (template lines hide in them)."""
    return LINE_COMMENT_RE.sub("", BLOCK_COMMENT_RE.sub("", text))


def _unquote_js(match: re.Match) -> str:
    raw = match.group(1) if match.group(1) is not None else match.group(2)
    return re.sub(r"\\(.)", r"\1", raw).strip()


def episode_arrays(text: str) -> list[list[str]]:
    """Every `epsN` array of episodes.js, in N order (player order).

    An HTML page instead of JS means a block or challenge page (SiteBlocked); JS without
    any `epsN` array means the site changed its format (LayoutChanged).
    """
    body = text.lstrip("\ufeff \t\r\n")
    if body[:1] == "<":
        raise SiteBlocked("anime-sama answered an HTML page where the episode list (episodes.js) "
                          "was expected: probably an anti-bot or maintenance page.")
    arrays = {int(num): [_unquote_js(m) for m in QUOTED_RE.finditer(content)]
              for num, content in EPS_RE.findall(strip_js_comments(body))}
    if not arrays:
        raise LayoutChanged("anime-sama's episodes.js no longer defines the eps1, eps2... "
                            "arrays: the site's format has changed.")
    return [arrays[n] for n in sorted(arrays)]


def absolute(url: str) -> str:
    """`//host/x` -> `https://host/x`; others unchanged."""
    return "https:" + url if url.startswith("//") else url


def is_plausible(url: str) -> bool:
    """False for the placeholders of unreleased episodes (empty ids, `embed-.html`, '')."""
    url = absolute(url.strip())
    if not url or url.endswith(("=", "embed-.html")):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(key.lower() in EMPTY_ID_PARAMS and not value for key, value in query):
        return False
    return bool(query) or parts.path.rstrip("/").lower() not in {p.rstrip("/")
                                                                 for p in PLACEHOLDER_PATHS}


@dataclass(frozen=True)
class EpisodeName:
    """How one index of the arrays is numbered and named."""

    number: float
    title: str | None = None
    special: bool = False


def _args(raw: str) -> list[str]:
    return [a.strip().strip("\"'").strip() for a in raw.split(",") if a.strip()]


def _as_number(text: str) -> float | None:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        return None
    return int(value) if value.is_integer() else value


def episode_names(season_page: str, count: int) -> list[EpisodeName]:
    """Number and name the `count` indexes from `creerListe/newSP/newSPF/finirListe` calls.

    Without such calls index i is episode i+1.
    """
    names: list[EpisodeName] = []
    finish_from: float | None = None
    for func, raw in NAMES_RE.findall(strip_js_comments(season_page)):
        args = _args(raw)
        last = names[-1].number if names else 0
        if func == "resetListe":
            names, finish_from = [], None
        elif func == "creerListe" and len(args) >= 2:
            start, end = _as_number(args[0]), _as_number(args[1])
            if start is not None and end is not None:
                names += [EpisodeName(n) for n in range(int(start), int(end) + 1)]
        elif func == "newSP" and args:
            number = _as_number(args[0])
            names.append(EpisodeName(number if number is not None else last + 0.5,
                                     f"Épisode {args[0]}", True))
        elif func == "newSPF" and args:
            names.append(EpisodeName(int(last) + 1, args[0], True))
        elif func == "finirListe" and args:
            finish_from = _as_number(args[0])
            break
    result, used = [], set()
    for index in range(count):
        if index < len(names):
            name = names[index]
        elif finish_from is not None:
            name = EpisodeName(finish_from + index - len(names))
        else:
            last = names[-1].number if names else 0
            name = EpisodeName(int(last) + index - len(names) + 1)
        if name.number in used:
            name = EpisodeName(max(used) + 1, name.title, name.special)
        used.add(name.number)
        result.append(name)
    return result


def season_number(season: str) -> int:
    """Library season of a season path part: saison2 -> 2, film/oav/saison1hs -> 0."""
    match = SEASON_RE.match(season.lower())
    if match:
        return 0 if match.group(2) else int(match.group(1))
    if season.lower().startswith(("film", "oav", "ova", "special")):
        return 0
    digits = re.search(r"(\d+)$", season)
    return int(digits.group(1)) if digits else 1


def _text(node: Tag | None) -> str | None:
    text = node.get_text(" ", strip=True) if node is not None else ""
    return text or None


def _after_heading(soup: BeautifulSoup, heading: str, tag: str) -> Tag | None:
    for h2 in soup.find_all("h2"):
        if h2.get_text(strip=True).lower() == heading:
            return h2.find_next(tag)
    return None


def split_list(text: str | None) -> tuple[str, ...]:
    """'Action - Aventure, Shonen' -> ('Action', 'Aventure', 'Shonen')."""
    return tuple(p.strip() for p in re.split(r"\s+-\s+|,", text or "") if p.strip())


@dataclass(frozen=True)
class HubInfo:
    """What the hub page says about an anime."""

    title: str
    alt_titles: tuple[str, ...]
    poster: str | None
    synopsis: str | None
    genres: tuple[str, ...]
    seasons: tuple[tuple[str, str], ...]  # (label, "saison1/vostfr")


def hub_info(html: str, page_url: str) -> HubInfo:
    """Parse the hub page `/catalogue/<slug>/`."""
    soup = BeautifulSoup(html, "lxml")
    title = _text(soup.find(id="titreOeuvre"))
    if not title:
        raise LayoutChanged("anime-sama's anime page has no title (#titreOeuvre) any more: "
                            "the site's layout has changed.")
    cover = soup.find(id="coverOeuvre")
    poster = urljoin(page_url, cover["src"]) if isinstance(cover, Tag) and cover.get("src") \
        else None
    synopsis = _text(_after_heading(soup, "synopsis", "p"))
    if not synopsis:
        meta = soup.find("meta", attrs={"name": "description"})
        synopsis = (meta.get("content") or None) if isinstance(meta, Tag) else None
    scripts = strip_js_comments(html)
    seasons = tuple(dict.fromkeys((m.group(2).strip(), m.group(4).strip().strip("/"))
                                  for m in PANEL_RE.finditer(scripts)))
    return HubInfo(title=title, alt_titles=split_list(_text(soup.find(id="titreAlter"))),
                   poster=poster, synopsis=synopsis,
                   genres=split_list(_text(_after_heading(soup, "genres", "a"))),
                   seasons=seasons)


@dataclass(frozen=True)
class SearchHit:
    """One anime found by the catalogue or the quick search."""

    slug: str
    title: str
    alt_titles: tuple[str, ...]
    poster: str | None
    genres: tuple[str, ...]
    langs: tuple[str, ...]


HUB_HREF_RE = re.compile(r"/catalogue/([a-z0-9][a-z0-9._-]*)/?$", re.I)


def _info_rows(anchor: Tag) -> dict[str, str]:
    rows = {}
    for row in anchor.select(".info-row"):
        label, value = row.select_one(".info-label"), row.select_one(".info-value")
        if label is not None and value is not None:
            rows[label.get_text(strip=True).lower()] = value.get_text(" ", strip=True)
    return rows


def search_hits(html: str, page_url: str) -> list[SearchHit]:
    """Anime links of the catalogue page or of a fetch.php fragment, in page order."""
    soup = BeautifulSoup(html, "lxml")
    root = soup.find(id="list_catalog") or soup
    hits: dict[str, SearchHit] = {}
    for anchor in root.find_all("a", href=True):
        match = HUB_HREF_RE.search(urlsplit(urljoin(page_url, anchor["href"])).path)
        if not match or match.group(1).lower() in hits:
            continue
        title = _text(anchor.select_one(".card-title, h1, h2, h3"))
        if not title:
            continue
        alt = anchor.select_one(".alternate-titles") or anchor.find("p")
        img = anchor.find("img")
        rows = _info_rows(anchor)
        langs = tuple(lang.lower() for lang in split_list(rows.get("langues")))
        hits[match.group(1).lower()] = SearchHit(
            slug=match.group(1).lower(), title=title,
            alt_titles=split_list(_text(alt)) if alt is not None and alt is not anchor else (),
            poster=urljoin(page_url, img["src"]) if img is not None and img.get("src") else None,
            genres=split_list(rows.get("genres")), langs=langs)
    return list(hits.values())


def portal_link(html: str, page_url: str) -> str | None:
    """The portal's "Accéder à Anime-Sama" link (a.btn-primary, else any anime-sama link)."""
    soup = BeautifulSoup(html, "lxml")
    button = soup.select_one("a.btn-primary[href]")
    if button is not None:
        return urljoin(page_url, button["href"])
    for anchor in soup.find_all("a", href=True):
        if "anime-sama" in anchor["href"] and "anime-sama.me" not in anchor["href"]:
            return urljoin(page_url, anchor["href"])
    return None


def season_title(html: str) -> str | None:
    """The anime title on a season page."""
    return _text(BeautifulSoup(html, "lxml").find(id="titreOeuvre"))
