"""Tell media servers (Jellyfin, Emby, Plex, Kodi) to rescan once files land in the library.

The admin's settings live in the `media_servers` site setting (JSON: per server its URL,
secret and, optionally, the library folder as the server sees it). With that folder set,
each server is asked to rescan only the show folders that changed — Jellyfin/Emby
`POST /Library/Media/Updated`, Plex `GET /library/sections/{id}/refresh?path=` (the
section found in `GET /library/sections`), Kodi JSON-RPC `VideoLibrary.Scan` with
`directory` — else the whole library (`POST /Library/Refresh`,
`GET /library/sections/all/refresh`, `VideoLibrary.Scan`).

Every request goes through the app's HttpClient (the outgoing-URL guard: a server on the
LAN needs ALLOW_PRIVATE_HOSTS), with no retry and a short timeout. Each server's last
result is kept in Redis for the admin page; the first failure after a success notifies
every admin once (`source_error`). Secrets are never logged nor shown back in full.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import redis
from flask import current_app
from sqlalchemy import select

from webapp.clock import isoformat, utcnow
from webapp.extensions import db, get_redis
from webapp.infra import keys
from webapp.infra.site_settings import get_setting, set_setting
from webapp.models import User
from webapp.notifications.inbox import notify
from webapp.sites.http.client import HttpClient
from webapp.sites.http.errors import FetchError

log = logging.getLogger(__name__)

SETTING = "media_servers"
STATUS_KEY = keys.MEDIA_SERVER_PREFIX   # + kind: a hash of the last refresh's result
KINDS = ("jellyfin", "emby", "plex", "kodi")
LABELS = {"jellyfin": "Jellyfin", "emby": "Emby", "plex": "Plex", "kodi": "Kodi"}
SECRET_FIELDS = {"jellyfin": "api_key", "emby": "api_key", "plex": "token", "kodi": "password"}
TIMEOUT = (5.0, 15.0)
MAX_FOLDERS = 20       # more changed folders than this in one burst: one whole-library scan


@dataclass(frozen=True)
class Server:
    """One configured media server."""

    kind: str
    url: str
    secret: str = ""
    user: str = ""
    path: str = ""       # the library folder as the server sees it ("": whole library)

    @property
    def label(self) -> str:
        """The server's name for people."""
        return LABELS[self.kind]


def load_settings() -> dict[str, dict[str, str]]:
    """The stored settings per kind (secrets included: for the refresh, never for a page)."""
    try:
        data = json.loads(get_setting(SETTING) or "{}")
    except ValueError:
        return {}
    return {k: {f: str(v) for f, v in (data.get(k) or {}).items()}
            for k in KINDS if isinstance(data.get(k), dict)}


def save_settings(settings: dict[str, dict[str, str]]) -> None:
    """Store the settings of every kind (a kind without a URL is dropped)."""
    kept = {k: v for k, v in settings.items() if k in KINDS and v.get("url")}
    set_setting(SETTING, json.dumps(kept, sort_keys=True))


def configured() -> list[Server]:
    """The servers an admin configured."""
    servers = []
    for kind, values in load_settings().items():
        servers.append(Server(kind, values["url"].rstrip("/"),
                              values.get(SECRET_FIELDS[kind], ""), values.get("user", ""),
                              values.get("path", "")))
    return servers


def masked(secret: str) -> str:
    """A secret as a page may show it: its last 4 characters at most."""
    if not secret:
        return ""
    return "••••" + (secret[-4:] if len(secret) >= 12 else "")


# --- the requests -------------------------------------------------------------------------


def _client() -> HttpClient:
    client = current_app.extensions.get("media_server_client")
    if client is None:
        client = HttpClient.from_config(current_app.config, get_redis())
        client.retries = 0
        client.timeout = tuple(current_app.config.get("MEDIA_SERVER_TIMEOUT") or TIMEOUT)
        client.deadline = sum(client.timeout)
        current_app.extensions["media_server_client"] = client
    return client


def server_path(server: Server, folder: Path, root: Path) -> str:
    """`folder` of our library as the server sees it (under its library folder)."""
    relative = folder.resolve().relative_to(root.resolve()).parts
    sep = "\\" if "\\" in server.path else "/"
    return sep.join([server.path.rstrip(sep), *relative])


def _send(server: Server, method: str, path: str, *, body: Any = None,
          headers: dict[str, str] | None = None, params: dict[str, str] | None = None) -> bytes:
    sent = {"Accept": "application/json, application/xml;q=0.9", **(headers or {})}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        sent["Content-Type"] = "application/json"
    page = _client().fetch_page(server.url + path, method=method, headers=sent, params=params,
                                data=data)
    return page.content


def _jellyfin(server: Server, folders: list[str]) -> str:
    auth = ({"Authorization": f'MediaBrowser Token="{server.secret}"'} if server.kind == "jellyfin"
            else {"X-Emby-Token": server.secret})
    if not folders:
        _send(server, "POST", "/Library/Refresh", headers=auth)
        return "whole library"
    updates = [{"Path": f, "UpdateType": "Modified"} for f in folders]
    _send(server, "POST", "/Library/Media/Updated", body={"Updates": updates}, headers=auth)
    return f"{len(folders)} folder(s)"


