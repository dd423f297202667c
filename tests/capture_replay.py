"""Serve a capture folder (webapp.infra.captures) back over HTTP, by method, path and query.

An exchange asked for again is answered again; one captured several times (a page that
changed between two requests of the same read) is answered in the captured order, its
last answer repeating. Anything not captured is a 404, so a parser that asks for a page
the live run did not fetch shows up as a failure.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from pathlib import Path
from typing import Any

from werkzeug.wrappers import Request, Response

from webapp.infra.captures import load_capture


class Replay:
    """A WSGI app answering a capture's exchanges."""

    def __init__(self, folder: Path) -> None:
        self.meta = load_capture(folder)
        self.answers: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for entry in self.meta["exchanges"]:
            self.answers[(entry["method"], entry["path"])].append(entry)
        self.served: dict[tuple[str, str], int] = defaultdict(int)
        self.lock = threading.Lock()

    def __call__(self, environ: dict, start_response: Any) -> Any:
        request = Request(environ)
        query = request.query_string.decode("latin-1")
        key = (request.method, request.path + (f"?{query}" if query else ""))
        with self.lock:
            entries = self.answers.get(key)
            if not entries:
                return Response("not captured", 404)(environ, start_response)
            entry = entries[min(self.served[key], len(entries) - 1)]
            self.served[key] += 1
        response = Response(entry["content"], entry["status"])
        for name, value in entry["headers"].items():
            if name.lower() not in ("date", "server"):  # this server's own
                response.headers[name] = value
        return response(environ, start_response)
