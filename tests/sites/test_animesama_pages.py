"""anime-sama's hub page, catalogue, quick search, episodes.js shapes, URLs and languages,
through the real HTTP client against the fixture site (SOURCES.md Part 1 §1, §3, §4, §5)."""

from __future__ import annotations

import pytest

from tests.fixture_site import provider_fixture
from tests.fixture_site.server import FIXTURES
from webapp.sites.providers.animesama import AnimeSama
from webapp.sites.providers.animesama.episodes import is_plausible
from webapp.sites.types import UrlError

animesama = provider_fixture("animesama")

FRIEREN = "/catalogue/frieren/saison1/vostfr/"
JS = "application/javascript"


def fixture(name: str) -> str:
    return (FIXTURES / "animesama" / name).read_text(encoding="utf-8")


def test_the_2026_hub_page(fixture_site, site_client, animesama):
    info = animesama.anime_info(site_client, "/catalogue/kaiju-no-8/saison1/vostfr/", "vostfr")
    assert info.title == "Kaiju No. 8"
    assert info.alt_titles == ("Kaijuu 8-gou", "Monster #8")
    assert info.poster_image == "https://cdn.example/poster.jpg"
    assert info.synopsis == "Un synopsis de test."
    assert info.genres == ("Action", "Science-fiction", "Shônen", "Kaiju", "Militaire",
                           "Comédie")
    # Not the template (commented or not), the function definition, nor the scans.
    assert info.seasons == (
        ("Saison 1", fixture_site.url + "/catalogue/kaiju-no-8/saison1/vostfr/"),)
    assert info.url == fixture_site.url + "/catalogue/kaiju-no-8/"


def test_the_hub_lists_parts_films_and_their_languages(fixture_site, site_client, animesama):
    snk = animesama.anime_info(site_client, "/catalogue/shingeki-no-kyojin/saison4/vostfr/",
                               "vostfr")
    assert [label for label, _url in snk.seasons] == ["Saison 4", "Saison 4 Partie 2"]
    naruto = animesama.anime_info(site_client, "/catalogue/naruto-shippuden/saison1/vf/", "vf")
    assert [label for label, _url in naruto.seasons] == ["Saison 1", "Saison 2", "Film"]
    assert naruto.langs == ("vf", "vostfr")


def test_the_2025_hub_page_still_parses(fixture_site, site_client, animesama):
    fixture_site.set_page("/catalogue/dr-stone/", fixture("hub_2025.html"))
    info = animesama.anime_info(site_client, "/catalogue/dr-stone/saison1/vostfr/", "vostfr")
    assert info.title == "Dr. Stone"
    assert info.alt_titles == ("Doctor Stone", "ドクターストーン")
    assert info.synopsis == "Senku se réveille dans un monde pétrifié."
    assert info.genres == ("Aventure", "Science-fiction", "Shônen")
    assert info.poster_image.endswith("/contenu/dr-stone.jpg")
    assert [(label, url.removeprefix(fixture_site.url)) for label, url in info.seasons] == [
        ("Saison 1", "/catalogue/dr-stone/saison1/vostfr/"),
        ("Saison 2", "/catalogue/dr-stone/saison2/vostfr/"),
        ("Saison 3 Partie 1", "/catalogue/dr-stone/saison3/vostfr/"),
        ("Saison 3 Partie 2", "/catalogue/dr-stone/saison3-2/vostfr/")]


def test_a_hub_without_title_markup_falls_back_to_the_page_title(fixture_site, site_client,
                                                                animesama):
    hub = fixture("hub.html")
    bare = (hub.replace('<h1 class="text-white text-2xl font-bold">$title</h1>', "")
            .replace('<img id="coverOeuvre" class="rounded" src="$poster" alt="$title">', "")
            .replace('<p id="synopsisText" class="text-sm text-gray-300">$synopsis</p>', ""))
    page = (bare.replace("$title", "Black Torch").replace("$poster", "https://cdn.example/bt.jpg")
            .replace("$synopsis", "Jiro parle aux animaux.").replace("$panels", "")
            .replace("$kai_section", "").replace("$genre_pills", "")
            .replace("$alt_titles", ""))
    fixture_site.set_page("/catalogue/black-torch/", page)
    info = animesama.anime_info(site_client, "/catalogue/black-torch/saison1/vostfr/", "vostfr")
    assert (info.title, info.poster_image, info.synopsis) == (
        "Black Torch", "https://cdn.example/bt.jpg", "Jiro parle aux animaux.")
    assert info.seasons == () and info.alt_titles == () and info.genres == ()


def test_catalogue_cards_of_2026(fixture_site, site_client, animesama):
    [kaiju] = animesama.search(site_client, "monster #8")
    assert (kaiju.title, kaiju.url) == ("Kaiju No. 8", fixture_site.url + "/catalogue/kaiju-no-8/")
    assert kaiju.alt_titles == ("Kaijuu 8-gou", "Monster #8")
    # Five genre tags and a "…" tag on the card; a var season has no flag.
    assert kaiju.genres == ("Action", "Science-fiction", "Shônen", "Kaiju", "Militaire")
    assert kaiju.langs == ("vostfr",)
    [naruto] = animesama.search(site_client, "shippûden")
    assert naruto.langs == ("vostfr", "vf")  # flags JP and FR
    assert fixture_site.hits("/template-php/defaut/fetch.php") == 0


