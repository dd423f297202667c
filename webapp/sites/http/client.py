"""HttpClient: the one way the app fetches pages and media (see the package docstring)."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urljoin

import redis
import requests
from requests.adapters import HTTPAdapter

from webapp.sites.http.errors import (
    FetchError,
    FetchTimeout,
    HttpStatusError,
    RedirectRejected,
    ResponseTooLarge,
    TooManyRedirects,
    UrlRejected,
    parse_retry_after,
    peer_address,
    status_phrase,
    translate_exception,
)
from webapp.sites.http.guard import (
    check_address,
    guard_url,
    host_allowed,
    private_policy,
    split_url,
)
from webapp.sites.http.ratelimit import HostRateLimiter
from webapp.sites.http.text import decode_text

log = logging.getLogger(__name__)

USER_AGENT = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
              "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")
DEFAULT_HEADERS = {
    "User-Agent": USER_AGENT,
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "fr-FR,fr;q=0.9,en-US;q=0.8,en;q=0.7",
}
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
RETRY_STATUSES = {429, 500, 502, 503, 504}
CHUNK = 64 * 1024
ERROR_BODY_BYTES = 64 * 1024


# One page fetch, retries included, never takes longer than this by default (seconds).
DEFAULT_DEADLINE = 40.0

class Validators(Protocol):
    """What a conditional GET needs (webapp.sites.providers.base.Conditional has it)."""

    etag: str | None
    last_modified: str | None


@dataclass
class Page:
    """A fully read, size-capped response."""

    url: str
    status: int
    headers: Mapping[str, str]
    content: bytes
    text: str
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    history: list[str] = field(default_factory=list)

    def json(self) -> Any:
        """The body parsed as JSON (raises ValueError when it is not JSON)."""
        import json

        return json.loads(self.text)


class HttpClient:
    """Timeouts, retries with backoff, per-host pacing, conditional GET, URL guard, size cap.

    One instance per process is enough (sessions are per thread). `backoff` is the first
    retry delay in seconds (doubled each time); `max_retry_after` is the longest
    Retry-After honoured by sleeping — a longer one raises HttpStatusError at once with
    `retry_after` set, so a job can be rescheduled instead.
    """

    def __init__(self, redis: redis.Redis | None = None, *, allow_private: Any = "",
                 rate_per_host: float = 1.0, timeout: tuple[float, float] = (5.0, 30.0),
                 retries: int = 3, max_page_bytes: int = 5 * 1024 * 1024,
                 backoff: float = 1.0, max_backoff: float = 30.0,
                 max_retry_after: float = 60.0, max_redirects: int = 10,
                 user_agent: str = USER_AGENT, deadline: float | None = None) -> None:
        self.redis = redis
        self.policy = private_policy(allow_private)
        self.limiter = HostRateLimiter(redis, rate_per_host)
        self.timeout = (float(timeout[0]), float(timeout[1]))
        self.retries = max(int(retries), 0)
        self.max_page_bytes = int(max_page_bytes)
        self.backoff = float(backoff)
        self.max_backoff = float(max_backoff)
        self.max_retry_after = float(max_retry_after)
        self.max_redirects = int(max_redirects)
        # The longest one fetch_page may take, retries included (None: no limit beyond
        # the timeouts): a host that accepts and never answers costs this much, no more.
        self.deadline = float(deadline) if deadline else None
        self.default_headers = {**DEFAULT_HEADERS, "User-Agent": user_agent}
        self._local = threading.local()

    @classmethod
    def from_config(cls, config: Mapping[str, Any], redis: redis.Redis | None = None
                    ) -> HttpClient:
        """Build from app config: ALLOW_PRIVATE_HOSTS, HOST_RATE_LIMIT_PER_SECOND.

        Optional keys (for tests and tuning): HTTP_TIMEOUT (connect, read), HTTP_RETRIES,
        HTTP_BACKOFF_SECONDS, HTTP_MAX_RETRY_AFTER, HTTP_MAX_PAGE_BYTES,
        HTTP_DEADLINE_SECONDS (0: none).
        """
        return cls(
            redis,
            allow_private=config.get("ALLOW_PRIVATE_HOSTS") or "",
            rate_per_host=float(config.get("HOST_RATE_LIMIT_PER_SECOND", 1.0)),
            timeout=tuple(config.get("HTTP_TIMEOUT") or (5.0, 30.0)),  # type: ignore[arg-type]
            retries=int(config.get("HTTP_RETRIES", 3)),
            backoff=float(config.get("HTTP_BACKOFF_SECONDS", 1.0)),
            max_retry_after=float(config.get("HTTP_MAX_RETRY_AFTER", 60.0)),
            max_page_bytes=int(config.get("HTTP_MAX_PAGE_BYTES", 5 * 1024 * 1024)),
            deadline=float(config.get("HTTP_DEADLINE_SECONDS", DEFAULT_DEADLINE)) or None,
        )

    # --- public API ----------------------------------------------------------------------

    def guard(self, url: str, allowed_hosts: Iterable[str] | None = None) -> None:
        """Raise UrlRejected unless this client may fetch `url`."""
        guard_url(url, allow_private=self.policy, allowed_hosts=allowed_hosts)

    def fetch_page(self, url: str, *, allowed_hosts: Iterable[str] | None = None,
                   method: str = "GET", headers: Mapping[str, str] | None = None,
                   params: Mapping[str, Any] | None = None, data: Any = None,
                   conditional: Validators | None = None, max_bytes: int | None = None
                   ) -> Page:
        """Fetch a page (retried, paced, guarded, size-capped); 304 -> not_modified."""
        allowed = tuple(allowed_hosts) if allowed_hosts is not None else None
        sent = self._headers(headers, conditional)
        limit = max_bytes or self.max_page_bytes
        attempt = 0
        ends = time.monotonic() + self.deadline if self.deadline else None
        while True:
            try:
                return self._fetch_once(url, allowed, method.upper(), sent, params, data,
                                        conditional, limit, self._timeout_until(ends))
            except FetchError as exc:
                delay = self._retry_delay(exc, attempt)
                if delay is not None and ends is not None and \
                        time.monotonic() + delay + self.timeout[0] > ends:
                    delay = None  # no time left for another try: the caller reschedules
                if delay is None:
                    if attempt:
                        exc.args = (f"{exc} (tried {attempt + 1} times)",)
                    raise
                log.info("retrying %s in %.2fs: %s", url, delay, exc)
                time.sleep(delay)
                attempt += 1

    def open_stream(self, url: str, *, headers: Mapping[str, str] | None = None,
                    timeout: tuple[float, float] | None = None) -> requests.Response:
        """Open a media URL (any public host, each hop guarded) for streaming; caller closes."""
        resp = self._follow("GET", url, None, self._headers(headers, None), None, None,
                            paced=False, timeout=timeout or self.timeout)
        if resp.status_code >= 400:
            err = self._status_error(resp, split_url(resp.url)[1])
            resp.close()
            raise err
        return resp

    def close(self) -> None:
        """Close this thread's connections."""
        session = getattr(self._local, "session", None)
        if session is not None:
            session.close()
            self._local.session = None

    # --- hooks (the `sites try --from` and `sites capture` clients override them) ---------

    def target_of(self, url: str) -> str:
        """Where a request for `url` is really sent (the URL itself)."""
        return url

    def send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """One HTTP exchange, redirects not followed, body streamed."""
        return self._session().request(method, url, allow_redirects=False, stream=True,
                                       **kwargs)

    # --- internals -----------------------------------------------------------------------

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.trust_env = False  # no proxies or .netrc credentials from the environment
            adapter = HTTPAdapter(pool_connections=32, pool_maxsize=32, max_retries=0)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            self._local.session = session
        return session

    def _headers(self, extra: Mapping[str, str] | None,
                 conditional: Validators | None) -> dict[str, str]:
        sent = dict(self.default_headers)
        if conditional is not None:
            if conditional.etag:
                sent["If-None-Match"] = conditional.etag
            if conditional.last_modified:
                sent["If-Modified-Since"] = conditional.last_modified
        sent.update(extra or {})
        return sent

    def _retry_delay(self, exc: FetchError, attempt: int) -> float | None:
        """Seconds to wait before the next attempt, or None to give up."""
        if not exc.retryable or attempt >= self.retries:
            return None
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            if retry_after > self.max_retry_after:
                return None
            return retry_after
        delay = min(self.backoff * (2 ** attempt), self.max_backoff)
        return delay * random.uniform(0.8, 1.2)

    def _timeout_until(self, ends: float | None) -> tuple[float, float]:
        """The (connect, read) timeouts of one try, cut to what the deadline leaves."""
        if ends is None:
            return self.timeout
        left = max(ends - time.monotonic(), 0.1)
        return (min(self.timeout[0], left), min(self.timeout[1], left))

    def _fetch_once(self, url: str, allowed: tuple[str, ...] | None, method: str,
                    headers: dict[str, str], params: Any, data: Any,
                    conditional: Validators | None, limit: int,
                    timeout: tuple[float, float]) -> Page:
        history: list[str] = []
        resp = self._follow(method, url, allowed, headers, params, data, paced=True,
                            timeout=timeout, history=history)
        try:
            host = split_url(resp.url)[1]
            if resp.status_code == 304:
                return Page(url=resp.url, status=304, headers=resp.headers, content=b"",
                            text="", not_modified=True, history=history,
                            etag=resp.headers.get("ETag") or getattr(conditional, "etag", None),
                            last_modified=resp.headers.get("Last-Modified")
                            or getattr(conditional, "last_modified", None))
            if resp.status_code >= 400:
                err = self._status_error(resp, host)
                if err.retry_after:
                    self.limiter.defer(host, min(err.retry_after, self.max_retry_after))
                raise err
            content = self._read(resp, host, limit)
        finally:
            resp.close()
        return Page(url=resp.url, status=resp.status_code, headers=resp.headers,
                    content=content,
                    text=decode_text(content, resp.headers.get("Content-Type")),
                    etag=resp.headers.get("ETag"),
                    last_modified=resp.headers.get("Last-Modified"), history=history)

    def _status_error(self, resp: requests.Response, host: str) -> HttpStatusError:
        status = resp.status_code
        retry_after = parse_retry_after(resp.headers.get("Retry-After")) \
            if status in (429, 503) else None
        try:
            body = resp.raw.read(ERROR_BODY_BYTES, decode_content=True) or b""
        except Exception:  # noqa: BLE001 - the body of an error is a courtesy, never required
            body = b""
        return HttpStatusError(f"{host} answered HTTP {status_phrase(status)}.", url=resp.url,
                               status=status, retry_after=retry_after, headers=resp.headers,
                               body=body)

    def _read(self, resp: requests.Response, host: str, limit: int) -> bytes:
        too_large = ResponseTooLarge(
            f"The page at {host} is larger than {limit / 1048576:g} MB; it was not read.",
            url=resp.url)
        declared = resp.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise too_large
        deadline = time.monotonic() + self.timeout[0] + 2 * self.timeout[1]
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in resp.iter_content(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise too_large
                if time.monotonic() > deadline:
                    raise FetchTimeout(f"{host} sent the page too slowly.", url=resp.url)
                chunks.append(chunk)
        except requests.RequestException as exc:
            raise translate_exception(exc, host, self.timeout, resp.url) from None
        return b"".join(chunks)

    def _follow(self, method: str, url: str, allowed: tuple[str, ...] | None,
                headers: dict[str, str], params: Any, data: Any, *, paced: bool,
                timeout: tuple[float, float], history: list[str] | None = None
                ) -> requests.Response:
        """Send the request and follow redirects by hand, guarding and pacing every hop."""
        current = url
        for hop in range(self.max_redirects + 1):
            _scheme, host, _port = split_url(current)
            if allowed is not None and not host_allowed(host, allowed):
                if hop:
                    raise RedirectRejected(
                        f"The page moved to {host}, which is not one of this source's hosts.",
                        url=url, location=current)
                raise UrlRejected(f"The server may not fetch from {host}: it is not one of "
                                  "this source's hosts.", url=current)
            target = self.target_of(current)
            if target != current:
                _scheme, host, _port = split_url(target)
            guard_url(target, allow_private=self.policy)
            if paced:
                self.limiter.wait(host)
            try:
                resp = self.send(method, target, headers=headers, params=params, data=data,
                                 timeout=timeout)
            except requests.RequestException as exc:
                raise translate_exception(exc, host, timeout, target) from None
            self._check_peer(resp, host)
            if target != current:
                resp.url = current  # the answer stands for the URL that was asked for
            location = resp.headers.get("Location")
            if resp.status_code not in REDIRECT_STATUSES or not location:
                return resp
            resp.close()
            if history is not None:
                history.append(current)
            if resp.status_code == 303 or (resp.status_code in (301, 302) and method == "POST"):
                method, data = "GET", None
            params = None  # already part of the URL that redirected
            current = urljoin(resp.url, location)
        raise TooManyRedirects(f"{split_url(url)[1]} redirected more than "
                               f"{self.max_redirects} times.", url=url)

    def _check_peer(self, resp: requests.Response, host: str) -> None:
        """Re-check the address actually connected to (defeats DNS rebinding)."""
        peer = peer_address(resp)
        if peer is None:
            return
        try:
            check_address(host, peer, self.policy, resp.url)
        except UrlRejected:
            resp.close()
            raise