def _plex_sections(server: Server, auth: dict[str, str]) -> list[tuple[str, list[str]]]:
    raw = _send(server, "GET", "/library/sections", headers={**auth, "Accept": "application/xml"})
    try:
        root = ElementTree.fromstring(raw)
    except ElementTree.ParseError:
        raise FetchError("Plex answered /library/sections with something that is not XML.") \
            from None
    return [(d.get("key", ""), [loc.get("path", "") for loc in d.findall("Location")])
            for d in root.findall("Directory")]


def _plex(server: Server, folders: list[str]) -> str:
    auth = {"X-Plex-Token": server.secret}
    if folders:
        sections = _plex_sections(server, auth)
        matched = []
        for folder in folders:
            key = next((k for k, paths in sections for p in paths
                        if p and (folder == p or folder.startswith(p.rstrip("/\\") + "/")
                                  or folder.startswith(p.rstrip("/\\") + "\\"))), None)
            if key is None:
                matched = []
                break
            matched.append((key, folder))
        if matched:
            for key, folder in matched:
                _send(server, "GET", f"/library/sections/{key}/refresh", headers=auth,
                      params={"path": folder})
            return f"{len(matched)} folder(s)"
    _send(server, "GET", "/library/sections/all/refresh", headers=auth)
    return "whole library"


def _kodi_call(server: Server, params: dict[str, Any]) -> None:
    headers = {}
    if server.user or server.secret:
        pair = f"{server.user}:{server.secret}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
    raw = _send(server, "POST", "", headers=headers,
                body={"jsonrpc": "2.0", "method": "VideoLibrary.Scan", "params": params,
                      "id": 1})
    try:
        answer = json.loads(raw)
    except ValueError:
        raise FetchError("Kodi's JSON-RPC answer is not JSON.") from None
    if not isinstance(answer, dict) or answer.get("result") != "OK":
        error = answer.get("error", {}) if isinstance(answer, dict) else {}
        raise FetchError(f"Kodi refused the scan: {str(error.get('message') or answer)[:200]}")


def _kodi(server: Server, folders: list[str]) -> str:
    if not folders:
        _kodi_call(server, {"showdialogs": False})
        return "whole library"
    sep = "\\" if "\\" in server.path else "/"
    for folder in folders:
        _kodi_call(server, {"directory": folder.rstrip(sep) + sep, "showdialogs": False})
    return f"{len(folders)} folder(s)"


REFRESHERS = {"jellyfin": _jellyfin, "emby": _jellyfin, "plex": _plex, "kodi": _kodi}


# --- one refresh of every server, with its result kept ------------------------------------


def refresh_all(folders: Iterable[Path], root: Path) -> dict[str, str]:
    """Ask every configured server to rescan `folders` (show folders); kind → outcome."""
    folders = sorted(set(folders))
    results = {}
    for server in configured():
        targets = ([server_path(server, f, root) for f in folders]
                   if server.path and len(folders) <= MAX_FOLDERS else [])
        try:
            what = REFRESHERS[server.kind](server, targets)
        except FetchError as exc:
            results[server.kind] = f"failed: {exc}"
            _record_failure(server, str(exc))
            continue
        results[server.kind] = f"refreshed {what}"
        _record_success(server, what)
    return results


def _status(kind: str) -> str:
    return STATUS_KEY + kind


def _record_success(server: Server, what: str) -> None:
    try:
        get_redis().hset(_status(server.kind), mapping={
            "last_ok_at": isoformat(utcnow()), "last_ok": what, "failing": ""})
    except redis.RedisError:
        log.warning("could not record the refresh of %s", server.label)


def _record_failure(server: Server, reason: str) -> None:
    log.warning("%s refresh failed: %s", server.label, reason)
    try:
        conn = get_redis()
        conn.hset(_status(server.kind), mapping={"last_failure_at": isoformat(utcnow()),
                                                 "last_reason": reason[:500]})
        newly = conn.hget(_status(server.kind), "failing") in (None, b"")
        conn.hset(_status(server.kind), "failing", "1")
    except redis.RedisError:
        newly = False
    if newly:
        message = (f"{server.label} could not be told to rescan the library: {reason} "
                   "New episodes still arrive; Admin → Media servers shows when it recovers.")
        for admin_id in db.session.scalars(select(User.id).where(
                User.is_admin.is_(True), User.disabled.is_(False))):
            notify(admin_id, "source_error", message)
        db.session.commit()


def statuses() -> dict[str, dict[str, str]]:
    """Each kind's last refresh result, as the admin page shows it."""
    out = {}
    try:
        conn = get_redis()
        for kind in KINDS:
            raw = conn.hgetall(_status(kind))
            out[kind] = {k.decode(): v.decode() for k, v in raw.items()}
    except redis.RedisError:
        return {}
    return out


def forget_status(kind: str) -> None:
    """Drop a server's recorded result (its settings changed)."""
    try:
        get_redis().delete(_status(kind))
    except redis.RedisError:
        pass
