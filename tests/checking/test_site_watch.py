"""Site watch: a layout change is recorded with its reason and alerts the admins once until
the site parses again; outages are recorded but alert nobody."""

from __future__ import annotations

from sqlalchemy import select

from tests.check_helpers import CHECK_CONFIG, add_user, item, new_show, run_worker, watch
from webapp.checking.enqueue import enqueue_source_check
from webapp.extensions import db, get_redis
from webapp.infra import site_watch
from webapp.models import Notification, User

APP_CONFIG = CHECK_CONFIG


def check(redis_conn, source_id: int) -> None:
    enqueue_source_check(source_id)
    run_worker(redis_conn)


def alerts(user_id: int) -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(Notification.message).where(
        Notification.user_id == user_id, Notification.kind == "source_error")
        .order_by(Notification.id)))


def directory_state() -> site_watch.SiteState:
    return site_watch.snapshot(get_redis(), [("provider", "directory", "Directory")])[0]


def make_admin(name: str) -> int:
    user_id = add_user(name)
    db.session.get(User, user_id).is_admin = True
    db.session.commit()
    return user_id


def test_layout_change_alerts_admins_once_until_it_recovers(ctx, fixture_site, redis_conn):
    root = make_admin("root")
    ann = add_user("ann")
    source_id = item(watch(ann, new_show(fixture_site, "show", episodes=2))).source_id

    check(redis_conn, source_id)
    assert directory_state().last_ok_at is not None and directory_state().broken_since is None
    assert alerts(root) == []

    fixture_site.break_layout("/dir/nginx/show/")
    check(redis_conn, source_id)
    check(redis_conn, source_id)

    sent = alerts(root)
    assert len(sent) == 1
    assert "changed its pages" in sent[0] and "Admin → Health" in sent[0]
    assert alerts(ann) == []
    state = directory_state()
    assert state.broken_since is not None and state.last_failure_at is not None
    assert "not a directory listing" in state.last_reason

    fixture_site.clear_rules()
    check(redis_conn, source_id)
    assert directory_state().broken_since is None

    fixture_site.break_layout("/dir/nginx/show/")
    check(redis_conn, source_id)
    assert len(alerts(root)) == 2


def test_an_outage_is_recorded_without_alerting(ctx, fixture_site, redis_conn):
    root = make_admin("root")
    source_id = item(watch(add_user("ann"), new_show(fixture_site, "down"))).source_id
    fixture_site.fail("/dir/nginx/down/", status=503)

    check(redis_conn, source_id)

    state = directory_state()
    assert state.last_failure_at is not None and "503" in state.last_reason
    assert state.broken_since is None
    assert alerts(root) == []
