"""Helpers for the download tests: a Range-capable media server that counts what it sends,
database seeding of sources/items/episodes/downloads, and RQ workers (in-process and real).

Loaded as a pytest plugin by conftest: its `media` fixture is a started MediaServer.
"""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from tests.helpers import free_port

RANGE_RE = re.compile(r"bytes=(\d+)-")


def media_bytes(size: int, seed: int = 7) -> bytes:
    """Deterministic, non-repeating-looking bytes (so a wrong offset changes the file)."""
    block = bytes((i * seed + i // 251) % 256 for i in range(65_521))
    return (block * (size // len(block) + 1))[:size]


@dataclass
class Served:
    """One media request: what was asked, answered and actually written to the socket."""

    path: str
    status: int
    offset: int
    started: float
    ended: float | None = None
    sent: int = 0


@dataclass
class MediaServer:
    """A threaded local server of media files with Range/If-Range, throttling and dead paths."""

    files: dict[str, bytes] = field(default_factory=dict)
    dead: dict[str, int] = field(default_factory=dict)
    claimed_length: dict[str, int] = field(default_factory=dict)  # a lying Content-Length
    rate: float | None = None  # bytes per second, per request
    chunk: int = 64 * 1024
    served: list[Served] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0

    def start(self) -> MediaServer:
        self.port = free_port()
        self._server = make_server("127.0.0.1", self.port, self._app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def add(self, path: str, data: bytes) -> str:
        self.files[path] = data
        return self.url(path)

    def bytes_sent(self, path: str | None = None) -> int:
        with self.lock:
            return sum(s.sent for s in self.served if path is None or s.path == path)

    def transfers(self, path: str | None = None) -> list[Served]:
        """Requests answered with file bytes (200 or 206)."""
        with self.lock:
            return [s for s in self.served
                    if s.status in (200, 206) and (path is None or s.path == path)]

    def requests_to(self, path: str) -> list[Served]:
        with self.lock:
            return [s for s in self.served if s.path == path]

    def _body(self, record: Served, data: bytes) -> Iterator[bytes]:
        try:
            pos = record.offset
            while pos < len(data):
                piece = data[pos:pos + self.chunk]
                if self.rate:
                    time.sleep(len(piece) / self.rate)
                yield piece
                pos += len(piece)
                with self.lock:
                    record.sent += len(piece)
        finally:
            record.ended = time.monotonic()

    def _app(self, environ: dict, start_response: Any) -> Any:
        request = Request(environ)
        path = request.path
        if path in self.dead or path not in self.files:
            status = self.dead.get(path, 404)
            record = Served(path, status, 0, time.monotonic(), time.monotonic())
            with self.lock:
                self.served.append(record)
            return Response("gone", status=status, mimetype="text/plain")(environ, start_response)
        data = self.files[path]
        etag = f'"{len(data)}-{hash(data[:4096]) & 0xffffffff:x}"'
        match = RANGE_RE.match(request.headers.get("Range", ""))
        if_range = request.headers.get("If-Range")
        offset = int(match.group(1)) if match and (not if_range or if_range == etag) else 0
        length = self.claimed_length.get(path, len(data))
        headers = {"ETag": etag, "Accept-Ranges": "bytes",
                   "Content-Length": str(length - offset)}
        status = 200
        if offset:
            if offset >= len(data):
                record = Served(path, 416, offset, time.monotonic(), time.monotonic())
                with self.lock:
                    self.served.append(record)
                return Response(status=416, headers={"Content-Range": f"bytes */{len(data)}"})(
                    environ, start_response)
            status = 206
            headers["Content-Range"] = f"bytes {offset}-{len(data) - 1}/{len(data)}"
        record = Served(path, status, offset, time.monotonic())
        with self.lock:
            self.served.append(record)
        resp = Response(self._body(record, data), status=status, mimetype="video/mp4",
                        headers=headers, direct_passthrough=True)
        return resp(environ, start_response)


# --- database seeding ---------------------------------------------------------------------


@pytest.fixture
def media() -> Iterator[MediaServer]:
    """A started local media server, stopped after the test."""
    server = MediaServer().start()
    yield server
    server.stop()


def file_player(url: str, label: str | None = None, quality: str | None = None) -> dict:
    """A direct-file player as the providers store it in source_episodes.players."""
    from webapp.sites.types import Player

    return Player(url=url, kind="file", label=label, quality=quality).to_dict()


def seed_item(user_id: int, episodes: dict[float, list[dict]], *, key: str = "show",
              source_title: str | None = "Show", item_title: str = "My Show",
              last_downloaded: float = 0, source_id: int | None = None) -> tuple[int, str]:
    """A source (or an existing one) with these episodes/players and the user's item on it."""
    from webapp.extensions import db
    from webapp.models import Source, SourceEpisode, WatchlistItem

    if source_id is None:
        url = f"http://127.0.0.1/{key}/"
        source = Source(provider_id="directory", url=url, lang="any", title=source_title)
        db.session.add(source)
        db.session.flush()
        for number, players in episodes.items():
            db.session.add(SourceEpisode(source_id=source.id, number=float(number),
                                         players=players))
        source_id = source.id
    item = WatchlistItem(user_id=user_id, source_id=source_id, anime_title=item_title,
                         anime_url=f"http://127.0.0.1/{key}/", provider_id="directory",
                         lang="any", last_episode_downloaded=last_downloaded)
    db.session.add(item)
    db.session.commit()
    return source_id, item.id


def add_download(user_id: int, item_id: str, episode: float, status: str = "pending",
                 **values: Any) -> int:
    """A download row as a check would create it."""
    from webapp.extensions import db
    from webapp.models import Download, WatchlistItem

    item = db.session.get(WatchlistItem, item_id)
    row = Download(item_id=item_id, user_id=user_id, source_id=item.source_id,
                   episode=float(episode), status=status, **values)
    db.session.add(row)
    db.session.commit()
    return row.id


def set_user_limit(user_id: int, limit: int) -> None:
    from webapp.extensions import db
    from webapp.models import UserSettings

    db.session.get(UserSettings, user_id).max_concurrent_auto_downloads = limit
    db.session.commit()


def row(download_id: int) -> Any:
    """A fresh copy of a download row."""
    from webapp.extensions import db
    from webapp.models import Download

    db.session.expire_all()
    return db.session.get(Download, download_id)


# --- workers ------------------------------------------------------------------------------


def run_worker(redis_conn: Any, *, with_scheduler: bool = False) -> None:
    """Run the downloads queue to empty in this process (RQ SimpleWorker, burst mode)."""
    from rq import Queue, SimpleWorker

    queue = Queue("downloads", connection=redis_conn)
    SimpleWorker([queue], connection=redis_conn).work(burst=True,
                                                       with_scheduler=with_scheduler)


def worker_env(app: Any, **extra: str) -> dict[str, str]:
    """Environment for `rq worker` subprocesses: the test app's database, Redis and library."""
    cfg = app.config
    env = {"DATABASE_URL": cfg["DATABASE_URL"], "REDIS_URL": cfg["REDIS_URL"],
           "DOWNLOAD_DIR": cfg["DOWNLOAD_DIR"], "ALLOW_PRIVATE_HOSTS": "127.0.0.0/8,::1",
           "SECRET_KEY": "test-secret",
           "MAX_PARALLEL_DOWNLOADS": str(cfg["MAX_PARALLEL_DOWNLOADS"]),
           "INSTANCE_PATH": str(Path(cfg["DOWNLOAD_DIR"]).parent / "instance")}
    env.update(extra)
    return env


def children_of(pid: int) -> list[int]:
    """Direct child processes of `pid` (from /proc)."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(entry))
    return out


def kill_worker_and_horse(pid: int) -> list[int]:
    """SIGKILL an rq worker and its work-horse (each leads a process group of its own)."""
    horses = children_of(pid)
    for target in [*horses, pid]:
        try:
            os.killpg(os.getpgid(target), signal.SIGKILL)
        except ProcessLookupError:
            pass
    return horses


def wait_for(predicate: Any, timeout: float = 20.0, what: str = "condition",
             interval: float = 0.05) -> Any:
    """Poll until `predicate()` is truthy; return its value or fail naming `what`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
