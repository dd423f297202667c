"""episodes.js (the player arrays), placeholder URLs, and what a season folder means.

episodes.js in 2026 (SOURCES.md §3): `var epsN = [ 'url', … ];` one array per player,
single quotes, trailing commas, declarations in any order, commented-out lines, and a
final `//`. A body of only `//` is what the site answers for a season or language it
does not have.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from webapp.sites.providers.animesama.scripts import strip_comments
from webapp.sites.types import AnimeRemoved, LayoutChanged, SiteBlocked

EPS_RE = re.compile(r"\beps(\d+)\s*=\s*\[([^\]]*)\]")
QUOTED_RE = re.compile(r"'((?:[^'\\\n]|\\.)*)'|\"((?:[^\"\\\n]|\\.)*)\"")
SEASON_RE = re.compile(r"^saison(\d+)(?:-(\d+))?(hs)?$")
EMPTY_ID_PARAMS = {"videoid", "id", "oid", "v", "vid", "file"}
PLACEHOLDER_PATHS = {"", "/embed", "/e", "/v", "/video", "/f/u"}
SPECIAL_FOLDERS = ("film", "oav", "ova", "special")


def _unquote(match: re.Match[str]) -> str:
    raw = match.group(1) if match.group(1) is not None else match.group(2)
    return re.sub(r"\\(.)", r"\1", raw).strip()


def episode_arrays(text: str) -> list[list[str]]:
    """Every `epsN` array of episodes.js, in N order (the site's player order).

    HTML instead of JS is a block or challenge page (SiteBlocked); an empty body or only
    comments means the site has no such season/language (AnimeRemoved); JS without any
    `epsN` array means the format changed (LayoutChanged).
    """
    body = text.lstrip("\ufeff \t\r\n")
    if body[:1] == "<":
        raise SiteBlocked("anime-sama answered an HTML page where the episode list (episodes.js) "
                          "was expected: probably an anti-bot or maintenance page.")
    code = strip_comments(body)
    if not code.strip():
        raise AnimeRemoved("anime-sama lists no episodes for this season and language (its "
                           "episodes.js is empty): the season or language is not on the site.")
    arrays = {int(num): [_unquote(m) for m in QUOTED_RE.finditer(content)]
              for num, content in EPS_RE.findall(code)}
    if not arrays:
        raise LayoutChanged("anime-sama's episodes.js no longer defines the eps1, eps2... "
                            "arrays: the site's format has changed.")
    return [arrays[n] for n in sorted(arrays)]


def absolute(url: str) -> str:
    """`//host/x` -> `https://host/x`; others unchanged."""
    return "https:" + url if url.startswith("//") else url


def is_plausible(url: str) -> bool:
    """False for the placeholders of unreleased episodes (empty ids, `embed-.html`, '').

    An id may be only the fragment (`https://lpayer.embed4me.com/#3maxc`).
    """
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
    if query or parts.path.rstrip("/").lower() not in PLACEHOLDER_PATHS:
        return True
    return bool(parts.fragment.strip("/ "))


def released_count(arrays: list[list[str]]) -> int:
    """How many indexes have at least one plausible player."""
    length = max((len(a) for a in arrays), default=0)
    return sum(1 for i in range(length)
               if any(i < len(a) and is_plausible(a[i]) for a in arrays))


def season_number(folder: str) -> int:
    """Library season of a season folder.

    saison2 -> 2, saison4-2 (part 2 of season 4) -> 4, kai3 -> 3; hors-série
    (saison1hs, kaihs), films (film, film1, film2) and OAVs -> 0; anything else -> 1.
    """
    folder = folder.lower()
    match = SEASON_RE.match(folder)
    if match:
        return 0 if match.group(3) else int(match.group(1))
    if folder.startswith(SPECIAL_FOLDERS) or folder.endswith("hs"):
        return 0
    digits = re.search(r"(\d+)$", folder)
    return int(digits.group(1)) if digits else 1


def season_part(folder: str) -> tuple[int, int] | None:
    """(N, M) for `saisonN-M`, part M of season N; None for other folders."""
    match = SEASON_RE.match(folder.lower())
    if match is None or match.group(2) is None or match.group(3):
        return None
    return int(match.group(1)), int(match.group(2))


def earlier_parts(folder: str) -> list[tuple[str, ...]]:
    """The folders of the parts before `saisonN-M`, each with its alternatives.

    Part 1 is `saisonN` (sometimes `saisonN-1`); part j > 1 is `saisonN-j`.
    """
    part = season_part(folder)
    if part is None:
        return []
    season, index = part
    return [(f"saison{season}", f"saison{season}-1") if j == 1 else (f"saison{season}-{j}",)
            for j in range(1, index)]
