"""Embed4me's "lpayer" (`lpayer.embed4me.com/#<id>`): an SPA whose API answers encrypted JSON.

The id is only in the URL fragment, so the page itself tells nothing (tests/fixtures/
SOURCES.md Part 2 §2). The player asks `<origin>/api/v1/video?id=<id>&w=1920&h=1080&r=<the
embedding site>` (Referer/Origin: the player's origin) and gets a hex string (sometimes in
double quotes): AES-128-CBC with constants of the player bundle, PKCS7-padded, over a
JSON whose `cfNative` (a same-origin HLS proxy), `source` (an .m3u8) or `cf` names the
playlist. Playlist and segments want the player's Referer and Origin. A newer build
(Sept 2026) answers a JSON without any URL (`/api/v1/info` + a token flow): that is
reported as unsupported, not as a missing video.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

from yt_dlp.aes import aes_cbc_decrypt_bytes, unpad_pkcs7

from webapp.sites.hosts.common import EmbedHost, host_error
from webapp.sites.http.errors import FetchError, HttpStatusError
from webapp.sites.types import (
    HostError,
    HostLayoutChanged,
    HostUnavailable,
    MediaGone,
    MediaSource,
)
from webapp.sites.urls import origin_of

KEY = b"kiemtienmua911ca"
IV = b"1234567890oiuytr"
_ID = re.compile(r"^[A-Za-z0-9_-]+$")


def player_id(url: str) -> str:
    """The video id of a player URL: its fragment (`#ia5qn`), else an `id=` parameter."""
    parts = urlsplit(url)
    fragment = parts.fragment.strip().lstrip("!/")
    if fragment:
        return fragment
    return (parse_qs(parts.query).get("id") or [""])[0].strip()


def decrypt_payload(body: str) -> Any:
    """The JSON inside an API answer (hex of AES-128-CBC); HostError when it is not one."""
    text = body.strip().strip('"').strip()
    try:
        data = bytes.fromhex(text)
    except ValueError:
        data = b""
    if not data or len(data) % 16:
        raise HostError("Embed4me's answer could not be decrypted (it is not the encrypted "
                        "video description the player expects).")
    clear = aes_cbc_decrypt_bytes(data, KEY, IV)
    pad = clear[-1]
    if not 1 <= pad <= 16 or clear[-pad:] != bytes([pad]) * pad:
        raise HostLayoutChanged("Embed4me's answer could not be decrypted (wrong key or "
                                "damaged data): the player may have changed its keys.")
    try:
        return json.loads(unpad_pkcs7(clear).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise HostError("Embed4me's answer decrypted to something that is not JSON.") from exc


def playlist_url(info: Any) -> str | None:
    """The playlist of a decrypted description: cfNative, else an .m3u8 `source`, else cf."""
    if not isinstance(info, dict):
        return None
    native, source, cf = (str(info.get(k) or "").strip() for k in ("cfNative", "source", "cf"))
    if native:
        return native
    if ".m3u8" in source:
        return source
    return cf or source or None


@dataclass
class Embed4me(EmbedHost):
    """lpayer.embed4me.com: id from the fragment → encrypted API answer → HLS playlist."""

    id = "embed4me"
    name = "Embed4me"
    domains = ("embed4me.com",)
    rank = 2

    def api_url(self, url: str, video_id: str, headers: dict[str, str]) -> str:
        """The API request the player makes for `video_id`."""
        origin = origin_of(self.page_url(url))
        referrer = headers.get("Referer") or headers.get("referer") or ""
        query = urlencode({"id": video_id, "w": 1920, "h": 1080,
                           "r": origin_of(referrer) if referrer else origin})
        return f"{origin}/api/v1/video?{query}"

    def resolve(self, client: Any, url: str, headers: dict[str, str]) -> MediaSource:
        """Ask the player's API for the video and decrypt its answer."""
        video_id = player_id(url)
        if not video_id:
            raise MediaGone("This Embed4me player has no video id (a placeholder).")
        if not _ID.match(video_id):
            raise HostError(f"Embed4me: {video_id!r} is not a video id.")
        origin = origin_of(self.page_url(url))
        sent = {"Accept": "*/*", "Referer": origin + "/", "Origin": origin}
        try:
            answer = client.fetch_page(self.api_url(url, video_id, headers),
                                       allowed_hosts=self.known_domains(), headers=sent)
        except HttpStatusError as exc:
            if exc.status == 429:
                raise HostUnavailable("Embed4me is limiting requests (HTTP 429); it will be "
                                      "tried later.") from exc
            raise self.api_error(exc) from exc
        except FetchError as exc:
            raise self.api_error(exc) from exc
        if answer.text.strip().strip('"').lower().startswith("error"):
            raise HostError(f"Embed4me refused video {video_id} (its API answered "
                            "\"error\").")
        playlist = playlist_url(decrypt_payload(answer.text))
        if not playlist:
            raise HostLayoutChanged("Embed4me answered without a video URL: the player's "
                                    "newer flow (/api/v1/info and a token) is not supported.")
        return MediaSource(url=urljoin(origin + "/", playlist), kind="hls", host=self.id,
                           headers={"Referer": origin + "/", "Origin": origin})

    def api_error(self, exc: FetchError) -> HostError:
        """A failed API request as a HostError naming the player."""
        return host_error(exc, f"{self.name} (its video API)")
