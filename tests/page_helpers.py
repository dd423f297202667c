"""Helpers for page tests: read the CSRF token of a page and log a test client in."""

from __future__ import annotations

import re
from typing import Any

CSRF_RE = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def csrf_of(client: Any, path: str = "/login") -> str:
    """The CSRF token the page at `path` carries (the session's token)."""
    html = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client: Any, username: str = "alice", password: str = "password123") -> Any:
    """Log `client` in through the login form; returns the response (a redirect)."""
    token = csrf_of(client, "/login")
    resp = client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    return resp


def post(client: Any, path: str, data: dict | None = None, htmx: bool = False,
         token_from: str = "/settings") -> Any:
    """POST a form with the session's CSRF token, as htmx (header) or as a plain form."""
    token = csrf_of(client, token_from)
    if htmx:
        return client.post(path, data=data or {},
                           headers={"HX-Request": "true", "X-CSRFToken": token})
    return client.post(path, data={**(data or {}), "csrf_token": token})
