"""Security headers on every kind of response: pages, API, errors, static files."""

from __future__ import annotations

import pytest

from tests.page_helpers import quick_user, session_login


@pytest.mark.parametrize("path", ["/login", "/api/watchlist", "/no-such-page",
                                  "/static/style.css", "/healthz"])
def test_every_response_carries_the_headers(client, path) -> None:
    resp = client.get(path)
    csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in resp.headers


def test_hsts_over_https_and_cdn_only_when_htmx_comes_from_it(app, client) -> None:
    assert "Strict-Transport-Security" in client.get(
        "/login", base_url="https://localhost").headers
    assert "cdn.jsdelivr.net" not in client.get("/login").headers["Content-Security-Policy"]
    app.config["HTMX_SRC"] = "cdn"
    assert "script-src 'self' https://cdn.jsdelivr.net" in client.get(
        "/login").headers["Content-Security-Policy"]


def test_pages_have_no_inline_script_or_handler(app, client) -> None:
    session_login(client, quick_user(app, "alice"))
    for path in ("/watchlist", "/settings", "/add", "/downloads", "/notifications"):
        html = client.get(path).get_data(as_text=True)
        assert " onclick=" not in html and " onsubmit=" not in html and " style=" not in html
        assert html.count("<script") == html.count("<script src=")
