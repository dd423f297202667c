"""Players listed on an episode page (neko-sama) are expanded before the download."""

from __future__ import annotations

from pathlib import Path

from rq import Queue, SimpleWorker

from tests.check_helpers import configure
from tests.fixture_site import site_config
from webapp.checking.enqueue import enqueue_source_check
from webapp.extensions import db
from webapp.models import Download, WatchlistItem

KEY = "/anime/info/3458-hunter-x-hunter-2011_vostfr"


def work(redis_conn, queue: str) -> None:
    SimpleWorker([Queue(queue, connection=redis_conn)], connection=redis_conn).work(
        burst=True)


def test_nekosama_episode_downloads_through_its_page_players(app, api, fixture_site,
                                                              redis_conn):
    configure(app)
    app.config.update(site_config(fixture_site))
    app.config["BASE_URLS"]["sibnet"] = fixture_site.url
    # The first listed player is on a host we cannot reach; the second is Sibnet.
    fixture_site.set_page(
        "/anime/episode/3458-hunter-x-hunter-2011-01_vostfr",
        "<html><body><script>var video = [];\n"
        "video[0] = 'https://fusevideo.io/f/u/dead';\n"
        "video[1] = 'https://video.sibnet.ru/shell.php?videoid=4242';\n"
        "</script></body></html>")
    created = api.post("/api/watchlist", json={
        "anime_title": "Hunter x Hunter", "anime_url": f"https://neko-sama.fr{KEY}",
        "last_episode_downloaded": 0})
    assert created.status_code == 201, created.json
    with app.app_context():
        source_id = db.session.get(WatchlistItem, created.json["id"]).source_id
        enqueue_source_check(source_id)
        work(redis_conn, "checks")
        db.session.query(Download).filter(Download.episode > 1).delete()
        db.session.commit()
        work(redis_conn, "downloads")
        done = db.session.query(Download).filter_by(episode=1).one()
        assert done.status == "completed", done.error
        assert "4242" in (done.player or "")
        path = Path(done.path)
        assert path.name == "Hunter x Hunter (2011) - S01E01.mp4"
        assert path.stat().st_size == fixture_site.media_size
