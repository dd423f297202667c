"""HTTP helpers for e2e tests and benchmarks talking to a running stack with `requests`:
a user and API token made in the database, and a session logged in through the form."""

from __future__ import annotations

import re
from typing import Any

import requests

CSRF_RE = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
PASSWORD = "password123"


def user_with_token(app: Any, name: str) -> dict[str, str]:
    """Create user `name` (password PASSWORD) with a read/write API token; the headers
    that send it."""
    from webapp.auth.tokens import create_token
    from webapp.auth.users import create_user

    with app.app_context():
        user = create_user(name, PASSWORD, is_admin=False)
        _row, raw = create_token(user, "e2e", "read,write")
    return {"Authorization": f"Bearer {raw}"}


def login_session(base: str, username: str, password: str = PASSWORD) -> requests.Session:
    """A `requests` session logged in through the login form (its CSRF token included)."""
    session = requests.Session()
    page = session.get(f"{base}/login", timeout=10)
    match = CSRF_RE.search(page.text)
    assert match, f"no CSRF token on /login ({page.status_code})"
    resp = session.post(f"{base}/login", timeout=10, data={
        "username": username, "password": password, "csrf_token": match.group(1)})
    assert resp.ok and not resp.url.endswith("/login"), (resp.status_code, resp.url)
    return session
