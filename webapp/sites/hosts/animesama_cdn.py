"""anime-sama's own MP4s (`s22.anime-sama.<tld>/videos/<Show>/…/<Show>_NN_<LANG>.mp4`).

The player URL is the file itself (tests/fixtures/SOURCES.md Part 2 §5); it is fetched
with the anime-sama site as Referer, as the site's player would. These hosts have failed
to resolve for some series (Sky-NiniKo/anime-sama_api#3), so the file is probed (one
byte) first: a name that does not resolve or a refused connection is HostUnavailable and
the next player is tried at once, a missing file MediaGone. The host follows the main
site's TLD, so any `s<N>.anime-sama.<tld>` matches; ANIMESAMA_CDN_BASE_URL moves it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from webapp.sites.hosts.common import EmbedHost, host_error, media_kind
from webapp.sites.http.errors import FetchError
from webapp.sites.types import MediaSource
from webapp.sites.urls import host_of

_CDN_HOST = re.compile(r"^s\d+\.anime-sama\.(?P<tld>[a-z]{2,})$")


@dataclass
class AnimeSamaCdn(EmbedHost):
    """s22.anime-sama.*: a direct MP4, Referer the anime-sama site."""

    id = "animesama_cdn"
    name = "anime-sama (own videos)"
    domains = ()
    rank = 0

    def matches(self, url: str) -> bool:
        """An `s<N>.anime-sama.<tld>` URL, or one on the configured base URL."""
        return bool(_CDN_HOST.match(host_of(url))) or super().matches(url)

    def referer(self, url: str, headers: dict[str, str]) -> str:
        """The player's Referer, else the anime-sama site of the URL's TLD."""
        given = headers.get("Referer") or headers.get("referer")
        if given:
            return given
        match = _CDN_HOST.match(host_of(url))
        return f"https://anime-sama.{match['tld'] if match else 'fr'}/"

    def resolve(self, client: Any, url: str, headers: dict[str, str]) -> MediaSource:
        """The file itself, once a one-byte probe shows its host answers."""
        target = self.page_url(url)
        sent = {**headers, "Referer": self.referer(url, headers)}
        try:
            client.open_stream(target, headers={**sent, "Range": "bytes=0-0"}).close()
        except FetchError as exc:
            raise host_error(exc, self.name) from exc
        return MediaSource(url=target, kind=media_kind(target), headers=sent, host=self.id)
