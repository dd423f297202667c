"""anime-sama's HTML pages: the anime (hub) page, the season page, the portal.

The hub page changed in mid-2026 (SOURCES.md §1): the title became a plain `<h1>`, the
synopsis `p#synopsisText`, the genres `span.genre-pill`. The older markup (`#titreOeuvre`,
`<h2>Synopsis</h2><p>`, `<h2>Genres</h2><a>A - B</a>`) is still read as a fallback.
Only the 2026 page says whether an anime is finished: its info card's "État" (SOURCES.md,
"Hub status"); the older page's "Avancement"/"Actualité" line is free news text, not read.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Tag

from webapp.sites.providers.animesama.scripts import (
    calls,
    drop_functions,
    inline_scripts,
    strip_comments,
)
from webapp.sites.types import LayoutChanged

TITLE_SUFFIX_RE = re.compile(r"\s*[|\-–—]\s*anime[\s-]*sama\b.*$", re.I)
SITE_NAMES = {"anime-sama", "anime sama", "animesama"}
FILEVER_RE = re.compile(r"""src\s*=\s*["']?[^"'>]*episodes\.js(?:\?filever=(\d+))?""", re.I)
TEMPLATE_VALUES = {"nom", "url"}
STATE_LABEL = "etat"
STATES = {"termine": True, "en cours": False}  # the catalogue's `current[]` values too
MORE_SUFFIX_RE = re.compile(r"\s*voir plus$")


def text_of(node: Tag | None) -> str | None:
    """The stripped text of a node, None when absent or empty."""
    text = node.get_text(" ", strip=True) if isinstance(node, Tag) else ""
    return text or None


def split_list(text: str | None, separators: str = r"\s+-\s+|,") -> tuple[str, ...]:
    """'Action - Aventure, Shonen' -> ('Action', 'Aventure', 'Shonen')."""
    return tuple(p.strip() for p in re.split(separators, text or "") if p.strip())


def _after_heading(soup: BeautifulSoup, heading: str, tag: str) -> Tag | None:
    for h2 in soup.find_all("h2"):
        if h2.get_text(strip=True).lower() == heading:
            found = h2.find_next(tag)
            return found if isinstance(found, Tag) else None
    return None


def _page_title(soup: BeautifulSoup) -> str | None:
    """The <title> without its " | Anime-Sama" suffix (None when only the site's name)."""
    title = TITLE_SUFFIX_RE.sub("", text_of(soup.title) or "").strip()
    return title if title and title.lower() not in SITE_NAMES else None


def _plain(text: str | None) -> str:
    """Case, accents, spacing and a trailing colon dropped: ' État :' -> 'etat'."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split()).rstrip(" :")


def hub_finished(soup: BeautifulSoup) -> bool | None:
    """The info card's État: True for "Terminé", False for "En cours", None otherwise.

    The value is the `.info-val` right after the `.info-lbl` "État"; the site may end a
    value with "Voir plus". Unknown texts, a missing card and disagreeing cards give None.
    """
    said: set[bool | None] = set()
    for label in soup.select(".info-lbl"):
        if _plain(text_of(label)) != STATE_LABEL:
            continue
        value = label.find_next_sibling()
        is_value = isinstance(value, Tag) and "info-val" in (value.get("class") or ())
        text = MORE_SUFFIX_RE.sub("", _plain(text_of(value))) if is_value else ""
        said.add(STATES.get(text))
    return said.pop() if len(said) == 1 else None


def _attr(node: Tag | None, name: str) -> str | None:
    value = node.get(name) if isinstance(node, Tag) else None
    return (value.strip() or None) if isinstance(value, str) else None


@dataclass(frozen=True)
class HubInfo:
    """What the hub page says about an anime."""

    title: str
    alt_titles: tuple[str, ...]
    poster: str | None
    synopsis: str | None
    genres: tuple[str, ...]
    seasons: tuple[tuple[str, str], ...]  # (label, "saison1/vostfr")
    finished: bool | None = None  # True "Terminé", False "En cours", None: not said


def hub_info(html: str, page_url: str) -> HubInfo:
    """Parse the hub page `/catalogue/<slug>/` (the 2026 markup, else the older one)."""
    soup = BeautifulSoup(html, "lxml")
    title = (text_of(soup.select_one("div.oeuvre-right h1, div.my-2 h1"))
             or text_of(soup.find(id="titreOeuvre")) or _page_title(soup))
    if not title or "panneau" not in html:
        raise LayoutChanged("anime-sama's anime page has neither its title (h1 or "
                            "#titreOeuvre) nor its season panels any more: the site's layout "
                            "has changed.")
    poster = (_attr(soup.find("img", id="coverOeuvre"), "src")
              or _attr(soup.find("meta", attrs={"property": "og:image"}), "content"))
    synopsis = (text_of(soup.find("p", id="synopsisText"))
                or text_of(_after_heading(soup, "synopsis", "p"))
                or _attr(soup.find("meta", attrs={"name": "description"}), "content"))
    genres = tuple(g for g in (text_of(p) for p in soup.select("span.genre-pill")) if g) \
        or split_list(text_of(_after_heading(soup, "genres", "a")))
    return HubInfo(title=title, alt_titles=split_list(text_of(soup.find(id="titreAlter")), ","),
                   poster=urljoin(page_url, poster) if poster else None, synopsis=synopsis,
                   genres=genres, seasons=season_panels(html), finished=hub_finished(soup))


def season_panels(html: str) -> tuple[tuple[str, str], ...]:
    """(name, "folder/lang") of every `panneauAnime` call that runs, in page order.

    Skips commented calls, the template `panneauAnime("nom", "url")` (it is also left
    uncommented), the function's own definition, and scans (`panneauScan`).
    """
    code = drop_functions(strip_comments(inline_scripts(html)), ("panneauAnime",))
    panels = {}
    for _name, args in calls(code, ("panneauAnime",)):
        if len(args) < 2 or args[0].lower() in TEMPLATE_VALUES \
                or args[1].lower() in TEMPLATE_VALUES:
            continue
        path = args[1].strip().strip("/")
        if path.count("/") == 1:
            panels.setdefault((args[0].strip(), path), None)
    return tuple(panels)


def season_title(html: str) -> str | None:
    """The anime title on a season page (`h3#titreOeuvre`, trailing spaces trimmed)."""
    return text_of(BeautifulSoup(html, "lxml").find(id="titreOeuvre"))


def season_filever(html: str) -> str | None:
    """The `filever` the season page loads its episodes.js with (None when it has none)."""
    match = FILEVER_RE.search(html)
    return match.group(1) if match else None


def portal_link(html: str, page_url: str) -> str | None:
    """The portal's "Accéder à Anime-Sama" link (a.btn-primary, else any anime-sama link)."""
    soup = BeautifulSoup(html, "lxml")
    button = soup.select_one("a.btn-primary[href]")
    if button is not None:
        return urljoin(page_url, str(button["href"]))
    for anchor in soup.find_all("a", href=True):
        href = str(anchor["href"])
        if "anime-sama" in href and "anime-sama.me" not in href:
            return urljoin(page_url, href)
    return None
