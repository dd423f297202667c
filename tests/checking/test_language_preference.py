"""Language preference through the real tick, check and download jobs on the fixture site:
an item with `langs: ["vf", "vostfr"]` takes each episode in the first language that has
it; when the VF of an episode already downloaded in VOSTFR arrives later, `keep_both`
keeps both files (the VF one with its ` [VF]` suffix), `replace` leaves only the VF one,
`ignore` leaves the VOSTFR one. Adding a language later does not fetch the old episodes
again."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.check_helpers import add_user
from tests.season_helpers import (
    HUB,
    S1,
    TITLE,
    add_item,
    download_all,
    downloads_of,
    later,
    setup_site,
    tick_and_work,
)
from webapp.extensions import db
from webapp.models import Source, WatchlistItem
from webapp.schemas import WatchlistItemUpdate
from webapp.watchlist.manager import WatchlistManager

VF = f"{HUB}saison1/vf/"
FOLDER = (TITLE, "Season 01")


def library(ctx) -> set[str]:
    """The file names in the anime's season folder."""
    folder = Path(ctx.config["DOWNLOAD_DIR"]).joinpath(*FOLDER)
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def name(episode: int, lang: str = "") -> str:
    return f"{TITLE} - S01E{episode:02d}{f' [{lang}]' if lang else ''}.mp4"


def first_round(ctx, site, redis_conn, upgrade: str) -> tuple[int, str]:
    """VOSTFR has episodes 1-3, VF only episode 1: 1 comes in VF, 2 and 3 in VOSTFR."""
    setup_site(ctx, site)
    site.set_episodes(S1, 3)
    site.add_show("animesama", VF, TITLE, episodes=1)
    alice = add_user("alice")
    item_id = add_item(alice, langs=["vf", "vostfr"], upgrade_language=upgrade)
    with later(0.01):                             # the item is due (created a moment ago)
        tick_and_work(redis_conn)
        download_all(redis_conn)
    assert library(ctx) == {name(1, "VF"), name(2), name(3)}
    assert {n: d.status for n, d in downloads_of(item_id).items()} == {
        1: "completed", 2: "completed", 3: "completed"}
    return alice, item_id


@pytest.mark.parametrize(("upgrade", "files", "episode_2_in"), [
    ("keep_both", {name(1, "VF"), name(2), name(2, "VF"), name(3)}, "vf"),
    ("replace", {name(1, "VF"), name(2, "VF"), name(3)}, "vf"),
    ("ignore", {name(1, "VF"), name(2), name(3)}, "vostfr"),
])
def test_a_vf_arriving_after_the_vostfr_follows_the_preference(ctx, fixture_site, redis_conn,
                                                               upgrade, files, episode_2_in):
    _alice, item_id = first_round(ctx, fixture_site, redis_conn, upgrade)
    fixture_site.publish_episode(VF)              # the VF of episode 2 comes out
    with later(1.1):
        tick_and_work(redis_conn)
        download_all(redis_conn)
        assert library(ctx) == files
        done = downloads_of(item_id)
        assert done[2].status == "completed"
        assert db.session.get(Source, done[2].source_id).lang == episode_2_in
        assert Path(done[2].path).name == name(2, "VF" if episode_2_in == "vf" else "")
    with later(2.2):                              # nothing more to do at the next check
        tick_and_work(redis_conn)
        download_all(redis_conn)
        assert library(ctx) == files


def test_adding_a_language_later_fetches_only_what_the_first_lacks(ctx, fixture_site,
                                                                   redis_conn):
    setup_site(ctx, fixture_site)                 # VOSTFR: episodes 1 and 2
    fixture_site.add_show("animesama", VF, TITLE, episodes=3)
    alice = add_user("alice")
    item_id = add_item(alice)
    with later(0.01):
        tick_and_work(redis_conn)
        download_all(redis_conn)
    assert library(ctx) == {name(1), name(2)}
    WatchlistManager(alice).update_item(item_id, WatchlistItemUpdate(langs=["vostfr", "vf"]))
    with later(1.1):
        tick_and_work(redis_conn)
        download_all(redis_conn)
        assert library(ctx) == {name(1), name(2), name(3, "VF")}
        db.session.expire_all()
        assert db.session.get(WatchlistItem, item_id).last_episode_downloaded == 3
