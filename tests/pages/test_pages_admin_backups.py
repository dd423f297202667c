"""Admin → Backups: lists the backups, writes one now, restores one (with and without
htmx, the result shown); a bad name or a damaged file is refused; admins only."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.page_helpers import add_items, post, quick_user, session_login

T0 = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
PAGE = "/admin/backups"


@pytest.fixture
def admin(client, app):
    return session_login(client, quick_user(app, "root", admin=True))


def _write(app, when=T0):
    from webapp.watchlist.scheduled_backups import write_backup

    with app.app_context():
        return write_backup(when)["name"]


def _count(app, user) -> int:
    from webapp.watchlist.manager import WatchlistManager

    with app.app_context():
        return WatchlistManager(user.id).count_items()


def _delete_all(app, user) -> None:
    from webapp.watchlist.manager import WatchlistManager

    with app.app_context():
        manager = WatchlistManager(user.id)
        for item in manager.list_items():
            manager.delete_item(item.id)


def test_plain_users_get_403(app, client):
    name = _write(app)
    session_login(client, quick_user(app, "alice"))
    assert client.get(PAGE).status_code == 403
    assert post(client, PAGE).status_code == 403
    assert post(client, f"{PAGE}/{name}/restore").status_code == 403


def test_back_up_now_then_the_list_shows_it(admin, app):
    add_items(app, quick_user(app, "alice"), 3)
    page = admin.get(PAGE).get_data(as_text=True)
    assert 'aria-current="page">Backups</a>' in page and "No backup yet." in page
    assert 'data-confirm="Write a backup of every watchlist now?"' in page

    resp = post(admin, PAGE, token_from=PAGE)             # a plain form: post/redirect/get
    assert resp.status_code == 303 and resp.headers["Location"].endswith(PAGE)
    page = admin.get(PAGE).get_data(as_text=True)
    assert "2 users, 3 items." in page                    # the flash
    assert '<td data-label="Users">2</td>' in page and '<td data-label="Items">3</td>' in page
    assert page.count(">Restore</button>") == 1 and "data-confirm=\"Restore the backup" in page

    resp = post(admin, PAGE, htmx=True, token_from=PAGE)  # htmx: the section, refreshed
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "<html" not in html and 'id="admin-backups"' in html
    assert "written: 2 users, 3 items." in html


def test_restore_from_the_page_brings_items_back(admin, app):
    alice = quick_user(app, "alice")
    add_items(app, alice, 3)
    name = _write(app)
    _delete_all(app, alice)

    resp = post(admin, f"{PAGE}/{name}/restore", htmx=True, token_from=PAGE)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert f"Restored {name}: 2 users, 3 items added back, 0 already there." in html
    assert _count(app, alice) == 3

    resp = post(admin, f"{PAGE}/{name}/restore", token_from=PAGE)   # without htmx
    assert resp.status_code == 303
    page = admin.get(PAGE).get_data(as_text=True)
    assert "0 items added back, 3 already there." in page
    assert _count(app, alice) == 3


def test_unknown_users_are_named_in_the_result(admin, app):
    from webapp.extensions import db
    from webapp.models import User

    bob = quick_user(app, "bob")
    add_items(app, bob, 1)
    name = _write(app)
    with app.app_context():
        db.session.get(User, bob.id).username = "robert"
        db.session.commit()
    html = post(admin, f"{PAGE}/{name}/restore", htmx=True, token_from=PAGE).get_data(
        as_text=True)
    assert "Not on this install: bob." in html


@pytest.mark.parametrize("name", ["secret_key", "watchlist.db", "..%2Fsecret_key",
                                  "watchlist-20260302-050000.json"])
def test_a_bad_name_is_refused(admin, app, name):
    _write(app)
    resp = post(admin, f"{PAGE}/{name}/restore", htmx=True, token_from=PAGE)
    assert resp.status_code == 404
    if resp.headers.get("Content-Type", "").startswith("text/html"):
        assert "test-secret" not in resp.get_data(as_text=True)


def test_a_damaged_backup_is_listed_as_unreadable_and_refused(admin, app):
    from webapp.watchlist.scheduled_backups import backup_dir

    name = _write(app)
    with app.app_context():
        (backup_dir() / name).write_text("{not json")
    page = admin.get(PAGE).get_data(as_text=True)
    assert "unreadable" in page and ">Restore</button>" not in page
    resp = post(admin, f"{PAGE}/{name}/restore", htmx=True, token_from=PAGE)
    assert resp.status_code == 422 and "cannot be read" in resp.get_data(as_text=True)


def test_forms_need_the_csrf_token(admin, app):
    name = _write(app)
    assert admin.post(PAGE).status_code == 400
    assert admin.post(f"{PAGE}/{name}/restore").status_code == 400
