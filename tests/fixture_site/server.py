"""FixtureSite: the threaded local server, its control API and the request dispatch."""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import urlsplit

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from tests.fixture_site.state import Show, seed_shows

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
Handler = Callable[["FixtureSite", Request, re.Match], Response]


class QuietHandler(WSGIRequestHandler):
    """No per-request log lines on stderr."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


@dataclass
class Rule:
    """A misbehaviour for paths starting with `prefix`; `times` None means until cleared."""

    prefix: str
    kind: str  # status | slow | challenge
    status: int = 500
    seconds: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    times: int | None = None


@dataclass
class Override:
    """A fixed answer for one exact path (raw bytes, any status and type)."""

    body: bytes | Callable[[], Iterator[bytes]]
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class RequestRecord:
    """One request the site received."""

    at: float  # time.monotonic()
    method: str
    path: str
    query: str
    headers: dict[str, str]
    host: str


def template(provider: str, name: str) -> Template:
    """A page template from tests/fixtures/<provider>/<name>."""
    return Template((FIXTURES / provider / name).read_text(encoding="utf-8"))


class FixtureSite:
    """Every provider's pages on one local server, with switches to make it misbehave."""

    CONTROL_METHODS = ("add_show", "publish_episode", "set_episodes", "fail", "slow",
                       "challenge", "break_layout", "set_page", "huge_page", "move", "unmove",
                       "clear_rules", "reset", "reset_counts", "hits")

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self._lock = threading.RLock()
        self._servers: list[BaseWSGIServer] = []
        self.reset()

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> FixtureSite:
        """Start serving in a background thread."""
        server = self._serve(self.port)
        self.port = server.server_port
        return self

    def _serve(self, port: int) -> BaseWSGIServer:
        server = make_server(self.host, port, self, threaded=True, request_handler=QuietHandler)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True,
                         name=f"fixture-site-{server.server_port}").start()
        self._servers.append(server)
        return server

    def stop(self) -> None:
        """Stop every server of the site."""
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers.clear()

    @property
    def url(self) -> str:
        """The site's origin, e.g. http://127.0.0.1:40123 (no trailing slash)."""
        return f"http://{self.host}:{self.port}"

    def url_for(self, path: str) -> str:
        """An absolute URL on the site for `path`."""
        return self.url + path

    # --- control API -----------------------------------------------------------------------

    def reset(self) -> None:
        """Back to the seed catalogue, no rules, no overrides, counters cleared."""
        with self._lock:
            self.shows: dict[str, Show] = {s.key: s for s in seed_shows()}
            self.rules: list[Rule] = []
            self.overrides: dict[str, Override] = {}
            self.broken: set[str] = set()
            self.validators = True
            self.ddl_wait = 1.0
            self.ddl_started: dict[str, float] = {}
            self.media_size = 64 * 1024
            self.moved_to: str | None = None
            self.portal_target: str | None = None
            self.reset_counts()

    def reset_counts(self) -> None:
        """Forget the requests received so far."""
        with self._lock:
            self.counts: Counter[str] = Counter()
            self.requests: list[RequestRecord] = []

    def hits(self, path: str) -> int:
        """How many requests `path` (without query) received."""
        with self._lock:
            return self.counts[path]

    def requests_for(self, path: str) -> list[RequestRecord]:
        """The requests `path` received, oldest first."""
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def show(self, key: str) -> Show:
        """The show published under `key`."""
        return self.shows[key]

    def add_show(self, provider: str, key: str, title: str, episodes: int = 3,
                 **kwargs: Any) -> Show:
        """Publish a new show (see state.Show for the fields)."""
        show = Show(provider, key, title, episodes=episodes, **kwargs)
        with self._lock:
            self.shows[key] = show
        return show

    def publish_episode(self, key: str, count: int = 1) -> int:
        """Release `count` more episodes of the show; returns how many it has now."""
        with self._lock:
            show = self.shows[key]
            show.episodes += count
            show.touch()
            return show.episodes

    def set_episodes(self, key: str, episodes: int, placeholders: int | None = None) -> None:
        """Set how many episodes (and placeholders) the show lists."""
        with self._lock:
            show = self.shows[key]
            show.episodes = episodes
            if placeholders is not None:
                show.placeholders = placeholders
            show.touch()

    def fail(self, prefix: str, status: int = 500, times: int | None = None,
             retry_after: float | str | None = None) -> None:
        """Answer `status` for paths under `prefix` (with Retry-After when given)."""
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        self._add_rule(Rule(prefix, "status", status=status, headers=headers, times=times))

    def slow(self, prefix: str, seconds: float, times: int | None = None) -> None:
        """Sleep `seconds` before answering (past a short read timeout: a timeout)."""
        self._add_rule(Rule(prefix, "slow", seconds=seconds, times=times))

    def challenge(self, prefix: str, status: int = 403, times: int | None = None) -> None:
        """Serve a Cloudflare-like "Just a moment..." challenge page instead."""
        self._add_rule(Rule(prefix, "challenge", status=status, times=times))

    def break_layout(self, prefix: str = "/") -> None:
        """Serve a redesigned page (none of the expected markup) under `prefix`."""
        with self._lock:
            self.broken.add(prefix)

    def set_page(self, path: str, body: bytes | str, status: int = 200,
                 content_type: str = "text/html; charset=utf-8",
                 headers: dict[str, str] | None = None) -> None:
        """Answer exactly this body for `path` (str bodies are encoded as UTF-8)."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        with self._lock:
            self.overrides[path] = Override(data, status, content_type, dict(headers or {}))

    def huge_page(self, path: str, size: int = 50 * 1024 * 1024,
                  declare_length: bool = True) -> None:
        """Answer a page of `size` bytes, streamed (with or without Content-Length)."""
        def chunks() -> Iterator[bytes]:
            block = b"<p>" + b"x" * 65530 + b"</p>\n"
            sent = 0
            while sent < size:
                part = block[: size - sent]
                sent += len(part)
                yield part
        headers = {"Content-Length": str(size)} if declare_length else {}
        with self._lock:
            self.overrides[path] = Override(chunks, headers=headers)

    def move(self) -> str:
        """Change domain: start a second server and 302 every request here to it."""
        with self._lock:
            if self.moved_to is None:
                server = self._serve(0)
                self.moved_to = f"http://localhost:{server.server_port}"
            return self.moved_to

    def unmove(self) -> None:
        """Stop redirecting to the new domain."""
        with self._lock:
            self.moved_to = None

    def clear_rules(self) -> None:
        """Remove every failure rule, broken layout and override."""
        with self._lock:
            self.rules.clear()
            self.broken.clear()
            self.overrides.clear()

    def _add_rule(self, rule: Rule) -> None:
        with self._lock:
            self.rules.append(rule)

    def _take_rule(self, path: str) -> Rule | None:
        with self._lock:
            for rule in self.rules:
                if path.startswith(rule.prefix):
                    if rule.times is not None:
                        rule.times -= 1
                        if rule.times <= 0:
                            self.rules.remove(rule)
                    return rule
        return None

    def is_broken(self, path: str) -> bool:
        """Whether `break_layout` covers `path`."""
        with self._lock:
            return any(path.startswith(prefix) for prefix in self.broken)

    # --- WSGI ------------------------------------------------------------------------------

    def __call__(self, environ: dict, start_response: Callable) -> Any:
        request = Request(environ)
        if request.path.startswith("/_control/"):
            return self._respond(request, environ)(environ, start_response)
        with self._lock:
            self.counts[request.path] += 1
            self.requests.append(RequestRecord(
                time.monotonic(), request.method, request.path,
                request.query_string.decode("latin-1"), dict(request.headers),
                request.host))
        response = self._respond(request, environ)
        return response(environ, start_response)

    def _respond(self, request: Request, environ: dict) -> Response:
        from tests.fixture_site import control
        from tests.fixture_site.routes import dispatch

        path = request.path
        if path.startswith("/_control/"):
            return control.handle(self, request)
        moved = self.moved_to
        if moved and str(environ.get("SERVER_PORT")) == str(self.port):
            target = moved + request.full_path.rstrip("?")
            return Response("", status=302, headers={"Location": target})
        rule = self._take_rule(path)
        if rule is not None:
            if rule.kind == "slow":
                time.sleep(rule.seconds)
            elif rule.kind == "challenge":
                body = template("common", "challenge.html").substitute(host=request.host)
                return Response(body, status=rule.status, content_type="text/html; charset=UTF-8",
                                headers={"Server": "cloudflare", "cf-mitigated": "challenge"})
            else:
                return Response(f"<h1>Error {rule.status}</h1>", status=rule.status,
                                headers=rule.headers, content_type="text/html")
        override = self.overrides.get(path)
        if override is not None:
            body = override.body() if callable(override.body) else override.body
            return Response(body, status=override.status, content_type=override.content_type,
                            headers=override.headers, direct_passthrough=callable(override.body))
        response = dispatch(self, request)
        if response.status_code == 200 and self.validators and not response.is_streamed \
                and response.headers.get("Accept-Ranges") is None:
            response.set_etag(hashlib.sha1(response.get_data()).hexdigest())
            response.make_conditional(request)
        return response

    def origin(self, request: Request) -> str:
        """The origin the request came in on (http://host:port)."""
        return f"{urlsplit(request.host_url).scheme}://{request.host}"
