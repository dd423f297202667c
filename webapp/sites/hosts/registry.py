"""Video hosts: a provider's player → a fetchable media URL, and the order to try players in.

`resolve_player` passes direct "file"/"hls" players (and URLs that plainly are media
files) through as they are and asks the host module whose domain (or configured base
URL) the embed URL is on. For a host we do not know, the generic embed reader
(`generic.py`) reads the page first, unless one of yt-dlp's own extractors claims the URL;
yt-dlp's extractors come last. `order_players` sorts an episode's players best first: the
quality preference, then the host (`rank`: direct files, Sibnet and anime-sama's own
MP4s; then AnsEmbed, OneUpload, Sendvid, Uqload and the VidHide family; then Embed4me,
whose crypto breaks when the player changes; then flaky Vidmoly; unknown hosts last),
then the provider's own order.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from webapp.sites.hosts.animesama_cdn import AnimeSamaCdn
from webapp.sites.hosts.ansembed import AnsEmbed
from webapp.sites.hosts.common import EmbedHost
from webapp.sites.hosts.direct import RANK as DIRECT_RANK
from webapp.sites.hosts.direct import direct_media, is_direct
from webapp.sites.hosts.embed4me import Embed4me
from webapp.sites.hosts.generic import GenericEmbed, NothingFound
from webapp.sites.hosts.oneupload import OneUpload
from webapp.sites.hosts.packed import PACKED_HOSTS
from webapp.sites.hosts.sendvid import Sendvid
from webapp.sites.hosts.sibnet import Sibnet
from webapp.sites.hosts.uqload import Uqload
from webapp.sites.hosts.vidmoly import Vidmoly
from webapp.sites.hosts.ytdlp import YtdlpHost, ytdlp_knows
from webapp.sites.types import MediaSource, Player
from webapp.sites.urls import host_of

HOST_CLASSES: tuple[type[EmbedHost], ...] = (
    Sibnet, AnimeSamaCdn, AnsEmbed, OneUpload, Sendvid, Uqload, *PACKED_HOSTS, Embed4me,
    Vidmoly)
UNKNOWN_RANK = GenericEmbed.rank


def build_hosts(config: Mapping[str, Any] | None = None) -> list[EmbedHost]:
    """Every known host, with its base URL from config["BASE_URLS"][<id>] when set."""
    base_urls = (config or {}).get("BASE_URLS") or {}
    return [cls(base_url=base_urls.get(cls.id)) for cls in HOST_CLASSES]


def host_for(url: str, config: Mapping[str, Any] | None = None) -> EmbedHost | None:
    """The host module that handles this embed URL, if one does."""
    return next((h for h in build_hosts(config) if h.matches(url)), None)


def resolve_player(client: Any, player: Player, config: Mapping[str, Any], *,
                   quality_preference: str = "auto") -> MediaSource:
    """Turn a player into a MediaSource (raises HostError subclasses on failure)."""
    if player.kind in ("file", "hls"):
        return direct_media(player)
    headers = dict(player.headers)
    host = host_for(player.url, config)
    if host is not None:
        return host.resolve(client, player.url, headers)
    if is_direct(player):
        return direct_media(player)
    if not ytdlp_knows(player.url):
        try:
            return GenericEmbed().resolve(client, player.url, headers)
        except NothingFound:
            pass
    return YtdlpHost().resolve(client, player.url, headers, quality_preference)


def player_label(player: Player, config: Mapping[str, Any] | None = None) -> str:
    """A short name for a player (shown with the progress and in errors): label or host."""
    if player.label:
        return player.label
    if player.kind in ("file", "hls"):
        return "direct"
    host = host_for(player.url, config)
    return host.name if host else (re.sub(r"^www\.", "", host_of(player.url)) or "player")


def quality_height(quality: str | None) -> int | None:
    """Lines of a quality label: "1080p" → 1080, "HD" → 720, "FHD" → 1080; None if unknown."""
    text = (quality or "").strip().lower()
    digits = re.search(r"(\d{3,4})", text)
    if digits:
        return int(digits.group(1))
    named = {"uhd": 2160, "4k": 2160, "fhd": 1080, "fullhd": 1080, "hd": 720, "sd": 480}
    return named.get(text.replace(" ", "").replace("-", ""))


def _quality_rank(quality: str | None, preference: str) -> tuple[int, int]:
    height = quality_height(quality)
    wanted = quality_height(preference)
    if wanted is None:  # "auto": known heights best first, unknown after them
        return (0, -height) if height else (1, 0)
    if height is None:
        return (1, 0)
    if height == wanted:
        return (0, 0)
    # Nearest first; at equal distance the smaller (what the user asked to save space for).
    return (2, abs(height - wanted) * 2 + (height > wanted))


def host_rank(player: Player, config: Mapping[str, Any] | None = None) -> int:
    """0 for direct files and Sibnet … 3 for Vidmoly, 4 for hosts we have no module for."""
    if is_direct(player):
        return DIRECT_RANK
    host = host_for(player.url, config)
    return host.rank if host else UNKNOWN_RANK


def order_players(players: list[Player], quality_preference: str,
                  config: Mapping[str, Any] | None = None) -> list[Player]:
    """Players best first: quality preference, then host reliability, then provider order."""
    indexed = list(enumerate(players))
    indexed.sort(key=lambda ip: (_quality_rank(ip[1].quality, quality_preference),
                                 host_rank(ip[1], config), ip[0]))
    return [p for _, p in indexed]