def test_older_catalogue_cards_still_parse_and_scans_are_left_out(fixture_site, site_client,
                                                                  animesama):
    fixture_site.set_page("/catalogue/", fixture("catalogue_2025.html"))
    results = animesama.search(site_client, "")
    assert [(r.title, r.alt_titles, r.genres, r.langs) for r in results] == [
        ("Dr. Stone", ("Doctor Stone", "ドクターストーン"), ("Aventure", "Science-fiction"),
         ("vostfr", "vf")),
        ("Orange", ("Orenji",), ("Drame", "Romance"), ("vostfr",))]
    assert results[1].url == fixture_site.url + "/catalogue/orange/"


def test_the_quick_search_fragment_of_2026(fixture_site, site_client, animesama):
    fixture_site.fail("/catalogue/", status=500)
    [result] = animesama.search(site_client, "kaiju")
    assert (result.title, result.url) == ("Kaiju No. 8",
                                          fixture_site.url + "/catalogue/kaiju-no-8/")
    assert result.alt_titles == ("Kaijuu 8-gou", "Monster #8")
    assert result.poster_image == "https://cdn.example/poster.jpg"


def test_episodes_js_of_2026_in_any_order_with_comments(fixture_site, site_client, animesama):
    fixture_site.set_page(FRIEREN + "episodes.js", fixture("episodes_2026.js"), content_type=JS)
    listed = animesama.fetch_episodes(site_client, FRIEREN, "vostfr")
    assert [e.number for e in listed.episodes] == [1, 2, 3]  # the 4th is a placeholder
    assert [p.url for p in listed.episodes[0].players] == [
        "https://lpayer.embed4me.com/#3maxc", "https://ansembed.net/embed-8fgve1livt6b.html",
        "https://video.sibnet.ru/shell.php?videoid=6234425",
        "https://minochinos.com/embed/y11mm0nwzhj6"]
    assert [p.url for p in listed.episodes[2].players] == ["https://lpayer.embed4me.com/#q7r2k"]


def test_episodes_only_on_the_embed4me_player_count(fixture_site, site_client, animesama):
    fixture_site.set_page(FRIEREN + "episodes.js", fixture("episodes_lpayer.js"),
                          content_type=JS)
    listed = animesama.fetch_episodes(site_client, FRIEREN, "vostfr")
    assert [(e.number, e.players[0].url) for e in listed.episodes] == [
        (1, "https://lpayer.embed4me.com/#ia5qn"), (2, "https://lpayer.embed4me.com/#cufsv"),
        (3, "https://lpayer.embed4me.com/#sat5e")]


def test_the_seeded_players_are_the_2026_set_with_sibnet_kept(site_client, animesama):
    listed = animesama.fetch_episodes(site_client, FRIEREN, "vostfr")
    hosts = [p.url.split("/")[2] for p in listed.episodes[0].players]
    assert hosts == ["lpayer.embed4me.com", "ansembed.net", "video.sibnet.ru"]
    assert all("video.sibnet.ru" in p.url for e in listed.episodes for p in e.players[-1:])


def test_the_arabic_language_var_is_accepted(site_client, animesama):
    source = animesama.normalise("https://anime-sama.to/catalogue/kaiju-no-8/saison1/var/")
    assert (source.key, source.lang) == ("/catalogue/kaiju-no-8/saison1/var/", "var")
    for lang in ("vostfr", "vf", "vj", "var", "vcn", "vqc", "vkr", "va", "vf1", "vf2"):
        assert animesama.normalise("https://anime-sama.to" + FRIEREN, lang).lang == lang
    with pytest.raises(UrlError, match="Unknown anime-sama language 'vo'"):
        animesama.normalise("https://anime-sama.to" + FRIEREN, "vo")
    listed = animesama.fetch_episodes(site_client, source.key, source.lang)
    assert [e.number for e in listed.episodes] == [1, 2, 3]


@pytest.mark.parametrize("folder, season", [
    ("saison1", 1), ("saison4-2", 4), ("saison3-2", 3), ("saison2-1", 2), ("saison1hs", 0),
    ("saison11hs", 0), ("kai", 1), ("kai2", 2), ("kaihs", 0), ("film", 0), ("film1", 0),
    ("film2", 0), ("oav", 0), ("scan", 1),
])
def test_library_season_of_each_folder(folder, season):
    assert AnimeSama.library_season(f"/catalogue/x/{folder}/vostfr/") == season


@pytest.mark.parametrize("url, plausible", [
    ("https://lpayer.embed4me.com/#3maxc", True),
    ("https://lpayer.embed4me.com/#", False),
    ("https://lpayer.embed4me.com/", False),
    ("https://ansembed.net/embed-8fgve1livt6b.html", True),
    ("https://ansembed.net/embed-.html", False),
    ("https://video.sibnet.ru/shell.php?videoid=123", True),
    ("https://video.sibnet.ru/shell.php?videoid=", False),
    ("https://vidmoly.to/embed-.html", False),
    ("https://sendvid.com/embed/", False),
    ("https://sendvid.com/embed/abc", True),
    ("https://vk.com/video_ext.php?oid=&id=&hash=", False),
    ("https://vk.com/video_ext.php?oid=1&id=2&hash=3", True),
    ("https://minochinos.com/embed/y11mm0nwzhj6", True),
    ("", False), ("//video.sibnet.ru/shell.php?videoid=9", True), ("not a url", False),
])
def test_placeholder_recognition(url, plausible):
    assert is_plausible(url) is plausible
