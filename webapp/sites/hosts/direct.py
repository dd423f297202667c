"""Direct media: players that are already a file or an HLS playlist (directory listings,
RSS enclosures, anime-ultime's `stream-<n>.mp4`), and embed URLs that plainly point at one.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from webapp.sites.hosts.common import media_kind
from webapp.sites.types import MediaSource, Player

MEDIA_SUFFIXES = (".mp4", ".mkv", ".avi", ".webm", ".m4v", ".mov", ".ts", ".m3u8", ".flv")
RANK = 0


def is_direct(player: Player) -> bool:
    """Whether the player needs no host: kind file/hls, or a URL ending in a media suffix."""
    return player.kind in ("file", "hls") or \
        urlsplit(player.url).path.lower().endswith(MEDIA_SUFFIXES)


def direct_media(player: Player) -> MediaSource:
    """The player as a MediaSource, as is (its own headers kept)."""
    kind = player.kind if player.kind in ("file", "hls") else media_kind(player.url)
    return MediaSource(url=player.url, kind=kind, headers=dict(player.headers),
                       quality=player.quality, host="direct")
