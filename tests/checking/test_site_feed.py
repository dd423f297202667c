"""Fast detection through the real tick, check and download paths on the fixture site: an
episode on anime-sama's recently-added section is checked (and queued) within one tick
whatever the owners' intervals; sources not on it are not fetched early; a broken
section falls back to interval checks and tells the admins."""

from __future__ import annotations

from datetime import timedelta

from rq import Queue
from sqlalchemy import select

from tests.check_helpers import BurstWorker, configure
from tests.fixture_site import site_config
from webapp.checking.tick import tick
from webapp.clock import utcnow
from webapp.extensions import db, get_redis
from webapp.infra import keys
from webapp.models import Download, Notification, User, WatchlistItem

FRIEREN = "/catalogue/frieren/saison1/vostfr/"
NARUTO = "/catalogue/naruto-shippuden/saison2/vostfr/"


def run_checks(redis_conn) -> None:
    BurstWorker([Queue("checks", connection=redis_conn)], connection=redis_conn).work(
        burst=True)
    db.session.remove()


def watch(api, path: str) -> str:
    created = api.post("/api/watchlist", json={
        "anime_title": path.split("/")[2], "anime_url": f"https://anime-sama.to{path}",
        "auto_download": True})
    assert created.status_code == 201, created.json
    return created.json["id"]


def episodes_queued(item_id: str) -> list[float]:
    db.session.expire_all()
    return sorted(db.session.scalars(select(Download.episode).where(
        Download.item_id == item_id)))


def setup_watchers(app, make_api, fixture_site, redis_conn) -> tuple[str, str]:
    """Alice watches Frieren, Bob Naruto; both checked once, next check in a week."""
    configure(app)
    app.config.update(site_config(fixture_site))
    for show in fixture_site.shows.values():  # released an hour ago
        show.modified_at -= 3600
    alice, bob = make_api("alice"), make_api("bob")
    with app.app_context():
        frieren, naruto = watch(alice, FRIEREN), watch(bob, NARUTO)
        tick()
        run_checks(redis_conn)
        for item_id in (frieren, naruto):
            db.session.get(WatchlistItem, item_id).next_check_at = utcnow() + timedelta(days=7)
        db.session.commit()
        get_redis().delete(keys.site_feed_turn("animesama"))
    return frieren, naruto


def test_a_new_episode_on_the_home_page_is_queued_within_one_tick(app, make_api, fixture_site,
                                                                   redis_conn):
    frieren, naruto = setup_watchers(app, make_api, fixture_site, redis_conn)
    with app.app_context():
        assert episodes_queued(frieren) == [1, 2, 3]
        fixture_site.publish_episode(FRIEREN)
        naruto_fetches = fixture_site.hits(NARUTO + "episodes.js")

        result = tick()
        run_checks(redis_conn)

        assert result.sources_enqueued == [] and result.site_feeds == ["animesama"]
        assert episodes_queued(frieren) == [1, 2, 3, 4]
        assert fixture_site.hits(NARUTO + "episodes.js") == naruto_fetches  # not on it
        assert db.session.get(WatchlistItem, naruto).next_check_at > utcnow() + timedelta(
            days=6)
        # The next tick within the minute sends no second request to the site.
        home_fetches = fixture_site.hits("/")
        assert tick().site_feeds == []
        run_checks(redis_conn)
        assert fixture_site.hits("/") == home_fetches


def test_a_broken_home_page_falls_back_to_intervals_and_tells_the_admins(
        app, make_api, fixture_site, redis_conn):
    frieren, _naruto = setup_watchers(app, make_api, fixture_site, redis_conn)
    with app.app_context():
        root = db.session.scalar(select(User).where(User.username == "alice"))
        root.is_admin = True
        db.session.commit()
        fixture_site.set_page("/", "<html><body><div id='app'>Nouveau site</div></body></html>")
        fixture_site.publish_episode(FRIEREN)

        tick()
        run_checks(redis_conn)

        assert episodes_queued(frieren) == [1, 2, 3]  # not detected early
        notes = list(db.session.scalars(select(Notification.message).where(
            Notification.kind == "source_error")))
        assert len(notes) == 1 and "recently added page" in notes[0]
        # The interval check still finds it when it is due.
        db.session.get(WatchlistItem, frieren).next_check_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
        tick()
        run_checks(redis_conn)
        assert episodes_queued(frieren) == [1, 2, 3, 4]


def test_a_backup_source_named_on_the_home_page_is_checked_at_once(app, make_api,
                                                                  fixture_site, redis_conn):
    configure(app)
    app.config.update(site_config(fixture_site))
    for show in fixture_site.shows.values():
        show.modified_at -= 3600
    carol = make_api("carol")
    with app.app_context():
        item = watch(carol, NARUTO)
        added = carol.post(f"/api/watchlist/{item}/sources",
                           json={"anime_url": f"https://anime-sama.to{FRIEREN}"})
        assert added.status_code == 201, added.json
        tick()
        run_checks(redis_conn)
        db.session.get(WatchlistItem, item).next_check_at = utcnow() + timedelta(days=7)
        db.session.commit()
        get_redis().delete(keys.site_feed_turn("animesama"))
        backup_fetches = fixture_site.hits(FRIEREN + "episodes.js")
        fixture_site.publish_episode(FRIEREN)

        result = tick()
        run_checks(redis_conn)

        assert result.sources_enqueued == [] and result.site_feeds == ["animesama"]
        assert fixture_site.hits(FRIEREN + "episodes.js") > backup_fetches
