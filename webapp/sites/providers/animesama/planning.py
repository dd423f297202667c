"""anime-sama's `/planning/` page: which season airs on which weekday, at what time.

The page has one section per day, headed `<h2 class="titreJours">Lundi</h2>` (inside a
`div.fadeJours`), whose scripts call `cartePlanningAnime("Title", "slug/saison2/vf/",
"image", "19h00", "" or "Reporté", "VF")` once per anime (scans use `cartePlanningScan`,
which is ignored). Times are Paris time; "?" means the site does not know the hour.
(tests/fixtures/SOURCES.md Part 1 §6: several public readers of the same shape.)
"""

from __future__ import annotations

import re

from webapp.sites.providers.animesama.scripts import calls, inline_scripts, strip_comments
from webapp.sites.types import LayoutChanged, ScheduledRelease

DAY_HEADING_RE = re.compile(
    r"<h2[^>]*class=[\"'][^\"']*titreJours[^\"']*[\"'][^>]*>\s*([^<]+?)\s*</h2>", re.I)
WEEKDAYS = {"lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5,
            "dimanche": 6}
TIME_RE = re.compile(r"^(\d{1,2})\s*[h:]\s*(\d{2})?$", re.I)
PATH_RE = re.compile(r"^/?(?P<slug>[a-z0-9][a-z0-9._-]*)/(?P<season>[a-z0-9_-]+)/"
                     r"(?P<lang>[a-z0-9]+)/?$", re.I)


def _time(text: str) -> tuple[int | None, int]:
    match = TIME_RE.match(text.strip())
    if match is None:
        return None, 0
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    return (hour, minute) if hour < 24 and minute < 60 else (None, 0)


def planned_seasons(html: str) -> list[ScheduledRelease]:
    """Every anime of the page, day by day (a page without day headings changed)."""
    parts = DAY_HEADING_RE.split(html)
    if len(parts) < 3:
        raise LayoutChanged("anime-sama's planning page has no day headings (h2.titreJours) "
                            "any more: the site's layout has changed.")
    found: list[ScheduledRelease] = []
    for day_name, section in zip(parts[1::2], parts[2::2], strict=True):
        weekday = WEEKDAYS.get(day_name.strip().lower())
        if weekday is None:
            continue
        code = strip_comments(inline_scripts(section))
        for _name, args in calls(code, ("cartePlanningAnime",)):
            if len(args) < 4:
                continue
            match = PATH_RE.match(args[1].strip())
            if match is None:
                continue
            hour, minute = _time(args[3])
            found.append(ScheduledRelease(
                key=f"/catalogue/{match['slug'].lower()}/{match['season'].lower()}/"
                    f"{match['lang'].lower()}/",
                lang=match["lang"].lower(), weekday=weekday, hour=hour, minute=minute,
                postponed=len(args) > 4 and args[4].strip().lower().startswith("report"),
                title=args[0].strip()))
    return found
