"""Captured pages: recording what a read of a site fetched, and reading such a capture back.

`sites capture URL` reads the URL as `sites try` does, with a client that keeps every
exchange (method, path and query, status, headers, body); the capture folder then holds
`capture.json` (the URL, the date, the exchanges), one body file per exchange and
`expected.json` (what the app read — review it, and correct it by hand when the app read
the page wrong). Served back by path and query (tests/capture_replay.py), a capture
parses exactly as the live page did: `sites try URL --from <replay server>`.
"""

from __future__ import annotations

import json
import mimetypes
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

from webapp.clock import isoformat, utcnow
from webapp.sites.http.client import HttpClient

CAPTURE_FILE = "capture.json"
EXPECTED_FILE = "expected.json"
# Headers a replay must not repeat as they were (the body is stored decoded, whole).
DROPPED_HEADERS = {"content-encoding", "transfer-encoding", "content-length", "connection",
                   "set-cookie"}


class RebasedClient(HttpClient):
    """Sends every request to `base` (same path and query) while the app sees the URL it
    asked for: a saved capture served locally reads as the live site did."""

    def __init__(self, base: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base = urlsplit(base.rstrip("/"))

    def target_of(self, url: str) -> str:
        """`url`'s path and query on the base origin."""
        parts = urlsplit(url)
        return urlunsplit((self.base.scheme, self.base.netloc, self.base.path + parts.path,
                           parts.query, ""))


@dataclass
class Exchange:
    """One request and its answer, as a capture keeps them."""

    method: str
    path: str
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class Recorder:
    """The exchanges of one read, in order."""

    exchanges: list[Exchange] = field(default_factory=list)

    def keep(self, resp: requests.Response) -> None:
        """Read the response whole (the client then reads it from memory) and keep it."""
        body = resp.content
        parts = urlsplit(resp.request.url or "")
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {k: v for k, v in resp.headers.items() if k.lower() not in DROPPED_HEADERS}
        self.exchanges.append(Exchange(str(resp.request.method), path, resp.status_code,
                                       headers, body))


def recording(client_class: type[HttpClient]) -> type[HttpClient]:
    """A subclass of `client_class` whose instances keep every exchange in `.recorder`."""

    class Recording(client_class):  # type: ignore[misc, valid-type]
        """Keeps every exchange it sends."""

        recorder: Recorder

        def send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
            resp = super().send(method, url, **kwargs)
            if not hasattr(self, "recorder"):
                self.recorder = Recorder()
            self.recorder.keep(resp)
            return resp

    return Recording


def capture_name(url: str) -> str:
    """A folder name for a capture of `url`: host and path, made safe."""
    parts = urlsplit(url)
    raw = f"{parts.hostname or 'page'}{parts.path}{'-' + parts.query if parts.query else ''}"
    return re.sub(r"[^A-Za-z0-9._-]+", "-", raw).strip("-.")[:120] or "page"


def _body_name(index: int, exchange: Exchange) -> str:
    ctype = exchange.headers.get("Content-Type", "").split(";")[0].strip()
    suffix = Path(urlsplit(exchange.path).path).suffix
    if not re.fullmatch(r"\.[A-Za-z0-9]{1,5}", suffix or ""):
        suffix = mimetypes.guess_extension(ctype) or ".bin"
    return f"{index:02d}{suffix}"


def save_capture(folder: Path, url: str, recorder: Recorder, document: dict | None) -> Path:
    """Write a capture folder (see the module docstring); returns it."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for index, exchange in enumerate(recorder.exchanges, start=1):
        name = _body_name(index, exchange)
        (folder / name).write_bytes(exchange.body)
        entries.append({"method": exchange.method, "path": exchange.path,
                        "status": exchange.status, "headers": exchange.headers, "body": name})
    meta = {"url": url, "captured_at": isoformat(utcnow()), "exchanges": entries}
    (folder / CAPTURE_FILE).write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n",
                                       encoding="utf-8")
    if document is not None:
        (folder / EXPECTED_FILE).write_text(
            json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return folder


def load_capture(folder: Path) -> dict[str, Any]:
    """A capture folder's `capture.json`, each exchange with its body bytes loaded."""
    meta = json.loads((folder / CAPTURE_FILE).read_text(encoding="utf-8"))
    for entry in meta["exchanges"]:
        entry["content"] = (folder / entry["body"]).read_bytes()
    return meta
