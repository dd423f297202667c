"""The attempt of one download: its players best first, failing over to the next one.

"Best" is the quality preference applied to the height each player really serves
(webapp.downloading.quality), then the host order. The player a part file belongs to
goes first (a resumed attempt continues its file); a part file of another player is
removed before switching, since the bytes would differ.
`PlayerLoop.run` returns an `Outcome` (placed / failed / stopped); the download job
(webapp.downloading.job) acts on it once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from sqlalchemy import select, update

from webapp.downloading import settings as dm
from webapp.downloading.probe import file_height, media_heights, stated_height
from webapp.downloading.quality import PlayerRanking
from webapp.extensions import db
from webapp.infra.site_watch import HOST
from webapp.models import Download, Source, SourceEpisode, WatchlistItem
from webapp.schemas import episode_number
from webapp.sites.types import Player

# Transfers need at least this much room before they start (the engine checks the real
# size once the server says it).
MIN_FREE_BYTES = 16 * 1024 * 1024


def human_duration(seconds: float) -> str:
    """60 -> '1 minute', 600 -> '10 minutes', 3600 -> '1 hour', 5 -> '5 seconds'."""
    for unit, size in (("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = round(seconds / size)
            return f"{count} {unit}{'s' if count != 1 else ''}"
    count = int(seconds)
    return f"{count} second{'s' if count != 1 else ''}"


def describe(player: Player, config: Mapping[str, Any]) -> str:
    """A player's name for errors and progress: the host module's label and the URL's host."""
    from webapp.sites.hosts.registry import player_label

    label = player_label(player, config)
    host = urlsplit(player.url).hostname or ""
    return label if not host or host in label.lower() else f"{label} ({host})"


@dataclass(frozen=True)
class Outcome:
    """How an attempt ended: `placed` (the file is at `path`, of `resolution` lines),
    `stopped` (cancelled while it ran) or `failed` (every player failed: `reasons`, and
    whether a retry may help)."""

    kind: Literal["placed", "stopped", "failed"]
    path: Path | None = None
    reasons: tuple[str, ...] = ()
    retryable: bool = False
    resolution: int | None = None  # the placed video's height, when known


def failed(reasons: list[str], retryable: bool) -> Outcome:
    """A failed attempt with its reasons."""
    return Outcome("failed", reasons=tuple(reasons), retryable=retryable)


