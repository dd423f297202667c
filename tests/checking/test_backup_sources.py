"""Backup sources through the real tick, check and download jobs on the fixture site: a due
item's backup source is claimed with it; an episode the first source lacks comes from the
backup into the same library folder; a source that breaks falls over to the next one and
its error is kept on the item's source list; a failed download moves on to the next source
that lists the episode."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import update

from tests.check_helpers import add_user, claim_due_sources, new_show
from tests.season_helpers import (
    S1,
    TITLE,
    add_item,
    download_all,
    downloads_of,
    later,
    setup_site,
    tick_and_work,
)
from webapp.checking.checker import EpisodeChecker
from webapp.clock import utcnow
from webapp.downloading.control import request_episode
from webapp.extensions import db
from webapp.models import Download, Source, WatchlistItem
from webapp.schemas import ItemSourceCreate
from webapp.watchlist.episodes import episode_states
from webapp.watchlist.item_sources import ItemSources


def with_backup(user_id: int, site, name: str = "mirror", episodes: int = 3,
                **fields: Any) -> tuple[str, str]:
    """Alice's anime-sama item with a directory of the site as its backup source."""
    item_id = add_item(user_id, **fields)
    url = new_show(site, name, episodes=episodes)
    ItemSources(user_id).add(item_id, ItemSourceCreate(anime_url=url,
                                                       provider_id="directory"))
    return item_id, url


def source_ids(item_id: str) -> list[int]:
    return [s["id"] for s in ItemSources(item_of(item_id).user_id).list(item_id)]


def item_of(item_id: str) -> WatchlistItem:
    db.session.expire_all()
    return db.session.get(WatchlistItem, item_id)


def relative(path: str, root: str) -> tuple[str, ...]:
    return Path(path).relative_to(Path(root).resolve()).parts


def test_a_due_items_backup_source_is_claimed_with_it(ctx, fixture_site):
    setup_site(ctx, fixture_site)
    alice = add_user("alice")
    item_id, _url = with_backup(alice, fixture_site)
    own, backup = source_ids(item_id)
    assert claim_due_sources(utcnow()) == [own, backup]
    assert claim_due_sources(utcnow()) == []                  # claimed: not twice
    db.session.execute(update(Source).values(check_claimed_until=None))
    db.session.execute(update(WatchlistItem).values(next_check_at=utcnow().replace(
        year=2100)))
    db.session.commit()
    assert claim_due_sources(utcnow()) == []                  # not due: neither


def test_an_episode_the_first_source_lacks_comes_from_the_backup(ctx, fixture_site,
                                                                 redis_conn):
    setup_site(ctx, fixture_site)                 # season 1 has episodes 1 and 2
    alice = add_user("alice")
    item_id, url = with_backup(alice, fixture_site, episodes=3)
    own, backup = source_ids(item_id)
    tick_and_work(redis_conn)
    download_all(redis_conn)

    done = downloads_of(item_id)
    assert {n: (d.source_id, d.status) for n, d in done.items()} == {
        1: (own, "completed"), 2: (own, "completed"), 3: (backup, "completed")}
    root = ctx.config["DOWNLOAD_DIR"]
    assert relative(done[1].path, root) == (TITLE, "Season 01", f"{TITLE} - S01E01.mp4")
    assert relative(done[3].path, root) == (TITLE, "Season 01", f"{TITLE} - S01E03.mkv")
    item = item_of(item_id)
    assert (item.last_episode_available, item.last_episode_downloaded) == (3, 3)

    # the first source breaks: the next episode the backup lists comes from it
    fixture_site.fail(S1, 500)
    fixture_site.publish_episode(url.split(fixture_site.url, 1)[1])
    with later(1.1):
        tick_and_work(redis_conn)
        download_all(redis_conn)
        done = downloads_of(item_id)
        assert (done[4].source_id, done[4].status) == (backup, "completed")
        assert relative(done[4].path, root)[:2] == (TITLE, "Season 01")
        listed = ItemSources(alice).list(item_id)
        assert listed[0]["last_error"] and listed[1]["last_error"] is None
        assert item_of(item_id).last_episode_available == 4

    # then the backup breaks too: its error shows on the item's source list
    fixture_site.fail("/dir/", 404)
    with later(2.2):
        tick_and_work(redis_conn)
        listed = ItemSources(alice).list(item_id)
        assert "404" in listed[1]["last_error"] or "not found" in listed[1]["last_error"]


def test_a_failed_download_moves_on_to_the_next_source(ctx, fixture_site, redis_conn):
    setup_site(ctx, fixture_site)
    alice = add_user("alice")
    item_id, _url = with_backup(alice, fixture_site, episodes=2)
    own, backup = source_ids(item_id)
    EpisodeChecker().check_source(own)            # the first source only: 1 and 2 from it
    db.session.execute(update(Download).values(status="failed", error="players gone"))
    db.session.commit()
    EpisodeChecker().check_source(backup)         # the backup lists them: tried there now
    assert {n: (d.source_id, d.status) for n, d in downloads_of(item_id).items()} == {
        1: (backup, "pending"), 2: (backup, "pending")}
    download_all(redis_conn)
    assert {d.status for d in downloads_of(item_id).values()} == {"completed"}
    EpisodeChecker().check_source(own)            # nothing is pulled back
    assert {d.source_id for d in downloads_of(item_id).values()} == {backup}


def test_an_item_without_backups_is_untouched_by_another_items_backup(ctx, fixture_site,
                                                                      redis_conn):
    setup_site(ctx, fixture_site)
    alice, bob = add_user("alice"), add_user("bob")
    item_id, _url = with_backup(alice, fixture_site, episodes=3)
    plain = add_item(bob)
    tick_and_work(redis_conn)
    assert sorted(downloads_of(plain)) == [1, 2]
    assert item_of(plain).last_episode_available == 2
    assert sorted(downloads_of(item_id)) == [1, 2, 3]


def test_the_episode_list_and_a_download_by_hand_take_in_the_backups(ctx, fixture_site,
                                                                     redis_conn):
    setup_site(ctx, fixture_site)                 # season 1 has episodes 1 and 2
    alice = add_user("alice")
    item_id, _url = with_backup(alice, fixture_site, episodes=3, auto_download=False)
    own, backup = source_ids(item_id)
    tick_and_work(redis_conn)

    listed = episode_states(item_of(item_id))
    assert [(e["number"], e["source_id"], e["download"]) for e in listed] == [
        (1, own, None), (2, own, None), (3, backup, None)]

    download = request_episode(alice, item_id, 3)     # only the backup lists it
    assert download.source_id == backup
    download_all(redis_conn)
    assert (downloads_of(item_id)[3].status, downloads_of(item_id)[3].source_id) == (
        "completed", backup)
