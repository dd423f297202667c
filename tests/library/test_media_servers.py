"""Media-server refresh against local stand-ins of Jellyfin, Emby, Plex and Kodi: the exact
requests each is sent, path-based or whole library, and a failure told to admins once."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from sqlalchemy import select

from tests.fixtures.hosts.servers import serve
from tests.library.stand_ins import StandIn

APP_CONFIG = {"MEDIA_SERVER_TIMEOUT": (2.0, 2.0)}


def _save(**servers: dict[str, str]) -> None:
    from webapp.notifications.media_servers import save_settings

    save_settings(servers)


def _show(ctx: Any, title: str = "Frieren") -> tuple[Path, Path]:
    root = Path(ctx.config["DOWNLOAD_DIR"]).resolve()
    folder = root / title
    (folder / "Season 01").mkdir(parents=True)
    return root, folder


def test_jellyfin_is_told_the_show_folder_with_its_token(ctx: Any) -> None:
    from webapp.notifications.media_servers import refresh_all

    root, folder = _show(ctx)
    jelly = StandIn("jellyfin")
    with serve(jelly) as url:
        _save(jellyfin={"url": url + "/", "api_key": "jf-secret-key", "path": "/srv/anime"})
        assert refresh_all([folder], root) == {"jellyfin": "refreshed 1 folder(s)"}
    [sent] = jelly.requests
    assert (sent["method"], sent["path"]) == ("POST", "/Library/Media/Updated")
    assert sent["headers"]["Authorization"] == 'MediaBrowser Token="jf-secret-key"'
    assert sent["headers"]["Content-Type"] == "application/json"
    assert sent["json"] == {"Updates": [{"Path": "/srv/anime/Frieren", "UpdateType": "Modified"}]}


def test_emby_and_no_library_folder_refresh_the_whole_library(ctx: Any) -> None:
    from webapp.notifications.media_servers import refresh_all

    root, folder = _show(ctx)
    emby = StandIn("jellyfin")
    with serve(emby) as url:
        _save(emby={"url": url, "api_key": "emby-key"})
        assert refresh_all([folder], root) == {"emby": "refreshed whole library"}
    [sent] = emby.requests
    assert (sent["method"], sent["path"], sent["json"]) == ("POST", "/Library/Refresh", None)
    assert sent["headers"]["X-Emby-Token"] == "emby-key"


def test_plex_refreshes_the_section_that_holds_the_folder(ctx: Any) -> None:
    from webapp.notifications.media_servers import refresh_all

    root, folder = _show(ctx, "Dan Da Dan")
    plex = StandIn("plex", library="/data/anime")
    with serve(plex) as url:
        _save(plex={"url": url, "token": "plex-token", "path": "/data/anime"})
        assert refresh_all([folder], root) == {"plex": "refreshed 1 folder(s)"}
    assert plex.calls() == [("GET", "/library/sections"), ("GET", "/library/sections/7/refresh")]
    assert plex.requests[1]["query"] == {"path": "/data/anime/Dan Da Dan"}
    assert all(r["headers"]["X-Plex-Token"] == "plex-token" for r in plex.requests)
    assert all("plex-token" not in str(r["query"]) for r in plex.requests)


def test_plex_without_a_matching_section_refreshes_everything(ctx: Any) -> None:
    from webapp.notifications.media_servers import refresh_all

    root, folder = _show(ctx)
    plex = StandIn("plex", library="/elsewhere")
    with serve(plex) as url:
        _save(plex={"url": url, "token": "t", "path": "/data/anime"})
        assert refresh_all([folder], root) == {"plex": "refreshed whole library"}
    assert plex.calls() == [("GET", "/library/sections"), ("GET", "/library/sections/all/refresh")]


def test_kodi_scans_the_folder_over_json_rpc_with_basic_auth(ctx: Any) -> None:
    from webapp.notifications.media_servers import refresh_all

    root, folder = _show(ctx)
    kodi = StandIn("kodi")
    with serve(kodi) as url:
        _save(kodi={"url": url + "/jsonrpc", "user": "kodi", "password": "pw:1",
                    "path": "smb://nas/anime"})
        assert refresh_all([folder], root) == {"kodi": "refreshed 1 folder(s)"}
    [sent] = kodi.requests
    assert (sent["method"], sent["path"]) == ("POST", "/jsonrpc")
    assert sent["json"] == {"jsonrpc": "2.0", "method": "VideoLibrary.Scan", "id": 1,
                            "params": {"directory": "smb://nas/anime/Frieren/",
                                       "showdialogs": False}}
    assert sent["headers"]["Authorization"] == "Basic " + base64.b64encode(b"kodi:pw:1").decode()


def test_a_failing_server_is_recorded_and_admins_are_told_once(
        ctx: Any, make_user: Any) -> None:
    from webapp.extensions import db
    from webapp.models import Notification
    from webapp.notifications.media_servers import refresh_all, statuses

    admin = make_user("root", admin=True)
    make_user("alice")
    root, folder = _show(ctx)
    jelly = StandIn("jellyfin", fail=401)
    with serve(jelly) as url:
        _save(jellyfin={"url": url, "api_key": "wrong-key-123456"})
        for _ in range(3):
            assert refresh_all([folder], root)["jellyfin"].startswith("failed: ")
        notes = db.session.scalars(select(Notification)).all()
        assert [(n.user_id, n.kind) for n in notes] == [(admin.id, "source_error")]
        assert "Jellyfin could not be told to rescan" in notes[0].message
        assert "wrong-key" not in notes[0].message
        assert "401" in statuses()["jellyfin"]["last_reason"]
        jelly.fail = None
        assert refresh_all([folder], root) == {"jellyfin": "refreshed whole library"}
        assert statuses()["jellyfin"]["failing"] == ""
        jelly.fail = 500
        refresh_all([folder], root)
    assert db.session.scalar(select(Notification.id).where(Notification.id > notes[0].id))


def test_a_server_on_a_private_address_needs_the_admin_to_allow_it(ctx: Any) -> None:
    from webapp.notifications.media_servers import refresh_all

    ctx.config["ALLOW_PRIVATE_HOSTS"] = ""
    ctx.extensions.pop("media_server_client", None)
    root, folder = _show(ctx)
    jelly = StandIn("jellyfin")
    with serve(jelly) as url:
        _save(jellyfin={"url": url, "api_key": "k"})
        result = refresh_all([folder], root)["jellyfin"]
    assert "ALLOW_PRIVATE_HOSTS" in result and jelly.requests == []
