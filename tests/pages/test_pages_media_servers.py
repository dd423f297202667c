"""Admin → Media servers: saved, secrets never shown back, bad input refused, the last
refresh's failure shown; admins only."""

from __future__ import annotations

import pytest

from tests.page_helpers import post, quick_user, session_login


@pytest.fixture
def admin(client, app):
    return session_login(client, quick_user(app, "root", admin=True))


def _stored(app):
    from webapp.notifications.media_servers import load_settings

    with app.app_context():
        return load_settings()


def test_plain_users_cannot_see_or_change_media_servers(app, client):
    session_login(client, quick_user(app, "alice"))
    assert client.get("/admin/media-servers").status_code == 403
    assert post(client, "/admin/media-servers", {"plex-url": "http://x"}).status_code == 403


def test_servers_are_saved_and_secrets_never_shown_back(admin, app):
    page = admin.get("/admin/media-servers").get_data(as_text=True)
    assert "Media servers" in page and "ALLOW_PRIVATE_HOSTS" in page
    assert "Allowed now: <code>127.0.0.0/8,::1</code>" in page
    form = {"jellyfin-url": "http://192.168.1.10:8096", "jellyfin-secret": "jf-0123456789abcdef",
            "jellyfin-path": "/media/anime", "kodi-url": "http://kodi.lan:8080/jsonrpc",
            "kodi-user": "kodi", "kodi-secret": "kodi-password-1"}
    resp = post(admin, "/admin/media-servers", form, token_from="/admin/media-servers",
                htmx=True)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Media servers saved." in html
    assert "jf-0123456789abcdef" not in html and "kodi-password-1" not in html
    assert "stored ••••cdef" in html
    assert _stored(app)["jellyfin"] == {"url": "http://192.168.1.10:8096",
                                        "api_key": "jf-0123456789abcdef", "path": "/media/anime"}
    # An empty secret keeps the stored one; "Remove" forgets the server.
    form.update({"jellyfin-secret": "", "kodi-remove": "on"})
    post(admin, "/admin/media-servers", form, token_from="/admin/media-servers")
    stored = _stored(app)
    assert stored["jellyfin"]["api_key"] == "jf-0123456789abcdef" and "kodi" not in stored
    page = admin.get("/admin/media-servers").get_data(as_text=True)
    assert "jf-0123456789abcdef" not in page


@pytest.mark.parametrize(("form", "message"), [
    ({"plex-url": "ftp://plex.lan", "plex-secret": "t"}, "Only http:// and https:// URLs"),
    ({"plex-url": "http://plex.lan:32400"}, "Plex needs its Token"),
    ({"emby-url": "http://emby.lan", "emby-secret": "k" * 600}, "at most 500 characters"),
])
def test_bad_input_is_refused_with_a_sentence(admin, app, form, message):
    resp = post(admin, "/admin/media-servers", form, token_from="/admin/media-servers",
                htmx=True)
    assert resp.status_code == 422 and message in resp.get_data(as_text=True)
    assert _stored(app) == {}


def test_a_failed_refresh_shows_on_the_page(admin, app, redis_conn):
    from webapp.notifications.media_servers import Server, _record_failure

    with app.app_context():
        _record_failure(Server("plex", "http://plex.lan"), "plex.lan answered HTTP 401.")
    html = admin.get("/admin/media-servers").get_data(as_text=True)
    assert "Last refresh failed" in html and "plex.lan answered HTTP 401." in html
    health = admin.get("/admin/health").get_data(as_text=True)
    assert "Plex could not be told to rescan the library: plex.lan answered HTTP 401." in health


def test_the_metadata_setting_is_on_the_settings_page(app, client):
    from webapp.extensions import db
    from webapp.models import UserSettings

    alice = quick_user(app, "alice")
    session_login(client, alice)
    assert 'name="metadata_files" checked' in client.get("/settings").get_data(as_text=True)
    post(client, "/settings/watchlist", {"check_interval_hours": "6",
                                         "max_concurrent_auto_downloads": "2"})
    with app.app_context():
        assert db.session.get(UserSettings, alice.id).metadata_files is False
