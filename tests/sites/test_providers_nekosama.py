"""neko-sama through the real HTTP client against the fixture site."""

from __future__ import annotations

import pytest

from tests.fixture_site import provider_fixture
from webapp.sites.types import AnimeRemoved, LayoutChanged, SiteBlocked, SiteUnreachable

SLIME = "/anime/info/9520-tensei-shitara-slime-datta-ken_vostfr"


nekosama = provider_fixture("nekosama")


def test_episodes_come_from_the_var_episodes_list(fixture_site, site_client, nekosama):
    listed = nekosama.fetch_episodes(site_client, SLIME, "vostfr")
    assert [e.number for e in listed.episodes] == [1, 2, 3]
    assert listed.title == "Tensei Shitara Slime Datta Ken"
    player = listed.episodes[1].players[0]
    assert player.kind == "page"
    assert player.url == fixture_site.url + \
        "/anime/episode/9520-tensei-shitara-slime-datta-ken-02_vostfr"
    fixture_site.publish_episode(SLIME)
    again = nekosama.fetch_episodes(site_client, SLIME, "vostfr", listed.validators)
    assert [e.number for e in again.episodes] == [1, 2, 3, 4]


def test_an_unchanged_page_is_a_304(site_client, nekosama, fixture_site):
    first = nekosama.fetch_episodes(site_client, SLIME, "vostfr")
    assert nekosama.fetch_episodes(site_client, SLIME, "vostfr", first.validators).not_modified
    assert fixture_site.hits(SLIME) == 2


def test_episode_page_players_are_the_video_array(site_client, nekosama):
    listed = nekosama.fetch_episodes(site_client, SLIME, "vostfr")
    players = nekosama.expand_player(site_client, listed.episodes[0].players[0])
    assert [p.url for p in players] == ["https://fusevideo.io/f/u/9520001",
                                        "https://pstream.net/e/9520001",
                                        "https://streamtape.com/e/9520001"]
    assert all(p.kind == "embed" and dict(p.headers)["Referer"] for p in players)


def test_search_filters_both_language_indexes(fixture_site, site_client, nekosama):
    results = nekosama.search(site_client, "tensei slime")
    assert [(r.url.rsplit("/", 1)[-1], r.langs) for r in results] == [
        ("9520-tensei-shitara-slime-datta-ken_vostfr", ("vostfr",)),
        ("9520-tensei-shitara-slime-datta-ken_vf", ("vf",))]
    assert nekosama.search(site_client, "hunter")[0].title == "Hunter x Hunter (2011)"
    assert nekosama.search(site_client, "nothing like this") == []


def test_anime_info(site_client, nekosama):
    info = nekosama.anime_info(site_client, SLIME, "vostfr")
    assert info.title == "Tensei Shitara Slime Datta Ken"
    assert info.synopsis == "Un synopsis de test." and info.genres == ("Isekai",)
    assert info.poster_image == "https://cdn.example/poster.jpg"


def test_failures(fixture_site, site_client, nekosama):
    with pytest.raises(AnimeRemoved):
        nekosama.fetch_episodes(site_client, "/anime/info/1-gone_vostfr", "vostfr")
    fixture_site.break_layout("/anime/")
    with pytest.raises(LayoutChanged, match="var episodes"):
        nekosama.fetch_episodes(site_client, SLIME, "vostfr")
    fixture_site.clear_rules()
    fixture_site.set_page(SLIME, "<script>var episodes = [{'broken': </script>")
    with pytest.raises(LayoutChanged):
        nekosama.fetch_episodes(site_client, SLIME, "vostfr")
    fixture_site.clear_rules()
    fixture_site.challenge("/anime/")
    with pytest.raises(SiteBlocked):
        nekosama.fetch_episodes(site_client, SLIME, "vostfr")
    fixture_site.clear_rules()
    fixture_site.fail("/animes-search", status=502)
    with pytest.raises(SiteUnreachable):
        nekosama.search(site_client, "slime")


@pytest.mark.parametrize("style", ["bare", "push"])
def test_video_array_filled_without_indexes(fixture_site, site_client, nekosama, style):
    key = "/anime/info/4000-mushishi_vostfr"
    fixture_site.add_show("nekosama", key, "Mushishi", episodes=2,
                          options={"video_style": style})
    listed = nekosama.fetch_episodes(site_client, key, "vostfr")
    page = listed.episodes[1].players[0]
    with site_client.open_stream(page.url) as resp:  # the page really has that shape
        assert ("video.push('" if style == "push" else "video[] = '") in resp.text
    assert [p.url for p in nekosama.expand_player(site_client, page)] == [
        "https://fusevideo.io/f/u/4000002", "https://pstream.net/e/4000002",
        "https://streamtape.com/e/4000002"]


def test_video_array_in_index_order_and_mixed_forms(fixture_site, site_client, nekosama):
    listed = nekosama.fetch_episodes(site_client, SLIME, "vostfr")
    page = listed.episodes[0].players[0]
    fixture_site.set_page(page.url.removeprefix(fixture_site.url), (
        "<script>\n  var video = [];\n  video[1] = 'https://pstream.net/e/b';\n"
        "  video[0] = \"https://fusevideo.io/f/u/a\";\n  video.push('https://streamtape.com/e/c');"
        "\n  video[3] = '';\n  $('#un_episode').attr('src', video[0]);\n</script>"))
    assert [p.url for p in nekosama.expand_player(site_client, page)] == [
        "https://fusevideo.io/f/u/a", "https://pstream.net/e/b", "https://streamtape.com/e/c"]
    fixture_site.set_page(page.url.removeprefix(fixture_site.url),
                          "<script>var video = [];</script>")
    with pytest.raises(LayoutChanged, match="lists no players"):
        nekosama.expand_player(site_client, page)
