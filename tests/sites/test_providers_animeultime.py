"""anime-ultime (ISO-8859-1 pages, playlist, DDL wait) against the fixture site."""

from __future__ import annotations

import time

import pytest

from tests.fixture_site import provider_fixture
from webapp.sites.types import LayoutChanged, Player

NANOHA = "/file-0-1/1234/Nanoha-A-s-vostfr"


animeultime = provider_fixture("animeultime")


def test_series_rows_and_playlist_give_direct_files(fixture_site, site_client, animeultime):
    listed = animeultime.fetch_episodes(site_client, NANOHA, "vostfr")
    assert [e.number for e in listed.episodes] == [1, 2, 3]
    assert listed.title == "Magical Girl Lyrical Nanoha A's"
    players = listed.episodes[0].players
    assert [(p.kind, p.quality, p.url) for p in players] == [
        ("file", "HD", fixture_site.url + "/stream-174348.mp4"),
        ("file", "SD", fixture_site.url + "/stream-74348.mp4")]


def test_unchanged_series_page_costs_one_request(fixture_site, site_client, animeultime):
    first = animeultime.fetch_episodes(site_client, NANOHA, "vostfr")
    fixture_site.reset_counts()
    assert animeultime.fetch_episodes(site_client, NANOHA, "vostfr",
                                      first.validators).not_modified
    assert len(fixture_site.requests) == 1


def test_without_playlist_the_episode_page_og_video_is_used(fixture_site, site_client,
                                                           animeultime):
    fixture_site.fail("/playlist-1234.xml", status=404)
    listed = animeultime.fetch_episodes(site_client, NANOHA, "vostfr")
    page_player = listed.episodes[1].players[0]
    assert page_player.kind == "page" and "/info-0-1/24349/" in page_player.url
    assert animeultime.expand_player(site_client, page_player) == [
        Player(url=fixture_site.url + "/stream-74349.mp4", kind="file", label="Anime-Ultime")]


def test_iso_8859_1_text_is_read_correctly(site_client, animeultime):
    info = animeultime.anime_info(site_client, NANOHA, "vostfr")
    assert info.synopsis == "Six mois après... la fée héroïque."
    assert [r.title for r in animeultime.search(site_client, "imoto")] == [
        "Ore no Imôto ga Konna ni"]


def test_ddl_wait_is_honoured_by_sleeping(fixture_site, site_client, animeultime):
    fixture_site.ddl_wait = 0.4
    started = time.monotonic()
    link = animeultime.ddl_link(site_client, 24348)
    assert time.monotonic() - started >= 0.4
    assert link == fixture_site.url + "/ddl/24348/orig/Magical Girl Lyrical Nanoha A's - 01.avi"
    posts = fixture_site.requests_for("/ddl/authorized_download.php")
    assert len(posts) == 2 and posts[1].at - posts[0].at >= 0.4  # one wait, no busy loop
    with site_client.open_stream(link) as resp:
        assert resp.status_code == 200 and resp.content


def test_redesign_is_a_layout_change(fixture_site, site_client, animeultime):
    fixture_site.break_layout("/file-0-1/")
    with pytest.raises(LayoutChanged):
        animeultime.fetch_episodes(site_client, NANOHA, "vostfr")


def test_catalogue_rows_named_only_by_their_image_title(fixture_site, site_client,
                                                         animeultime):
    from bs4 import BeautifulSoup

    with site_client.open_stream(fixture_site.url_for("/series-0-1/anime/0-")) as resp:
        soup = BeautifulSoup(resp.content, "lxml")
    links = soup.select("table.jtable a")
    assert links and all(not a.get_text(strip=True) and not a.get("title") for a in links)
    results = animeultime.search(site_client, "nanoha")
    assert [(r.title, r.url, r.poster_image) for r in results] == [
        ("Magical Girl Lyrical Nanoha A's", fixture_site.url + NANOHA,
         "https://cdn.example/poster.jpg")]
