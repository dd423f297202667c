"""New seasons through the real tick, hub read, check and download jobs on the fixture site:
the anime page's first read only learns its seasons; a season that appears later is added
(and downloaded) for an item that says `add`, offered to one that says `notify`, ignored
for `off`, once per user and never for another user; an unchanged page costs a 304; a page
that cannot be read records why and changes nothing else."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.check_helpers import add_user
from tests.season_helpers import (
    FILM,
    HUB,
    S1,
    S2,
    TITLE,
    add_item,
    download_all,
    downloads_of,
    hub,
    items_of,
    later,
    read_pages,
    season_events,
    setup_site,
    tick_and_work,
)
from webapp.clock import utcnow

NO_PANELS = ('<html><body><div class="oeuvre-right"><h1>Mushoku Tensei</h1></div><script>'
             'function panneauAnime(nom, url){}\npanneauAnime("nom", "url");</script>'
             '</body></html>')


def test_first_read_learns_then_a_new_season_is_added_offered_or_ignored(ctx, fixture_site,
                                                                          redis_conn):
    setup_site(ctx, fixture_site)
    alice, bob, carol = add_user("alice"), add_user("bob"), add_user("carol")
    mine = add_item(alice, follow_new_seasons="add", quality_preference="720p", notify=False,
                    langs=["vostfr", "vf"], upgrade_language="replace")
    also_mine = add_item(alice, key="/catalogue/frieren/saison1/vostfr/")  # another anime
    add_item(bob)                                         # notify, the default
    add_item(carol, follow_new_seasons="off")

    # the items' checks and the pages' first reads: one page of the site a minute
    read = [tick_and_work(redis_conn).hub_reads for _ in range(3)]
    assert sorted(len(r) for r in read) == [0, 1, 1] and read[0] != read[1]
    assert hub().seasons == [{"name": "Saison 1", "key": S1}] and hub().title == TITLE
    assert hub().last_error is None and hub().last_checked_at is not None
    assert all(season_events(u) == [] for u in (alice, bob, carol))
    assert items_of(alice)[S1].source.hub_id == hub().id
    assert tick_and_work(redis_conn).hub_reads == []      # read: not due again today

    with later(1.1):                             # a day later, the page has not changed
        assert len(read_pages(redis_conn)) == 2
        asked = fixture_site.requests_for(HUB)[-1]
        assert asked.headers.get("If-None-Match")          # conditional: a 304, nothing new
        assert all(season_events(u) == [] for u in (alice, bob, carol))

    fixture_site.add_show("animesama", S2, TITLE, episodes=3)
    with later(2.2):
        read_pages(redis_conn)                   # the page lists season 2 for the first time
        assert [s["key"] for s in hub().seasons] == [S1, S2]

        added = items_of(alice)[S2]
        assert (added.anime_title, added.lang, added.langs, added.quality_preference,
                added.auto_download, added.notify, added.follow_new_seasons,
                added.upgrade_language, added.status) == (
            f"{TITLE} (Saison 2)", "vostfr", ["vostfr", "vf"], "720p", True, False, "add",
            "replace", "active")
        ((item_id, message, data),) = season_events(alice)
        assert item_id == mine and message == (
            f"New season of {TITLE}: Saison 2, added to your watchlist.")
        assert (data["season"], data["key"], data["action"], data["new_item_id"]) == (
            "Saison 2", S2, "added", added.id)
        assert set(items_of(alice)) == {S1, S2, "/catalogue/frieren/saison1/vostfr/"}
        assert also_mine in {i.id for i in items_of(alice).values()}

        ((bob_item, bob_message, bob_data),) = season_events(bob)
        assert bob_item == items_of(bob)[S1].id and bob_data["action"] == "notify"
        assert "Saison 2" in bob_message and set(items_of(bob)) == {S1}   # only offered
        assert season_events(carol) == [] and set(items_of(carol)) == {S1}

    with later(2.3):
        tick_and_work(redis_conn)                # the added season's first check
        download_all(redis_conn)
        done = downloads_of(items_of(alice)[S2].id)
        assert {n: d.status for n, d in done.items()} == {1: "completed", 2: "completed",
                                                          3: "completed"}
        assert Path(done[3].path).parts[-2:] == ("Season 02", f"{TITLE} - S02E03.mp4")

    with later(3.3):                             # season 2 is known now: nothing new again
        read_pages(redis_conn)
        assert len(season_events(alice)) == 1 and len(season_events(bob)) == 1


def test_a_film_is_a_season_too_and_the_added_season_follows_the_page(ctx, fixture_site,
                                                                     redis_conn):
    setup_site(ctx, fixture_site)
    alice = add_user("alice")
    add_item(alice, follow_new_seasons="add")
    tick_and_work(redis_conn)
    fixture_site.add_show("animesama", FILM, TITLE, episodes=1, placeholders=0,
                          options={"names": 'resetListe(); newSPF("Le film");'})
    with later(1.1):
        tick_and_work(redis_conn)
        film = items_of(alice)[FILM]
        assert film.anime_title == f"{TITLE} (Film)"
        film_id = film.id
    with later(1.2):
        tick_and_work(redis_conn)                # its check (and link to the page)
        download_all(redis_conn)
        (done,) = downloads_of(film_id).values()
        assert done.status == "completed"
        assert Path(done.path).parts[-2:] == ("Specials", f"{TITLE} - S00E01 - Le film.mp4")
    fixture_site.add_show("animesama", S2, TITLE, episodes=1)
    with later(2.2):
        tick_and_work(redis_conn)
        # one new season, one action for the user, though two of her items follow the page
        assert [d["season"] for _i, _m, d in season_events(alice)] == ["Film", "Saison 2"]
        assert set(items_of(alice)) == {S1, FILM, S2}


def test_a_page_that_cannot_be_read_records_why_and_changes_nothing_else(ctx, fixture_site,
                                                                        redis_conn, caplog):
    setup_site(ctx, fixture_site)
    alice = add_user("alice")
    mine = add_item(alice)
    tick_and_work(redis_conn)
    fixture_site.add_show("animesama", S2, TITLE, episodes=1)
    fixture_site.set_page(HUB, "<h1>Error 500</h1>", status=500)
    with later(1.1):
        tick_and_work(redis_conn)
        assert "not working properly" in hub().last_error
        assert hub().seasons == [{"name": "Saison 1", "key": S1}]
        assert season_events(alice) == []
        s1 = items_of(alice)[S1]                             # the item's checks go on
        assert s1.last_error is None and s1.last_success_at > utcnow() - timedelta(hours=1)
        assert tick_and_work(redis_conn).hub_reads == []     # retried hours later, not now

    fixture_site.set_page(HUB, NO_PANELS)     # a redesign: the title, but no season panel
    with later(1.5):
        tick_and_work(redis_conn)
        assert "layout" in hub().last_error
        assert any("lists no season" in r.getMessage() for r in caplog.records
                   if r.levelname == "WARNING")
        assert hub().seasons == [{"name": "Saison 1", "key": S1}]   # not "no seasons"
        assert season_events(alice) == []

    fixture_site.clear_rules()
    with later(2):
        tick_and_work(redis_conn)                # readable again: season 2 is still news
        assert hub().last_error is None
        ((item_id, _message, data),) = season_events(alice)
        assert item_id == mine and data["action"] == "notify" and data["key"] == S2
