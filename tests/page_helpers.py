"""Helpers for page tests: read the CSRF token of a page and log a test client in."""

from __future__ import annotations

import re
from typing import Any

import pytest

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


def add_items(app: Any, user: Any, count: int, **overrides: Any) -> list[str]:
    """Put `count` directory-provider items on the user's watchlist; their ids, newest first."""
    from webapp.schemas import WatchlistItemCreate
    from webapp.watchlist.manager import WatchlistManager

    ids = []
    with app.app_context():
        manager = WatchlistManager(user.id)
        for n in range(count):
            body = {"anime_title": f"Show {n}", "provider_id": "directory",
                    "anime_url": f"https://files.example.org/anime/show-{n}/", **overrides}
            ids.append(manager.create_item(WatchlistItemCreate(**body)).id)
    return ids[::-1]


def add_episodes(app: Any, item_id: str, numbers: list[float],
                 downloads: dict[float, dict] | None = None) -> dict[float, int]:
    """List episodes on the item's source, with download rows; {episode: download id}."""
    from webapp.extensions import db
    from webapp.models import Download, SourceEpisode, WatchlistItem

    made = {}
    with app.app_context():
        item = db.session.get(WatchlistItem, item_id)
        for n in numbers:
            db.session.add(SourceEpisode(source_id=item.source_id, number=n, title=f"Ep {n}",
                                         players=[]))
        for n, fields in (downloads or {}).items():
            row = Download(item_id=item.id, user_id=item.user_id, source_id=item.source_id,
                           episode=n, **fields)
            db.session.add(row)
            db.session.flush()
            made[n] = row.id
        item.last_episode_available = max(numbers) if numbers else None
        db.session.commit()
    return made


def use_fixture_site(app: Any, site: Any) -> None:
    """Point the site providers at the local fixture site, with a fast HTTP client."""
    from tests.check_helpers import configure

    app.config["BASE_URLS"] = {**app.config.get("BASE_URLS", {}), "animesama": site.url,
                               "nekosama": site.url, "animeultime": site.url,
                               "animesama_portal": site.url + "/portal/"}
    configure(app)
    app.extensions.pop("provider_registry", None)


def quick_user(app: Any, name: str, admin: bool = False) -> Any:
    """A user (password "password123") without paying for a password hash each time."""
    from tests.check_helpers import PASSWORD_HASH
    from webapp.extensions import db
    from webapp.models import User, UserSettings

    with app.app_context():
        user = User(username=name, password_hash=PASSWORD_HASH, is_admin=admin)
        user.settings = UserSettings()
        db.session.add(user)
        db.session.commit()
        return user


def session_login(client: Any, user: Any) -> Any:
    """Log the client in as `user` by its session (the login form has its own tests)."""
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    return client


# --- fixtures (conftest loads this module as a plugin) -------------------------------------


@pytest.fixture
def alice(app: Any) -> Any:
    """Alice, a plain user (the first account, root, is the admin); passwords "password123"."""
    quick_user(app, "root", admin=True)
    return quick_user(app, "alice")


@pytest.fixture
def logged(client: Any, alice: Any) -> Any:
    """The test client, logged in as alice."""
    return session_login(client, alice)


@pytest.fixture
def on_fixture_site(app: Any, fixture_site: Any) -> Any:
    """The site providers pointed at the local fixture site (`pytest.mark.usefixtures`)."""
    use_fixture_site(app, fixture_site)
    return fixture_site
