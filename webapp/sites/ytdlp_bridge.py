"""yt-dlp, embedded, with every request it makes sent through our HttpClient.

`GuardedYoutubeDL` is a `YoutubeDL` whose only request handler (`HttpClientRH`) calls
`HttpClient.open_stream`: every URL yt-dlp fetches (embed pages, playlists, every HLS
segment and key) and every redirect hop is checked by our URL guard, so a hostile
playlist cannot make the server fetch a private address. Only GET and HEAD are
supported (what extraction and the native HLS downloader use).

`unwrap` digs our own exception (Stopped, TooLarge, NotEnoughSpace, a FetchError, an
OSError) out of the wrappers yt-dlp puts around errors raised in hooks and handlers.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterator
from typing import Any

import requests
import urllib3
from yt_dlp import YoutubeDL
from yt_dlp.networking.common import RequestHandler, Response
from yt_dlp.networking.exceptions import (
    HTTPError,
    TransportError,
    UnsupportedRequest,
)

from webapp.sites.http.client import HttpClient
from webapp.sites.http.errors import FetchError, HttpStatusError

CONNECT_TIMEOUT = 10.0


class _StreamResponse(Response):
    """A yt-dlp Response reading a streamed requests.Response (content decoded, counted)."""

    counter: list[int] | None = None

    def read(self, amt: int | None = None) -> bytes:
        try:
            if amt is None:
                data = b"".join(iter(functools.partial(self.fp.read, 1 << 20,
                                                       decode_content=True), b""))
            else:
                data = self.fp.read(amt, decode_content=True)
            if self.counter is not None:
                self.counter[0] += len(data)
            if self.fp.closed:
                self.close()
            return data
        except (urllib3.exceptions.HTTPError, OSError, requests.RequestException) as exc:
            raise TransportError(cause=exc) from exc


class HttpClientRH(RequestHandler):
    """A yt-dlp request handler that sends everything through `HttpClient.open_stream`."""

    _SUPPORTED_URL_SCHEMES = ("http", "https")
    _SUPPORTED_PROXY_SCHEMES = ()
    _SUPPORTED_FEATURES = ()

    def __init__(self, *, client: HttpClient, counter: list[int], errors: list[FetchError],
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.client = client
        self.counter = counter
        self.errors = errors

    def _check_extensions(self, extensions: dict) -> None:
        super()._check_extensions(extensions)
        for name in ("cookiejar", "timeout", "legacy_ssl", "keep_header_casing"):
            extensions.pop(name, None)
        if not extensions.get("impersonate"):
            extensions.pop("impersonate", None)

    def _validate(self, request: Any) -> None:
        super()._validate(request)
        if (request.method or ("POST" if request.data else "GET")) not in ("GET", "HEAD"):
            raise UnsupportedRequest("only GET and HEAD requests are sent through HttpClient")

    def _send(self, request: Any) -> Response:
        timeout = self._calculate_timeout(request)
        headers = self._get_headers(request)
        try:
            resp = self.client.open_stream(
                request.url, headers=headers, timeout=(min(CONNECT_TIMEOUT, timeout), timeout))
        except HttpStatusError as exc:
            self.errors.append(exc)
            raise HTTPError(Response(io.BytesIO(b""), exc.url or request.url, {},
                                     status=exc.status)) from exc
        except FetchError as exc:
            self.errors.append(exc)
            raise TransportError(str(exc), cause=exc) from exc
        if request.method == "HEAD":
            resp.close()
            return Response(io.BytesIO(b""), resp.url, dict(resp.headers),
                            status=resp.status_code, reason=resp.reason)
        response = _StreamResponse(resp.raw, resp.url, dict(resp.headers),
                                   status=resp.status_code, reason=resp.reason)
        response.counter = self.counter
        return response


class GuardedYoutubeDL(YoutubeDL):
    """A YoutubeDL whose network traffic all goes through our HttpClient.

    `bytes_read` counts the body bytes received (playlists and segments included);
    `fetch_errors` keeps our errors (yt-dlp's retry loops report only their text).
    """

    def __init__(self, client: HttpClient, params: dict[str, Any]) -> None:
        self._http_client = client
        self._counter = [0]
        self.fetch_errors: list[FetchError] = []
        super().__init__(params)

    @property
    def bytes_read(self) -> int:
        """Body bytes received through HttpClient so far."""
        return self._counter[0]

    def build_request_director(self, handlers: Any, preferences: Any = None) -> Any:
        """Use HttpClientRH only (never yt-dlp's own unguarded handlers)."""
        handler = functools.partial(HttpClientRH, client=self._http_client,
                                    counter=self._counter, errors=self.fetch_errors)
        return super().build_request_director([handler], preferences)


class QuietLogger:
    """Collects yt-dlp's messages instead of printing them (the last error is kept)."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def debug(self, msg: str) -> None:
        """Ignore debug output."""

    def info(self, msg: str) -> None:
        """Ignore informational output."""

    def warning(self, msg: str) -> None:
        """Keep warnings for diagnostics."""
        self.warnings.append(msg)

    def error(self, msg: str) -> None:
        """Keep errors (the last one explains a failure)."""
        self.errors.append(msg)


def base_params(logger: QuietLogger, headers: dict[str, str], timeout: float) -> dict[str, Any]:
    """Options shared by extraction and download: quiet, our headers, no side files."""
    return {
        "logger": logger, "quiet": True, "no_warnings": True, "noprogress": True,
        "http_headers": dict(headers), "socket_timeout": timeout,
        "noplaylist": True, "cachedir": False, "check_formats": False,
        "extractor_retries": 0, "retries": 3, "fragment_retries": 5,
        "skip_unavailable_fragments": False, "updatetime": False,
    }


def format_sort(quality_preference: str) -> list[str]:
    """yt-dlp's sort for a preference: "720p" -> the variant nearest 720 lines, else best."""
    digits = "".join(ch for ch in quality_preference or "" if ch.isdigit())
    return [f"res:{digits}"] if digits else []


def _chain(exc: BaseException | None) -> Iterator[BaseException]:
    seen: set[int] = set()
    stack = [exc]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        exc_info = getattr(current, "exc_info", None)
        if isinstance(exc_info, tuple) and len(exc_info) > 1:
            stack.append(exc_info[1])
        stack.extend([getattr(current, "cause", None), current.__cause__, current.__context__])


def unwrap(exc: BaseException, *types: type[BaseException],
           recorded: list[FetchError] | None = None) -> BaseException | None:
    """The first exception of `types` in `exc`'s wrapping/cause chain, else the last
    `recorded` one of those types (what yt-dlp's retry loops swallowed), else None."""
    for current in _chain(exc):
        if isinstance(current, types):
            return current
    for current in reversed(recorded or []):
        if isinstance(current, types):
            return current
    return None
