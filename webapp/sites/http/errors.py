"""The errors of the HTTP client; `str(exc)` is always a sentence a person can act on."""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from http import HTTPStatus

import requests


class FetchError(Exception):
    """A page or file could not be fetched; `retryable` says whether trying later may help."""

    retryable = False

    def __init__(self, message: str, *, url: str = "") -> None:
        super().__init__(message)
        self.url = url


class UrlRejected(FetchError):
    """The URL may not be fetched: not http(s), host not allowed, or a private address."""


class RedirectRejected(UrlRejected):
    """A redirect led to a host outside the allowed ones; `location` is where it pointed."""

    def __init__(self, message: str, *, url: str = "", location: str = "") -> None:
        super().__init__(message, url=url)
        self.location = location


class FetchTimeout(FetchError):
    """The server did not answer (or finish answering) in time."""

    retryable = True


class ConnectionFailed(FetchError):
    """DNS failure, connection refused or reset, TLS failure."""

    retryable = True


class HttpStatusError(FetchError):
    """The server answered an error status.

    `status` is the code, `retry_after` the seconds asked for (429/503), and `headers` /
    `body` (the first 64 KiB) let a caller recognise e.g. an anti-bot challenge page.
    """

    def __init__(self, message: str, *, url: str = "", status: int,
                 retry_after: float | None = None, headers: Mapping[str, str] | None = None,
                 body: bytes = b"") -> None:
        super().__init__(message, url=url)
        self.status = status
        self.retry_after = retry_after
        self.retryable = status == 429 or status >= 500
        self.headers: Mapping[str, str] = headers or {}
        self.body = body


class ResponseTooLarge(FetchError):
    """The response is larger than the size cap for pages."""


class TooManyRedirects(FetchError):
    """The server kept redirecting."""


def status_phrase(status: int) -> str:
    """`503 (Service Unavailable)` for a status code."""
    try:
        return f"{status} ({HTTPStatus(status).phrase})"
    except ValueError:
        return str(status)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        return max(parsedate_to_datetime(value).timestamp() - time.time(), 0.0)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def translate_exception(exc: requests.RequestException, host: str, timeout: tuple[float, float],
               url: str) -> FetchError:
    """Turn a requests exception into one of our errors with a readable sentence."""
    if isinstance(exc, requests.ConnectTimeout):
        return FetchTimeout(f"{host} did not accept a connection within {timeout[0]:g} "
                            "seconds.", url=url)
    if isinstance(exc, requests.Timeout) or "timed out" in str(exc).lower():
        return FetchTimeout(f"{host} did not answer within {timeout[1]:g} seconds.", url=url)
    if isinstance(exc, requests.exceptions.SSLError):
        err = ConnectionFailed(f"The secure connection to {host} failed (certificate or "
                               "TLS error).", url=url)
        err.retryable = False
        return err
    if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.InvalidSchema
                  | requests.exceptions.MissingSchema):
        return UrlRejected("This is not a valid http(s) URL.", url=url)
    if isinstance(exc, requests.ConnectionError):
        text = str(exc).lower()
        if "without response" in text or "remotedisconnected" in text:
            return ConnectionFailed(f"{host} accepted the connection, then closed it without "
                                    "answering.", url=url)
        if "reset by peer" in text or "connection aborted" in text:
            return ConnectionFailed(f"{host} broke the connection off (connection reset).",
                                    url=url)
        reason = "connection refused" if "refused" in text else "connection failed"
        return ConnectionFailed(f"Could not connect to {host} ({reason}).", url=url)
    return ConnectionFailed(f"The transfer from {host} failed ({type(exc).__name__}).",
                            url=url)


def peer_address(resp: requests.Response) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a streamed response's socket is connected to, when it can be seen."""
    candidates = (
        lambda: resp.raw.connection.sock,  # kept-alive connection
        lambda: resp.raw._fp.fp.raw._sock,  # connection handed over to the response
    )
    for get in candidates:
        try:
            sock = get()
            if sock is not None:
                return ipaddress.ip_address(str(sock.getpeername()[0]).split("%")[0])
        except (AttributeError, OSError, ValueError, IndexError, TypeError):
            continue
    return None
