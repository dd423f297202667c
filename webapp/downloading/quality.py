"""Quality selection: an episode's players ranked by the height they really serve.

The rule of `quality_preference`: `auto` takes the highest height; `1080p`/`720p`/`480p`
take exactly that height, else the nearest lower, else the nearest higher. Ties keep the
order the players came in (host rank, then the site's order); players whose height stays
unknown follow those whose height is known, in that order; players that could not be
resolved, or whose media answered an error status to the probe, come last (their error
is the reason given when the attempt fails; they are not fetched twice). An HLS
master counts as the variant the same rule picks among its variants, and the engine is
asked for exactly that one.

Measuring is lazy (webapp.downloading.probe does it): players are measured in their
incoming order — a direct file whose label states a height costs nothing, anything else
costs a host page, a playlist or a Range probe; a lone player is not measured at all —
and measuring stops at the first player
that fits (the wanted height; for `auto`, `AUTO_ENOUGH` lines or more) or after
`MAX_MEASURED` costly ones. Each player is resolved once per run; a resolution older than
`FRESH_SECONDS` is redone before its transfer (signed media URLs expire).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from webapp.downloading.engines.base import DownloadError
from webapp.sites.hosts.registry import quality_height
from webapp.sites.types import MediaSource, Player

log = logging.getLogger(__name__)

MAX_MEASURED = 4
AUTO_ENOUGH = 1080
FRESH_SECONDS = 120.0


def wanted_height(preference: str | None) -> int | None:
    """The height a preference asks for; None for `auto`."""
    return quality_height(preference) if preference and preference != "auto" else None


def preference_key(height: int, wanted: int | None) -> tuple[int, int]:
    """Sort key of a known height (smaller is better) under the preference's rule."""
    if wanted is None:
        return (0, -height)
    if height == wanted:
        return (0, 0)
    if height < wanted:
        return (1, wanted - height)
    return (2, height - wanted)


def best_height(heights: Iterable[int], preference: str | None) -> int | None:
    """The height the rule picks among `heights` (an HLS master's variants); None if none."""
    wanted = wanted_height(preference)
    known = [h for h in heights if h]
    return min(known, key=lambda h: preference_key(h, wanted)) if known else None


def fits(height: int, preference: str | None) -> bool:
    """Whether a height ends the search: the wanted one, or for auto a full-HD or better."""
    wanted = wanted_height(preference)
    return height >= AUTO_ENOUGH if wanted is None else height == wanted


def stated_free(player: Player) -> bool:
    """Whether a player's height is known without any request (a labelled direct file)."""
    return player.kind == "file" and quality_height(player.quality) is not None


@dataclass
class Candidate:
    """One player in the ranking: its media once resolved, the height it would give
    (`None`: unknown), or the error resolving it raised."""

    player: Player
    index: int
    media: MediaSource | None = None
    heights: list[int] = field(default_factory=list)
    height: int | None = None
    error: Exception | None = None
    resolved_at: float = 0.0


Resolver = Callable[[Player], MediaSource]
Measurer = Callable[[Player, MediaSource], list[int]]


class PlayerRanking:
    """The players of one download run, best first by the quality rule (see module doc).

    `resolve(player)` turns a player into its media (raising on failure) and
    `measure(player, media)` lists the heights it serves; `keep_first` leaves the first
    player first (the one a part file belongs to resumes before anything is measured).
    """

    def __init__(self, players: list[Player], preference: str, resolve: Resolver,
                 measure: Measurer, *, keep_first: bool = False,
                 limit: int = MAX_MEASURED, clock: Callable[[], float] = time.monotonic
                 ) -> None:
        self.preference = preference or "auto"
        self.resolve = resolve
        self.measure = measure
        self.limit = limit
        self.clock = clock
        self.candidates = [Candidate(p, i) for i, p in enumerate(players)]
        self.keep_first = keep_first and bool(self.candidates)

    def _measure(self, cand: Candidate) -> None:
        try:
            cand.media = self.resolve(cand.player)
        except Exception as exc:  # noqa: BLE001 - the player's failure, reported when tried
            cand.error = exc
            return
        cand.resolved_at = self.clock()
        try:
            cand.heights = list(self.measure(cand.player, cand.media))
        except DownloadError as exc:  # the media answered an error: the player failed
            cand.error = exc
        except Exception as exc:  # noqa: BLE001 - an unknown height never fails a player
            log.info("could not measure %s: %s", cand.player.url, exc)
        cand.height = best_height(cand.heights, self.preference)

    def ranked(self) -> Iterator[Candidate]:
        """Every candidate best first; the rest is measured only once the one kept first
        has been tried, and not at all when there is only one player to choose."""
        head = self.candidates[:1] if self.keep_first else []
        yield from head
        rest = self.candidates[len(head):]
        yield from (self._rank(rest) if len(rest) > 1 else rest)

    def _rank(self, rest: list[Candidate]) -> list[Candidate]:
        """Measure in order until one fits or the cap is reached; rank what is known."""
        measured: list[Candidate] = []
        costly = 0
        for cand in list(rest):
            free = stated_free(cand.player)
            if not free and costly >= self.limit:
                continue
            costly += not free
            self._measure(cand)
            measured.append(cand)
            rest.remove(cand)
            if cand.height is not None and fits(cand.height, self.preference):
                break
        wanted = wanted_height(self.preference)
        known = sorted((c for c in measured if c.height is not None),
                       key=lambda c: (preference_key(c.height or 0, wanted), c.index))
        unknown = [c for c in measured if c.height is None and c.error is None]
        failed = [c for c in measured if c.error is not None]
        return known + unknown + rest + failed

    def media_for(self, cand: Candidate) -> MediaSource:
        """The candidate's media, resolved now if it never was or is no longer fresh;
        raises the error its resolution raised."""
        if cand.error is not None:
            raise cand.error
        if cand.media is None or self.clock() - cand.resolved_at > FRESH_SECONDS:
            cand.media = self.resolve(cand.player)
            cand.resolved_at = self.clock()
        return cand.media

    def engine_preference(self, cand: Candidate) -> str:
        """What the engine is asked for: an HLS master's chosen variant exactly, else the
        preference itself."""
        if cand.media is not None and cand.media.kind == "hls" and cand.height:
            return f"{cand.height}p"
        return self.preference
