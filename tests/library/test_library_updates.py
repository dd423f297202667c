"""After downloads through the real worker: NFO files and the poster in the show folder, and
one media-server refresh for a burst of episodes; a file the user edited is left alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lxml import etree
from rq import Queue, SimpleWorker

from tests.download_helpers import (
    MediaServer,
    add_download,
    file_player,
    media_bytes,
    row,
    run_worker,
    seed_item,
)
from tests.fixtures.hosts.servers import serve
from tests.library.stand_ins import StandIn
from tests.poster_images import decoded, poster_jpeg

APP_CONFIG = {"HTTP_RETRIES": 0, "MAX_PARALLEL_DOWNLOADS": 3, "MEDIA_REFRESH_DEBOUNCE_SECONDS": 0,
              "DOWNLOAD_RETRY_INTERVALS": (0, 0)}
JPEG = poster_jpeg((1000, 1500))


def _seed(media: MediaServer, user_id: int, episodes: int = 3) -> tuple[int, str, list[int]]:
    from webapp.extensions import db
    from webapp.models import Source, SourceEpisode

    players = {n: [file_player(media.add(f"/ep{n}.mp4", media_bytes(70_000, seed=n)))]
               for n in range(1, episodes + 1)}
    source_id, item_id = seed_item(user_id, players, source_title="Frieren & <Friends>")
    source = db.session.get(Source, source_id)
    source.synopsis = 'An elf "mage" & her <journey>.'
    source.genres = ["Fantasy", "Aventure"]
    source.poster_image = media.add("/poster.jpg", JPEG)
    for episode in db.session.query(SourceEpisode).filter_by(source_id=source_id):
        episode.title = "The Journey's End" if episode.number == 1 else None
    db.session.commit()
    ids = [add_download(user_id, item_id, n) for n in range(1, episodes + 1)]
    return source_id, item_id, ids


def _download_episode(media: MediaServer, redis_conn: Any, user_id: int, source_id: int,
                      item_id: str, number: int) -> None:
    """The source lists one more episode (a file on the media server); download it."""
    from webapp.extensions import db
    from webapp.models import SourceEpisode

    media.add(f"/ep{number}.mp4", media_bytes(70_000, seed=number))
    db.session.add(SourceEpisode(source_id=source_id, number=float(number),
                                 players=[file_player(media.url(f"/ep{number}.mp4"))]))
    db.session.commit()
    add_download(user_id, item_id, number)
    _run_all(redis_conn)


def _run_all(redis_conn: Any) -> None:
    from webapp.downloading.dispatch import dispatch_pending

    dispatch_pending()
    run_worker(redis_conn)
    SimpleWorker([Queue("default", connection=redis_conn)], connection=redis_conn).work(
        burst=True)


def test_a_burst_of_three_episodes_writes_metadata_and_refreshes_once(
        ctx: Any, make_user: Any, media: MediaServer, redis_conn: Any) -> None:
    from webapp.notifications.media_servers import save_settings

    user = make_user("alice")
    _, _, ids = _seed(media, user.id)
    jelly = StandIn("jellyfin")
    with serve(jelly) as url:
        save_settings({"jellyfin": {"url": url, "api_key": "key", "path": "/srv/anime"}})
        _run_all(redis_conn)
    assert [row(i).status for i in ids] == ["completed"] * 3
    show = Path(ctx.config["DOWNLOAD_DIR"]).resolve() / "Frieren & Friends"
    assert jelly.calls() == [("POST", "/Library/Media/Updated")]
    assert jelly.requests[0]["json"]["Updates"] == [
        {"Path": "/srv/anime/Frieren & Friends", "UpdateType": "Modified"}]

    tvshow = etree.parse(str(show / "tvshow.nfo")).getroot()
    assert tvshow.tag == "tvshow"
    assert tvshow.findtext("title") == "Frieren & <Friends>"
    assert tvshow.findtext("originaltitle") == "My Show"
    assert tvshow.findtext("plot") == 'An elf "mage" & her <journey>.'
    assert [g.text for g in tvshow.findall("genre")] == ["Fantasy", "Aventure"]
    unique = tvshow.find("uniqueid")
    assert unique.get("default") == "true" and unique.text == "http://127.0.0.1/show/"
    for n in (1, 2, 3):
        video = show / "Season 01" / f"Frieren & Friends - S01E0{n}.mp4"
        episode = etree.parse(str(video.with_suffix(".nfo"))).getroot()
        assert episode.tag == "episodedetails"
        assert (episode.findtext("season"), episode.findtext("episode")) == ("1", str(n))
        assert episode.findtext("title") == ("The Journey's End" if n == 1 else f"Episode {n}")
        assert len(episode.findtext("aired")) == 10
    assert decoded((show / "poster.jpg").read_bytes()).size == (600, 900)  # the cache's copy
    assert len(media.requests_to("/poster.jpg")) == 1  # fetched once, then from the cache


def test_a_user_edited_tvshow_nfo_is_left_alone_and_ours_follow_the_site(
        ctx: Any, make_user: Any, media: MediaServer, redis_conn: Any) -> None:
    from webapp.extensions import db
    from webapp.models import Source

    user = make_user("alice")
    source_id, item_id, ids = _seed(media, user.id, episodes=1)
    _run_all(redis_conn)
    show = Path(ctx.config["DOWNLOAD_DIR"]).resolve() / "Frieren & Friends"
    edited = b"<tvshow><title>Mine</title></tvshow>"
    (show / "tvshow.nfo").write_bytes(edited)
    episode_nfo = show / "Season 01" / "Frieren & Friends - S01E01.nfo"
    before = episode_nfo.read_bytes()

    source = db.session.get(Source, source_id)
    source.synopsis = "A new synopsis."
    db.session.commit()
    _download_episode(media, redis_conn, user.id, source_id, item_id, 2)

    assert (show / "tvshow.nfo").read_bytes() == edited
    assert episode_nfo.read_bytes() == before
    assert (show / "Season 01" / "Frieren & Friends - S01E02.nfo").is_file()


def test_metadata_files_off_writes_nothing_beside_the_file(
        ctx: Any, make_user: Any, media: MediaServer, redis_conn: Any) -> None:
    from webapp.extensions import db
    from webapp.models import UserSettings

    user = make_user("alice")
    db.session.get(UserSettings, user.id).metadata_files = False
    db.session.commit()
    _, _, ids = _seed(media, user.id, episodes=1)
    _run_all(redis_conn)
    show = Path(ctx.config["DOWNLOAD_DIR"]).resolve() / "Frieren & Friends"
    assert row(ids[0]).status == "completed"
    assert sorted(p.name for p in show.rglob("*")) == ["Frieren & Friends - S01E01.mp4",
                                                       "Season 01"]


def test_a_burst_waits_for_one_delayed_job(ctx: Any, redis_conn: Any) -> None:
    from rq.registry import ScheduledJobRegistry

    from webapp.library.updates import file_placed

    ctx.config["MEDIA_REFRESH_DEBOUNCE_SECONDS"] = 30
    for download_id in (11, 12, 13):
        file_placed(download_id)
    queue = Queue("default", connection=redis_conn)
    scheduled = ScheduledJobRegistry(queue=queue)
    assert queue.count == 0 and scheduled.count == 1
    [job_id] = scheduled.get_job_ids()
    assert queue.fetch_job(job_id).func_name == "workers.media.library_update_job"
    assert sorted(int(m) for m in redis_conn.smembers("library:placed")) == [11, 12, 13]
