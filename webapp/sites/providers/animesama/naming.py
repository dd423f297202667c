"""Episode names of a season page, replayed like the site's videos.js, and our numbering.

The site (SOURCES.md §2.3–2.4) first fills its episode menu with "Episode 1..T"
(T = tailleEpisodes, the length of the arrays), then runs the page's naming calls in
order: a generic `resetListe(); finirListe(1);` block on every page, then the page's own
block, so the last `resetListe()` wins. `epRetards` counts every `newSP`/`newSPF` and is
never reset:

- `creerListe(a, b)`: "Episode a" … "Episode b" (inclusive; fewer than 2 args: ignored);
- `newSP(x)`: "Episode x" (x may be 12.5, 4 or text); `newSPF(s)`: the free label s;
- `finirListe(d)`: "Episode d" … "Episode T-epRetards";
- `finirListeOP(d)`: defined inline on One Piece pages with an offset:
  "Episode d" … "Episode OFFSET+(T-epRetards)"; without the definition, "Episode d" on
  for the entries still unnamed, as other clients read it.

Index k of every player array plays label k. Our numbers (see `Episode` in types.py):
a regular "Episode n" is n; a numeric `newSP` that no regular label uses (12.5) is a
special of the season with that number; any other special (`newSPF`, text, a repeated
number) is numbered after the entry before it (3.01, 3.02…) so the site's order is kept,
and goes to S00 as this source's 1st, 2nd… special. On a season-0 page (films, OAVs) the
entries are simply 1..n. A number used twice moves after the highest one.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from webapp.sites.providers.animesama.scripts import (
    calls,
    drop_functions,
    function_body,
    inline_scripts,
    strip_comments,
)

NAMING_CALLS = ("resetListe", "creerListe", "newSPF", "newSP", "finirListeOP", "finirListe")
OP_OFFSET_RE = re.compile(r"(\d+)\s*\+\s*\(?\s*tailleEpisodes")


@dataclass(frozen=True)
class Label:
    """One option of the site's episode menu: its text, and "Episode n"'s n when numeric."""

    text: str
    value: float | None = None
    kind: str = "regular"  # regular (creerListe/finirListe) | sp (newSP) | spf (newSPF)


@dataclass(frozen=True)
class EpisodeName:
    """How one index of the arrays is numbered and named in our library."""

    number: float
    title: str | None = None
    special: bool = False
    library_season: int | None = None
    library_number: float | None = None


def as_number(text: str) -> float | None:
    """'12.5' -> 12.5, '4' -> 4 (an int), anything else -> None."""
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    return int(value) if value.is_integer() else value


def _episodes(start: float | None, end: float | None, room: int) -> list[Label]:
    """Labels "Episode start" … "Episode end", at most `room` of them (a typo stays cheap)."""
    if start is None or end is None:
        return []
    first, last = int(start), int(end)
    return [Label(f"Episode {n}", n) for n in range(first, min(last, first + room - 1) + 1)]


def site_labels(season_page: str, total: int) -> list[Label]:
    """The menu labels the site shows for a season page whose arrays hold `total` entries."""
    code = inline_scripts(season_page)
    op_body = function_body(strip_comments(code), "finirListeOP")
    op_match = OP_OFFSET_RE.search(op_body or "")
    op_offset = int(op_match.group(1)) if op_match else None
    code = drop_functions(strip_comments(code), NAMING_CALLS)
    labels = [Label(f"Episode {n}", n) for n in range(1, total + 1)]
    late = 0  # the site's epRetards
    for name, args in calls(code, NAMING_CALLS):
        if name == "resetListe":
            labels = []
        elif name == "creerListe" and len(args) >= 2:
            labels += _episodes(as_number(args[0]), as_number(args[1]), total)
        elif name in ("newSP", "newSPF") and args:
            late += 1
            labels.append(Label(f"Episode {args[0]}", as_number(args[0]), "sp")
                          if name == "newSP" else Label(args[0], None, "spf"))
        elif name == "finirListe" or (name == "finirListeOP" and op_offset is not None):
            offset = op_offset if name == "finirListeOP" else 0
            labels += _episodes(as_number(args[0]) if args else None,
                                (offset or 0) + total - late, total)
        elif name == "finirListeOP" and args:  # no definition found: fill what remains
            start = as_number(args[0])
            labels += _episodes(start, (start or 0) + total - len(labels) - 1, total)
    return labels


def episode_names(labels: list[Label] | None, total: int, season_zero: bool) -> list[EpisodeName]:
    """Our number, title and library place for each of the `total` indexes."""
    labels = list((labels or [])[:total])
    # Indexes the site leaves unnamed continue the numbering.
    last = int(max((lb.value for lb in labels if lb.value is not None), default=0))
    labels += [Label(f"Episode {n}", n) for n in range(last + 1, last + 1 + total - len(labels))]
    if season_zero:
        return [EpisodeName(index + 1, None if lb.kind == "regular" else lb.text,
                            lb.kind != "regular") for index, lb in enumerate(labels)]
    regular = {lb.value for lb in labels if lb.kind == "regular"}
    names: list[EpisodeName] = []
    previous, step, ordinal = 0.0, 0, 0
    for label in labels:
        if label.kind == "regular" or (label.value is not None and label.value not in regular):
            name = EpisodeName(label.value, None if label.kind == "regular" else label.text,
                               label.kind != "regular")
            previous, step = float(label.value), 0
        else:
            step, ordinal = step + 1, ordinal + 1
            name = EpisodeName(_tidy(previous + 0.01 * step), label.text, True, 0, ordinal)
        names.append(name)
    return _without_duplicates(names)


def _tidy(value: float) -> float:
    value = round(float(value), 4)
    return int(value) if value.is_integer() else value


def _without_duplicates(names: list[EpisodeName]) -> list[EpisodeName]:
    """A number already used moves after the highest number of the list."""
    highest = int(max((n.number for n in names), default=0))
    seen: set[float] = set()
    result = []
    for name in names:
        if name.number in seen:
            highest += 1
            name = replace(name, number=highest)
        seen.add(name.number)
        result.append(name)
    return result


def shifted(names: list[EpisodeName], offset: int) -> list[EpisodeName]:
    """Every number moved up by `offset` (a season part continuing the earlier parts)."""
    return [replace(n, number=_tidy(n.number + offset)) for n in names]
