"""anime-sama's specials through a real check and a real download: a named special of a
regular season lands in Specials/ as S00 with its name, a decimal one stays in its season,
films keep their names, and a `saisonN-M` part continues season N's numbers."""

from __future__ import annotations

from pathlib import Path

from rq import Queue, SimpleWorker
from sqlalchemy import select

from tests.check_helpers import configure
from tests.fixture_site import site_config
from webapp.checking.enqueue import enqueue_source_check
from webapp.downloading.dispatch import dispatch_pending
from webapp.extensions import db
from webapp.models import Download, SourceEpisode, WatchlistItem


def work(redis_conn, queue: str) -> None:
    SimpleWorker([Queue(queue, connection=redis_conn)], connection=redis_conn).work(
        burst=True)


def watch_and_download(app, api, fixture_site, redis_conn, path: str,
                       wanted: set[float]) -> dict[float, Download]:
    """Add the anime-sama season at `path`, check it, download the `wanted` episodes."""
    configure(app)
    app.config.update(site_config(fixture_site))
    created = api.post("/api/watchlist", json={
        "anime_title": "Watched", "anime_url": f"https://anime-sama.to{path}"})
    assert created.status_code == 201, created.json
    with app.app_context():
        source_id = db.session.get(WatchlistItem, created.json["id"]).source_id
        enqueue_source_check(source_id)
        work(redis_conn, "checks")
        db.session.execute(Download.__table__.delete().where(
            Download.episode.not_in(sorted(wanted))))
        db.session.commit()
        dispatch_pending()
        work(redis_conn, "downloads")
        db.session.expire_all()
        rows = db.session.scalars(select(Download).where(Download.source_id == source_id))
        return {row.episode: row for row in rows}


def test_named_special_goes_to_specials_and_decimal_stays(app, api, fixture_site,
                                                          redis_conn):
    done = watch_and_download(app, api, fixture_site, redis_conn,
                              "/catalogue/kaiju-no-8/saison1/vostfr/", {12.5, 12.51})
    assert {n: d.status for n, d in done.items()} == {12.5: "completed", 12.51: "completed"}
    assert Path(done[12.5].path).parts[-2:] == ("Season 01", "Kaiju No. 8 - S01E12.5.mp4")
    assert Path(done[12.51].path).parts[-2:] == (
        "Specials", "Kaiju No. 8 - S00E01 - Hoshina's Day Off.mp4")
    # the player with a known height (ansembed's HLS, 180 lines) is ranked first for
    # "best available": the whole stream is in the file
    assert Path(done[12.51].path).stat().st_size == done[12.51].bytes_total > 0
    with app.app_context():
        special = db.session.scalar(select(SourceEpisode).where(SourceEpisode.number == 12.51))
        assert (special.library_season, special.library_number, special.title) == \
            (0, 1, "Hoshina's Day Off")


def test_films_keep_their_names(app, api, fixture_site, redis_conn):
    done = watch_and_download(app, api, fixture_site, redis_conn,
                              "/catalogue/dragon-ball-super/film/vostfr/", {2})
    assert Path(done[2].path).parts[-2:] == (
        "Specials", "Dragon Ball Super - S00E02 - Super Hero.mp4")


def test_second_part_of_a_season_continues_its_numbers(app, api, fixture_site, redis_conn):
    done = watch_and_download(app, api, fixture_site, redis_conn,
                              "/catalogue/shingeki-no-kyojin/saison4-2/vostfr/", {17})
    assert Path(done[17].path).parts[-2:] == (
        "Season 04", "Shingeki no Kyojin - S04E17.mp4")
