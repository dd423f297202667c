"""Login pages: first-admin setup, login/logout, rate limit, CSRF, sign-up, tokens, errors."""

from __future__ import annotations

import re

import pytest

from tests.helpers import free_port
from tests.page_helpers import csrf_of, login, post, quick_user

# --- first run ------------------------------------------------------------------------------


def test_without_users_every_page_leads_to_setup(client):
    for path in ("/", "/settings", "/login", "/nope"):
        resp = client.get(path)
        assert resp.status_code == 302 and resp.headers["Location"].endswith("/setup"), path
    assert client.get("/api/watchlist").status_code == 401  # the API is not redirected


def test_setup_creates_the_admin_and_logs_in(client, app):
    token = csrf_of(client, "/setup")
    resp = client.post("/setup", data={"username": "root", "password": "longpassword",
                                       "confirm": "longpassword", "csrf_token": token})
    assert resp.status_code == 302
    page = client.get("/admin/users")
    assert page.status_code == 200 and "root" in page.get_data(as_text=True)
    # Once an account exists, the setup page is gone.
    assert client.get("/setup").headers["Location"].endswith("/login")


def test_setup_rejects_mismatched_passwords(client):
    token = csrf_of(client, "/setup")
    resp = client.post("/setup", data={"username": "root", "password": "longpassword",
                                       "confirm": "different!!", "csrf_token": token})
    assert resp.status_code == 200 and "The passwords differ." in resp.get_data(as_text=True)


# --- login / logout -------------------------------------------------------------------------


def test_login_and_logout(client, alice):
    assert client.get("/settings").headers["Location"].startswith("/login?next=/settings")
    login(client)
    assert client.get("/settings").status_code == 200
    assert client.get("/logout").status_code == 405  # logging out is a POST
    resp = post(client, "/logout")
    assert resp.status_code == 302
    assert client.get("/settings").status_code == 302


def test_wrong_password_is_refused(client, alice):
    token = csrf_of(client)
    resp = client.post("/login", data={"username": "alice", "password": "nope-nope",
                                       "csrf_token": token})
    assert resp.status_code == 200
    assert "Wrong username or password." in resp.get_data(as_text=True)
    assert client.get("/settings").status_code == 302


