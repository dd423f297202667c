"""Release predictions written by real checks of the fixture site, the clock moved by
time-machine: a weekly show gets next Saturday's slot from its history, an irregular one
none; an anime-sama season in the site's planning gets the planning's slot (the page read
once for many checks), and a broken planning never fails a check."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from rq import Queue
from sqlalchemy import select

from tests.calendar_helpers import (
    SATURDAY,
    WEEK,
    irregular_slots,
    last_saturday_slot,
    prediction_of,
    release_on,
    user_id,
    watch_new_show,
    weekly_slots,
)
from tests.check_helpers import CHECK_CONFIG, BurstWorker, item
from tests.fixture_site import site_config
from tests.page_helpers import session_login
from webapp.checking.enqueue import enqueue_source_check
from webapp.extensions import db
from webapp.models import Notification, User

APP_CONFIG = CHECK_CONFIG
FRIEREN = "/catalogue/frieren/saison1/vostfr/"   # Saturday 17h00 Paris in planning.html
PARIS = ZoneInfo("Europe/Paris")


def api_prediction(api, item_id: str) -> tuple[str | None, str | None]:
    body = api.get(f"/api/watchlist/{item_id}").get_json()
    return body["next_episode_expected_at"], body["prediction_source"]


def test_a_show_released_every_saturday_expects_the_next_saturday(ctx, make_api, fixture_site,
                                                                   redis_conn):
    api = make_api("alice")
    item_id, source_id, key = watch_new_show(fixture_site, user_id("alice"), "weekly-show",
                                             auto_download=False)

    release_on(ctx, fixture_site, redis_conn, source_id, key, weekly_slots(6))

    expected, origin = prediction_of(source_id)
    next_saturday = last_saturday_slot() + WEEK
    assert origin == "history"
    assert expected.weekday() == SATURDAY
    assert abs(expected - next_saturday) <= timedelta(minutes=15)
    assert item(item_id).last_episode_available == 6
    assert api_prediction(api, item_id) == (expected.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                            "history")


def test_an_irregular_show_expects_nothing(ctx, make_api, fixture_site, redis_conn):
    api = make_api("alice")
    item_id, source_id, key = watch_new_show(fixture_site, user_id("alice"), "irregular",
                                             auto_download=False)

    release_on(ctx, fixture_site, redis_conn, source_id, key, irregular_slots())

    assert item(item_id).last_episode_available == 6
    assert prediction_of(source_id) == (None, None)
    assert api_prediction(api, item_id) == (None, None)


def test_a_weekly_show_that_stopped_is_no_longer_expected(ctx, make_api, fixture_site,
                                                         redis_conn):
    make_api("alice")
    _item_id, source_id, key = watch_new_show(fixture_site, user_id("alice"), "finished",
                                              auto_download=False)
    slots = weekly_slots(5)
    release_on(ctx, fixture_site, redis_conn, source_id, key, slots)
    assert prediction_of(source_id)[1] == "history"
    # Three weeks later a check finds nothing new (the site answers 304): it looks finished.
    release_on(ctx, fixture_site, redis_conn, source_id, key, [slots[-1] + 3 * WEEK])
    assert prediction_of(source_id) == (None, None)


def watch_frieren(ctx, fixture_site, api) -> str:
    ctx.config.update(site_config(fixture_site))
    ctx.extensions.pop("provider_registry", None)
    created = api.post("/api/watchlist", json={
        "anime_title": "Frieren", "anime_url": f"https://anime-sama.to{FRIEREN}",
        "auto_download": False})
    assert created.status_code == 201, created.get_json()
    return created.get_json()["id"]


def check_now(source_id: int, redis_conn) -> None:
    enqueue_source_check(source_id)
    BurstWorker([Queue("checks", connection=redis_conn)], connection=redis_conn).work(
        burst=True)
    db.session.remove()


def test_the_sites_planning_wins_and_is_read_once_for_many_checks(ctx, make_api,
                                                                   fixture_site, redis_conn):
    api = make_api("alice")
    item_id = watch_frieren(ctx, fixture_site, api)
    source_id = item(item_id).source_id

    check_now(source_id, redis_conn)
    fixture_site.publish_episode(FRIEREN)
    check_now(source_id, redis_conn)

    expected, origin = prediction_of(source_id)
    assert origin == "schedule"
    local = expected.astimezone(PARIS)
    assert (local.weekday(), local.hour, local.minute) == (SATURDAY, 17, 0)
    now = datetime.now(UTC)
    assert now - timedelta(hours=2) <= expected <= now + WEEK
    assert item(item_id).last_episode_available == 4
    assert fixture_site.hits("/planning/") == 1  # cached for both checks
    assert api_prediction(api, item_id) == (expected.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                            "schedule")
    client = session_login(ctx.test_client(), db.session.get(User, user_id("alice")))
    detail = client.get(f"/watchlist/{item_id}").get_data(as_text=True)
    assert (f"Sat {expected.day} {expected:%b} around {expected:%H:%M} UTC</time> "
            "<span class=\"muted\">(from the site&#39;s schedule)</span>") in detail


def test_a_broken_planning_never_fails_a_check_and_tells_the_admins(ctx, make_api,
                                                                    fixture_site, redis_conn):
    api = make_api("alice")
    admin = db.session.get(User, user_id("alice"))
    admin.is_admin = True
    db.session.commit()
    item_id = watch_frieren(ctx, fixture_site, api)
    source_id = item(item_id).source_id
    fixture_site.set_page("/planning/", "<html><body><div id='app'>Nouveau</div></body></html>")

    check_now(source_id, redis_conn)
    fixture_site.publish_episode(FRIEREN)
    check_now(source_id, redis_conn)

    checked = item(item_id)
    assert checked.last_error is None and checked.last_episode_available == 4
    assert prediction_of(source_id) == (None, None)  # two releases: too few for history
    assert fixture_site.hits("/planning/") == 1      # not asked again at every check
    notes = list(db.session.scalars(select(Notification.message).where(
        Notification.kind == "source_error")))
    assert len(notes) == 1 and "planning page" in notes[0]