class PlayerLoop:
    """Tries the episode's players in order until one transfer succeeds.

    `library_target(ext)` says where the finished file goes; `should_stop()` is asked
    during the transfer (the user cancelled)."""

    def __init__(self, download: Download, config: Mapping[str, Any], conn: Any,
                 should_stop: Callable[[], bool],
                 library_target: Callable[[str], Path]) -> None:
        self.download = download
        self.config = config
        self.conn = conn
        self.should_stop = should_stop
        self.library_target = library_target
        self.part = dm.part_path(self.config, self.download.id)
        item = db.session.get(WatchlistItem, self.download.item_id)
        self.quality = item.quality_preference if item is not None else "auto"
        self.expand_errors: list[str] = []

    def _count_attempt(self) -> None:
        db.session.execute(
            update(Download).where(Download.id == self.download.id,
                                   Download.status == "running")
            .values(attempts=Download.attempts + 1)
            .execution_options(synchronize_session=False))
        db.session.commit()
        db.session.refresh(self.download)

    def _expand(self, client: Any, players: list[Player]) -> list[Player]:
        """Replace "page" players (an episode page) by the players the page lists."""
        if not any(p.kind == "page" for p in players):
            return players
        from webapp.infra.site_access import get_registry
        from webapp.sites.types import ProviderError

        source = db.session.get(Source, self.download.source_id)
        provider = get_registry().get(source.provider_id) if source is not None else None
        expanded: list[Player] = []
        for player in players:
            if player.kind != "page":
                expanded.append(player)
                continue
            try:
                if provider is None:
                    raise ProviderError("its provider is no longer installed")
                expanded.extend(provider.expand_player(client, player))
            except ProviderError as exc:
                self.expand_errors.append(f"{player.url}: {exc}")
        return expanded

    def _players(self, client: Any) -> list[Player]:
        from webapp.sites.hosts.registry import order_players

        listed = db.session.scalar(select(SourceEpisode).where(
            SourceEpisode.source_id == self.download.source_id,
            SourceEpisode.number == self.download.episode))
        if listed is None:
            return []
        players = self._expand(client, [Player.from_dict(p) for p in listed.players])
        players = order_players(players, self.quality, self.config)
        if self._resuming(players):
            players.sort(key=lambda p: p.url != self.download.player)  # stable sort
        return players

    def _resuming(self, players: list[Player]) -> bool:
        """Whether a part file of one of these players is there to resume."""
        owner = self.download.player
        return bool(owner) and self.part.exists() and any(p.url == owner for p in players)

    def _ranking(self, client: Any, players: list[Player]) -> PlayerRanking:
        """The players ranked by the height they serve (webapp.downloading.quality)."""
        return PlayerRanking(
            players, self.quality, lambda player: self._resolve(client, player),
            lambda player, media: media_heights(client, media, player.quality),
            keep_first=self._resuming(players))

    def _switch_to(self, player: Player) -> None:
        if self.download.player == player.url:
            return
        dm.remove_parts(self.config, self.download.id)
        db.session.execute(
            update(Download).where(Download.id == self.download.id,
                                   Download.status == "running")
            .values(player=player.url).execution_options(synchronize_session=False))
        db.session.commit()
        self.download.player = player.url

    def _resolve(self, client: Any, player: Player) -> Any:
        """The player's media; a known host's result goes to the site watch."""
        from webapp.notifications.site_alerts import observe
        from webapp.sites.hosts.registry import host_for, resolve_player
        from webapp.sites.types import HostError

        host = None if player.kind in ("file", "hls") else host_for(player.url, self.config)
        try:
            media = resolve_player(client, player, self.config,
                                   quality_preference=self.quality)
        except HostError as exc:
            if host is not None:
                observe(HOST, host.id, host.name, exc)
            raise
        if host is not None:
            observe(HOST, host.id, host.name)
        return media

    def run(self) -> Outcome:
        """Count the attempt, check the disk, then try each player; return the outcome."""
        from webapp.downloading.engines.base import NotEnoughSpace, Stopped
        from webapp.downloading.engines.progress import ProgressReporter
        from webapp.downloading.engines.space import check_free_space
        from webapp.downloading.engines.transfer import transfer
        from webapp.library.layout import place_file
        from webapp.sites.http.client import HttpClient

        self._count_attempt()
        client = HttpClient.from_config(self.config, self.conn)
        players = self._players(client)
        if not players:
            number = episode_number(self.download.episode)
            return failed(self.expand_errors
                          or [f"the source lists no player for episode {number} (yet)"], True)
        self.part.parent.mkdir(parents=True, exist_ok=True)
        try:
            check_free_space(self.part.parent, MIN_FREE_BYTES)
        except NotEnoughSpace as exc:
            return failed([str(exc)], retryable=exc.retryable)
        max_bytes = int(self.config["MAX_FILE_SIZE_MB"]) * 1024 * 1024
        reasons: list[str] = []
        retryable = False
        ranking = self._ranking(client, players)
        for cand in ranking.ranked():
            player = cand.player
            label = describe(player, self.config)
            self._switch_to(player)
            reporter = ProgressReporter(self.conn, self.download.id, label)
            try:
                media = ranking.media_for(cand)
                result = transfer(client, media, self.part, reporter, max_bytes=max_bytes,
                                  should_stop=self.should_stop,
                                  quality_preference=ranking.engine_preference(cand))
            except Stopped:
                reporter.clear()
                return Outcome("stopped")
            except NotEnoughSpace as exc:
                reporter.clear()
                return failed([str(exc)], retryable=exc.retryable)
            except Exception as exc:  # noqa: BLE001 - any player failure moves to the next
                reporter.clear()
                reasons.append(f"{label}: {exc}")
                retryable = retryable or bool(getattr(exc, "retryable", True))
                continue
            reporter.finish()
            final = place_file(Path(result.path), self.library_target(result.extension))
            reporter.clear()
            height = file_height(final) or cand.height or stated_height(media, player.quality)
            return Outcome("placed", path=final, resolution=height)
        return failed(reasons, retryable)