@pytest.mark.parametrize("target,expected", [
    ("/settings", "/settings"),
    ("//evil.example/x", "/"),
    ("https://evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
])
def test_login_next_only_goes_to_local_paths(client, alice, target, expected):
    token = csrf_of(client)
    resp = client.post("/login", query_string={"next": target},
                       data={"username": "alice", "password": "password123",
                             "csrf_token": token})
    assert resp.status_code == 302
    assert resp.headers["Location"] == expected


def test_disabled_user_is_logged_out(client, alice, app):
    from webapp.extensions import db
    from webapp.models import User

    login(client)
    with app.app_context():
        db.session.get(User, alice.id).disabled = True
        db.session.commit()
    assert client.get("/settings").status_code == 302


def test_htmx_request_without_session_gets_a_redirect_header(client, alice):
    resp = client.get("/settings", headers={"HX-Request": "true"})
    assert resp.status_code == 401 and "/login" in resp.headers["HX-Redirect"]


# --- rate limit -----------------------------------------------------------------------------


def _attempt(client, password, addr="203.0.113.7"):
    token = csrf_of(client)
    return client.post("/login", data={"username": "alice", "password": password,
                                       "csrf_token": token},
                       environ_base={"REMOTE_ADDR": addr})


def test_ten_failed_logins_a_minute_then_429(client, alice, redis_conn):
    for _ in range(10):
        assert _attempt(client, "wrong-password").status_code == 200
    blocked = _attempt(client, "password123")  # even the right password waits
    assert blocked.status_code == 429
    assert 0 < int(blocked.headers["Retry-After"]) <= 60
    assert "Too many failed attempts" in blocked.get_data(as_text=True)
    # Another address is not affected.
    assert _attempt(client, "password123", addr="198.51.100.9").status_code == 302
    assert redis_conn.ttl("ratelimit:login:203.0.113.7") <= 60


def test_login_fails_open_when_redis_is_down(client, alice, app):
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"
    for _ in range(11):
        _attempt(client, "wrong-password")
    assert _attempt(client, "password123").status_code == 302


# --- CSRF -----------------------------------------------------------------------------------


def test_post_without_csrf_token_is_400(client, alice):
    resp = client.post("/login", data={"username": "alice", "password": "password123"})
    assert resp.status_code == 400
    assert "text/html" in resp.content_type
    assert "security token" in resp.get_data(as_text=True)


def test_htmx_post_without_csrf_header_is_400(client, alice):
    login(client)
    resp = client.post("/settings/tokens", data={"name": "x", "scopes": "read"},
                       headers={"HX-Request": "true"})
    assert resp.status_code == 400
    assert resp.headers["HX-Retarget"] == "#flash"


# --- open sign-up ---------------------------------------------------------------------------


def _register(client, name="bob"):
    token = csrf_of(client, "/login")
    return client.post("/register", data={"username": name, "password": "password456",
                                          "confirm": "password456", "csrf_token": token})


def test_register_is_off_by_default(client, alice):
    assert client.get("/register").status_code == 404
    assert _register(client).status_code == 404


def test_admin_turns_open_signup_on(client, alice, app):
    login(client, "root")
    post(client, "/admin/signup", {"open_signup": "on"})
    post(client, "/logout")
    assert "Sign up" in client.get("/login").get_data(as_text=True)
    assert _register(client).status_code == 302
    assert client.get("/admin/users").status_code == 403  # bob is no admin


def test_open_signup_from_config(client, alice, app):
    app.config["OPEN_SIGNUP"] = True
    assert client.get("/register").status_code == 200


# --- settings: password and tokens -----------------------------------------------------------


def test_change_password(client, alice):
    login(client)
    bad = post(client, "/settings/password", {"current": "not-mine-1", "password": "newpassword1",
                                               "confirm": "newpassword1"})
    assert bad.status_code == 422 and "not your current password" in bad.get_data(as_text=True)
    ok = post(client, "/settings/password", {"current": "password123",
                                              "password": "newpassword1",
                                              "confirm": "newpassword1"})
    assert ok.status_code == 303
    post(client, "/logout")
    login(client, password="newpassword1")


def _new_token(client, scopes=("read", "write"), htmx=False, **extra):
    resp = post(client, "/settings/tokens", {"name": "script", "scopes": list(scopes), **extra},
                htmx=htmx)
    match = re.search(r'value="(wl_[^"]+)"', resp.get_data(as_text=True))
    return resp, match.group(1) if match else None


def test_token_is_shown_once_and_works_on_the_api(client, alice):
    login(client)
    resp, raw = _new_token(client)
    assert resp.status_code == 200 and raw
    api = client.application.test_client()
    assert api.get("/api/watchlist", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    page = client.get("/settings").get_data(as_text=True)
    assert raw not in page and raw[:10] in page  # only the prefix is listed afterwards


def test_read_token_cannot_write_and_revoked_token_is_401(client, alice, app):
    login(client)
    _resp, raw = _new_token(client, scopes=("read",), htmx=True)
    api = app.test_client()
    headers = {"X-Api-Key": raw}
    assert api.post("/api/watchlist", json={}, headers=headers).status_code == 403
    from webapp.auth.tokens import list_tokens

    with app.app_context():
        token_id = list_tokens(alice.id)[0].id
    resp = post(client, f"/settings/tokens/{token_id}/revoke", htmx=True)
    assert resp.status_code == 200 and "revoked" in resp.get_data(as_text=True)
    assert api.get("/api/watchlist", headers=headers).status_code == 401


def test_token_form_errors(client, alice):
    login(client)
    resp, raw = _new_token(client, scopes=())
    assert resp.status_code == 422 and raw is None
    resp, raw = _new_token(client, expires="2001-01-01")
    assert resp.status_code == 422 and "must be in the future" in resp.get_data(as_text=True)


def test_another_users_token_cannot_be_revoked(client, alice, app):
    from webapp.auth.tokens import create_token, list_tokens

    bob = quick_user(app, "bob")
    with app.app_context():
        create_token(bob, "bobs")
    login(client)
    with app.app_context():
        bob_token = list_tokens(bob.id)[0].id
    post(client, f"/settings/tokens/{bob_token}/revoke")
    with app.app_context():
        assert list_tokens(bob.id)[0].revoked_at is None


# --- admin users ----------------------------------------------------------------------------


def test_admin_manages_users(client, alice, app):
    login(client, "root")
    created = post(client, "/admin/users", {"username": "carol", "password": "password789"},
                   htmx=True)
    assert created.status_code == 200 and "carol" in created.get_data(as_text=True)
    from webapp.auth.users import get_by_username

    with app.app_context():
        carol_id = get_by_username("carol").id
    post(client, f"/admin/users/{carol_id}/promote")
    post(client, f"/admin/users/{carol_id}/password", {"password": "resetpass1"})
    other = app.test_client()
    login(other, "carol", "resetpass1")
    assert other.get("/admin/users").status_code == 200  # carol is admin now
    post(client, f"/admin/users/{carol_id}/disable")
    assert other.get("/settings").status_code == 302  # disabled: logged out


def test_admin_cannot_lock_themselves_out(client, app):
    root = quick_user(app, "root", admin=True)
    login(client, "root")
    resp = post(client, f"/admin/users/{root.id}/demote", htmx=True)
    assert "cannot lock yourself out" in resp.get_data(as_text=True)
    assert client.get("/admin/users").status_code == 200


def test_non_admin_gets_403_page(client, alice):
    login(client)
    resp = client.get("/admin/users")
    assert resp.status_code == 403 and "text/html" in resp.content_type


# --- error pages ----------------------------------------------------------------------------


def test_404_is_html_for_pages_and_json_for_the_api(client, alice):
    login(client)
    page = client.get("/no/such/page")
    assert page.status_code == 404 and "Page not found" in page.get_data(as_text=True)
    api = client.get("/api/no/such/thing")
    assert api.status_code == 404 and api.json["error"] == "not_found"
    assert client.post("/api/openapi.json").json["error"] == "method_not_allowed"


def test_500_is_an_html_page_outside_the_api(app, alice):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    @app.get("/api/boom")
    def api_boom():
        raise RuntimeError("boom")

    client = app.test_client()
    login(client)
    page = client.get("/boom")
    assert page.status_code == 500 and "Something went wrong" in page.get_data(as_text=True)
    assert "boom" not in page.get_data(as_text=True)
    assert client.get("/api/boom").json["error"] == "error"
