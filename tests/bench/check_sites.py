"""The check benchmark's outside world: directory listings on 100 loopback addresses, and
the bare `requests` loop the check round is compared with.

`serve_listings` runs in its own process: one threaded HTTP server per address
127.0.0.2–127.0.0.101 (same port), each answering `/s<N>/` with an nginx-style listing of
episodes 1..E (ETag + 304 on If-None-Match), counting every request it receives.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote, urlsplit

import requests

HOSTS = 100


def host_of_source(source_id: int) -> str:
    """The loopback address serving a source (spread over the 100 hosts)."""
    return f"127.0.0.{2 + source_id % HOSTS}"


def source_url(source_id: int, port: int) -> str:
    """The directory URL of a benchmark source."""
    return f"http://{host_of_source(source_id)}:{port}/s{source_id}/"


def file_name(source_id: int, number: int) -> str:
    """The episode file name the listing shows."""
    return f"Show {source_id} - {number:02d} (1080p).mkv"


def listing(source_id: int, episodes: int) -> bytes:
    """An nginx autoindex page for the source."""
    rows = "".join(
        f'<a href="{quote(file_name(source_id, n))}">{file_name(source_id, n)}</a>'
        f"{' ' * 12}05-Jan-2026 17:02  1395864371\n" for n in range(1, episodes + 1))
    return (f"<html><head><title>Index of /s{source_id}/</title></head><body>"
            f"<h1>Index of /s{source_id}/</h1><hr><pre><a href=\"../\">../</a>\n{rows}"
            "</pre><hr></body></html>").encode()


class ListingHandler(BaseHTTPRequestHandler):
    """Answers `/s<N>/` with the listing (or 304), counting requests."""

    episodes = 6
    counter: Any = None

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        """Serve one listing."""
        with self.counter.get_lock():
            self.counter.value += 1
        try:
            source_id = int(self.path.strip("/").lstrip("s"))
        except ValueError:
            self.send_error(404)
            return
        body = listing(source_id, self.episodes)
        etag = '"' + hashlib.sha1(body).hexdigest() + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: Any) -> None:
        """No access log."""


class Server(ThreadingHTTPServer):
    """A threaded server with a deeper accept queue."""

    request_queue_size = 128
    daemon_threads = True


def serve_listings(port: int, episodes: int, counter: Any, ready: Any, stop: Any) -> None:
    """Serve every host until `stop` is set (runs in a child process)."""
    ListingHandler.episodes = episodes
    ListingHandler.counter = counter
    servers = [Server((f"127.0.0.{2 + i}", port), ListingHandler) for i in range(HOSTS)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    ready.set()
    stop.wait()
    for server in servers:
        server.shutdown()


def bare_loop(urls: Iterable[str], concurrency: int, rate_per_host: float) -> float:
    """Fetch every URL with `concurrency` threads, each host paced; the wall time."""
    pending = iter(list(urls))
    lock = threading.Lock()
    next_slot: dict[str, float] = {}
    interval = 1.0 / rate_per_host

    def work() -> None:
        session = requests.Session()
        while True:
            with lock:
                url = next(pending, None)
                if url is None:
                    return
                host = urlsplit(url).hostname or ""
                now = time.monotonic()
                slot = max(next_slot.get(host, 0.0), now)
                next_slot[host] = slot + interval
            if slot > now:
                time.sleep(slot - now)
            session.get(url, timeout=(5, 30)).raise_for_status()

    start = time.perf_counter()
    threads = [threading.Thread(target=work) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start
