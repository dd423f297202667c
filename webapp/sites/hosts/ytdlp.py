"""The fallback for hosts we do not know: yt-dlp's extractors (embedded, pinned).

`extract_info(download=False)` runs through GuardedYoutubeDL (every request through our
HttpClient). The single-file format nearest the quality preference is chosen (no merge:
one URL must carry both video and audio) and returned with the headers yt-dlp says it
needs. yt-dlp's "Unsupported URL" means no extractor knows the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from yt_dlp.networking.exceptions import HTTPError
from yt_dlp.utils import YoutubeDLError

from webapp.sites.hosts.common import host_error
from webapp.sites.http.errors import FetchError
from webapp.sites.types import HostError, HostUnavailable, MediaGone, MediaSource
from webapp.sites.ytdlp_bridge import (
    GuardedYoutubeDL,
    QuietLogger,
    base_params,
    format_sort,
    unwrap,
)

EXTRACT_TIMEOUT = 30.0
# yt-dlp's catch-alls: they "know" every URL, or refuse known hosts outright.
_NOT_DEDICATED = {"Generic", "KnownPiracy", "KnownDRM"}
# yt-dlp's own defaults; HttpClient sets its own User-Agent and Accept headers.
_DROP_HEADERS = {"user-agent", "accept", "accept-language", "sec-fetch-mode", "accept-encoding"}


@lru_cache(maxsize=1)
def _dedicated_extractors() -> tuple[Any, ...]:
    from yt_dlp.extractor import gen_extractor_classes

    return tuple(ie for ie in gen_extractor_classes() if ie.ie_key() not in _NOT_DEDICATED)


def ytdlp_knows(url: str) -> bool:
    """Whether one of yt-dlp's own extractors (not its generic one) claims the URL."""
    return any(ie.suitable(url) for ie in _dedicated_extractors())


def _error(exc: BaseException, logger: QuietLogger, recorded: list[FetchError]) -> HostError:
    fetch = unwrap(exc, FetchError, recorded=recorded)
    if isinstance(fetch, FetchError):
        return host_error(fetch, "the video host")
    http = unwrap(exc, HTTPError)
    if isinstance(http, HTTPError):
        if http.status in (404, 410):
            return MediaGone(f"The video is gone (HTTP {http.status}).")
        if http.status == 429 or http.status >= 500:
            return HostUnavailable(f"The video host answered HTTP {http.status}.")
    message = (logger.errors[-1] if logger.errors else str(exc)).removeprefix("ERROR: ")
    if "Unsupported URL" in message:
        return HostError("No extractor knows this video host (yt-dlp: unsupported URL).")
    return HostError(f"yt-dlp could not find the video: {message}")


@dataclass
class YtdlpHost:
    """Any http(s) player URL, resolved by yt-dlp's extractors."""

    id = "yt-dlp"
    name = "yt-dlp"
    rank = 5

    def resolve(self, client: Any, url: str, headers: dict[str, str],
                quality_preference: str = "auto") -> MediaSource:
        """Ask yt-dlp for the best single-file format near the preferred quality."""
        logger = QuietLogger()
        params = base_params(logger, headers, EXTRACT_TIMEOUT)
        params.update({"format": "b", "format_sort": format_sort(quality_preference),
                       "simulate": True, "skip_download": True})
        ydl = GuardedYoutubeDL(client, params)
        try:
            with ydl:
                info = ydl.extract_info(url, download=False)
        except (YoutubeDLError, FetchError, OSError) as exc:
            raise _error(exc, logger, ydl.fetch_errors) from exc
        fmt = ((info or {}).get("requested_formats") or [info or {}])[0]
        media_url = fmt.get("url")
        if not media_url:
            raise HostError("yt-dlp found the page but no downloadable format.")
        protocol = str(fmt.get("protocol") or "")
        sent = {k: v for k, v in (fmt.get("http_headers") or {}).items()
                if k.lower() not in _DROP_HEADERS}
        height = fmt.get("height")
        return MediaSource(url=media_url, kind="hls" if protocol.startswith("m3u8") else "file",
                           headers={**headers, **sent}, quality=f"{height}p" if height else None,
                           host=str(info.get("extractor_key") or "yt-dlp").lower())
