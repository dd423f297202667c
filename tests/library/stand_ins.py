"""Local stand-ins for media servers: they answer like Jellyfin/Emby, Plex and Kodi's
documented APIs and record every request (method, path, query, headers, JSON body)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any

from werkzeug.wrappers import Request, Response

PLEX_SECTIONS = """<?xml version="1.0" encoding="UTF-8"?>
<MediaContainer size="2" allowSync="0" title1="Plex Library">
<Directory allowSync="1" key="1" type="movie" title="Movies" agent="tv.plex.agents.movie">
<Location id="1" path="/media/movies" /></Directory>
<Directory allowSync="1" key="7" type="show" title="Anime" agent="tv.plex.agents.series">
<Location id="2" path="{library}" /></Directory>
</MediaContainer>"""


@dataclass
class StandIn:
    """One stand-in server; `kind` is jellyfin, plex or kodi; `fail` answers this status."""

    kind: str
    library: str = "/srv/anime"
    fail: int | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, environ: dict, start_response: Any) -> Any:
        request = Request(environ)
        body = request.get_data()
        record = {"method": request.method, "path": request.path,
                  "query": dict(request.args), "headers": dict(request.headers),
                  "json": json.loads(body) if body else None}
        with self.lock:
            self.requests.append(record)
        return self._answer(request, record)(environ, start_response)

    def _answer(self, request: Request, record: dict[str, Any]) -> Response:
        if self.fail:
            return Response("nope", self.fail)
        if self.kind == "jellyfin":
            return Response(status=204)
        if self.kind == "plex":
            if request.path == "/library/sections":
                return Response(PLEX_SECTIONS.format(library=self.library),
                                mimetype="application/xml")
            return Response(status=200)
        answer = {"id": (record["json"] or {}).get("id"), "jsonrpc": "2.0", "result": "OK"}
        return Response(json.dumps(answer), mimetype="application/json")

    def calls(self) -> list[tuple[str, str]]:
        """(method, path) of every request, in order."""
        with self.lock:
            return [(r["method"], r["path"]) for r in self.requests]
