"""What height a player really serves: an HLS master's variants, a stated label, or ffprobe.

`media_heights(client, media)` answers for a resolved player (an empty list means
"cannot tell"; DownloadError, worded as the engines word it, when the media answers an
error status or refuses the connection): an HLS master lists its variants'
`RESOLUTION=WxH`; a media playlist without variants, and a plain file whose host states
no quality, are probed — only their first `PROBE_BYTES` (HTTP Range), each step under a
timeout, with ffprobe on the bytes fetched. Without ffprobe installed the probe is
skipped. `file_height(path)` asks ffprobe about a finished file (the height recorded on
the download).
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urljoin

from webapp.downloading.engines.base import DownloadError
from webapp.sites.hosts.registry import quality_height
from webapp.sites.http.client import HttpClient
from webapp.sites.http.errors import FetchError, FetchTimeout, HttpStatusError
from webapp.sites.types import MediaSource

log = logging.getLogger(__name__)

PROBE_BYTES = 1024 * 1024        # a file's first bytes: its header (MP4 moov, MKV tracks)
PLAYLIST_BYTES = 256 * 1024      # a playlist larger than this is not read for its variants
FETCH_TIMEOUT = (5.0, 10.0)      # connect, read — per socket operation
FETCH_SECONDS = 15.0             # the whole read of the first bytes
FFPROBE_SECONDS = 15.0
_RESOLUTION = re.compile(r"RESOLUTION=(\d+)x(\d+)", re.IGNORECASE)


def ffprobe_path() -> str | None:
    """The ffprobe executable on PATH, or None (probing is then skipped)."""
    return shutil.which("ffprobe")


def file_height(path: Path) -> int | None:
    """The height of the first video stream of a local file, by ffprobe; None when unknown."""
    ffprobe = ffprobe_path()
    if ffprobe is None:
        return None
    try:
        run = subprocess.run(
            [ffprobe, "-v", "error", "-select_streams", "v:0", "-show_entries",
             "stream=height", "-of", "json", str(path)],
            capture_output=True, text=True, timeout=FFPROBE_SECONDS, check=False)
        streams = json.loads(run.stdout or "{}").get("streams") or []
        height = int(streams[0].get("height") or 0) if streams else 0
    except (OSError, subprocess.SubprocessError, ValueError, TypeError, AttributeError):
        return None
    return height or None


def first_bytes(client: HttpClient, url: str, headers: dict[str, str], limit: int) -> bytes:
    """Up to `limit` bytes from the start of `url` (Range asked; a 200 is cut short)."""
    sent = {"Accept": "*/*", "Accept-Encoding": "identity", **headers,
            "Range": f"bytes=0-{limit - 1}"}
    deadline = time.monotonic() + FETCH_SECONDS
    data = bytearray()
    with client.open_stream(url, headers=sent, timeout=FETCH_TIMEOUT) as resp:
        for chunk in resp.iter_content(64 * 1024):
            data.extend(chunk)
            if len(data) >= limit or time.monotonic() > deadline:
                break
    return bytes(data[:limit])


def unusable(exc: FetchError, *, hls: bool = False) -> DownloadError | None:
    """A probe's fetch error as the engine would report it when it means the player cannot
    be used now (an error status, a refused connection or URL); None for a timeout."""
    if isinstance(exc, FetchTimeout):
        return None
    err = DownloadError(f"HLS stream: {exc}" if hls else str(exc))
    err.retryable = exc.retryable
    if hls and isinstance(exc, HttpStatusError) and exc.status in (404, 410):
        err.retryable = False
    return err


def probe_height(client: HttpClient, url: str, headers: dict[str, str], *,
                 strict: bool = True) -> int | None:
    """The height ffprobe reads from the first bytes of a remote file; None when unknown.

    `strict`: an error status or a refused connection raises DownloadError (the player
    is unusable), as the transfer would."""
    if ffprobe_path() is None:
        return None
    try:
        head = first_bytes(client, url, headers, PROBE_BYTES)
    except FetchError as exc:
        log.info("quality probe of %s failed: %s", url, exc)
        failure = unusable(exc) if strict else None
        if failure is not None:
            raise failure from exc
        return None
    except OSError as exc:
        log.info("quality probe of %s failed: %s", url, exc)
        return None
    if not head:
        return None
    with tempfile.TemporaryDirectory(prefix="probe-") as folder:
        sample = Path(folder) / "head"
        sample.write_bytes(head)
        return file_height(sample)


def playlist_heights(text: str) -> list[int]:
    """Every variant height an HLS master playlist states (`#EXT-X-STREAM-INF`)."""
    return [int(m.group(2)) for line in text.splitlines()
            if line.startswith("#EXT-X-STREAM-INF") and (m := _RESOLUTION.search(line))]


def first_segment(text: str, base: str) -> str | None:
    """The first segment URL of an HLS media playlist, or None."""
    lines = [line.strip() for line in text.splitlines()]
    for index, line in enumerate(lines):
        if line.startswith("#EXTINF"):
            uri = next((u for u in lines[index + 1:] if u and not u.startswith("#")), None)
            return urljoin(base, uri) if uri else None
    return None


def hls_heights(client: HttpClient, media: MediaSource) -> list[int]:
    """An HLS master's variant heights; a media playlist's first segment, probed."""
    try:
        text = first_bytes(client, media.url, dict(media.headers),
                           PLAYLIST_BYTES).decode("utf-8", "replace")
    except FetchError as exc:
        log.info("quality probe of %s failed: %s", media.url, exc)
        failure = unusable(exc, hls=True)
        if failure is not None:
            raise failure from exc
        return []
    except OSError as exc:
        log.info("quality probe of %s failed: %s", media.url, exc)
        return []
    if not text.lstrip("\ufeff").startswith("#EXTM3U"):
        return []
    if "#EXT-X-STREAM-INF" in text:
        return playlist_heights(text)
    segment = first_segment(text, media.url)
    height = probe_height(client, segment, dict(media.headers), strict=False) \
        if segment else None
    return [height] if height else []


def stated_height(media: MediaSource, label: str | None = None) -> int | None:
    """The height the host (or the provider's label of the player) states, if any."""
    return quality_height(media.quality) or quality_height(label)


def media_heights(client: HttpClient, media: MediaSource, label: str | None = None
                  ) -> list[int]:
    """The heights a resolved player can serve (empty: cannot tell)."""
    stated = stated_height(media, label)
    if media.kind == "hls":
        return hls_heights(client, media) or ([stated] if stated else [])
    if stated:
        return [stated]
    height = probe_height(client, media.url, dict(media.headers))
    return [height] if height else []
