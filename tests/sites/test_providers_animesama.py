"""anime-sama through the real HTTP client against the fixture site."""

from __future__ import annotations

import pytest

from tests.fixture_site import provider_fixture
from webapp.sites.providers.animesama import AnimeSama
from webapp.sites.providers.animesama.parse import episode_names, is_plausible
from webapp.sites.providers.base import ProviderSettings
from webapp.sites.types import (
    AnimeRemoved,
    Conditional,
    LayoutChanged,
    SiteBlocked,
    SiteUnreachable,
)

NARUTO = "/catalogue/naruto-shippuden/saison1/vostfr/"
FRIEREN = "/catalogue/frieren/saison1/vostfr/"
SPEC_EPISODES_JS = """var eps1 = [
  'https://video.sibnet.ru/shell.php?videoid=1000001',
  'https://video.sibnet.ru/shell.php?videoid=1000002',
  'https://video.sibnet.ru/shell.php?videoid=',
];
var eps2 = ['https://vidmoly.to/embed-abc123def456.html', 'https://vidmoly.to/embed-.html'];
var eps3 = ['https://sendvid.com/embed/xyz789ab'];
"""


animesama = provider_fixture("animesama")


def numbers(listed) -> list[float]:
    return [e.number for e in listed.episodes]


def test_only_plausible_entries_count_and_players_keep_the_sites_order(
        fixture_site, site_client, animesama):
    fixture_site.set_page(NARUTO + "episodes.js", SPEC_EPISODES_JS,
                          content_type="application/javascript")
    listed = animesama.fetch_episodes(site_client, NARUTO, "vostfr")
    assert numbers(listed) == [1, 2]  # the third entry of eps1 is a placeholder
    first = listed.episodes[0]
    assert [p.url for p in first.players] == [
        "https://video.sibnet.ru/shell.php?videoid=1000001",
        "https://vidmoly.to/embed-abc123def456.html", "https://sendvid.com/embed/xyz789ab"]
    assert {p.kind for p in first.players} == {"embed"}
    assert [p.url for p in listed.episodes[1].players] == [
        "https://video.sibnet.ru/shell.php?videoid=1000002"]
    assert listed.title == "Naruto Shippuden" and listed.season == 1


def test_a_published_episode_appears_and_names_give_specials(fixture_site, site_client,
                                                             animesama):
    assert numbers(animesama.fetch_episodes(site_client, NARUTO, "vostfr")) == [1, 2]
    fixture_site.set_episodes(NARUTO, 5)
    listed = animesama.fetch_episodes(site_client, NARUTO, "vostfr")
    # creerListe(1, 3); newSP("3.5"); finirListe(4): the 4th entry is special 3.5
    assert numbers(listed) == [1, 2, 3, 3.5, 4]
    special = listed.episodes[3]
    assert special.special and special.title == "Épisode 3.5"


def test_films_are_season_zero_with_their_names(site_client, animesama):
    listed = animesama.fetch_episodes(site_client, "/catalogue/naruto-shippuden/film/vostfr/",
                                      "vostfr")
    assert listed.season == 0
    assert [(e.number, e.title) for e in listed.episodes] == [(1, "Film 1")]


def test_unchanged_episode_list_costs_one_request_and_no_parsing(fixture_site, site_client,
                                                                  animesama):
    first = animesama.fetch_episodes(site_client, FRIEREN, "vostfr")
    fixture_site.reset_counts()
    again = animesama.fetch_episodes(site_client, FRIEREN, "vostfr", first.validators)
    assert again.not_modified and again.episodes == ()
    assert fixture_site.hits(FRIEREN + "episodes.js") == 1 and fixture_site.hits(FRIEREN) == 0
    assert len(fixture_site.requests) == 1


def test_an_old_domain_url_is_fetched_from_the_base_url_in_force(fixture_site, site_client,
                                                                 animesama):
    source = animesama.normalise("https://anime-sama.si/catalogue/Frieren/saison1/vostfr")
    assert source.key == FRIEREN
    assert numbers(animesama.fetch_episodes(site_client, source.key, source.lang)) == [1, 2, 3]
    assert fixture_site.requests_for(FRIEREN + "episodes.js")[0].headers["Referer"] == \
        fixture_site.url + FRIEREN


def test_a_domain_change_is_followed_and_adopted(fixture_site, site_client, animesama):
    new_origin = fixture_site.move()
    listed = animesama.fetch_episodes(site_client, FRIEREN, "vostfr")
    assert numbers(listed) == [1, 2, 3]
    assert animesama.resolve_base_url(site_client) == new_origin
    fixture_site.reset_counts()
    animesama.fetch_episodes(site_client, FRIEREN, "vostfr")
    assert all(r.host.startswith("localhost:") for r in fixture_site.requests)


@pytest.mark.parametrize("body", [
    "var eps1 = ['https://video.sibnet.ru/shell.php?videoid=1',",  # cut short
    "console.log('nothing here');",
    "",
])
def test_malformed_episodes_js_is_a_layout_change(fixture_site, site_client, animesama, body):
    fixture_site.set_page(FRIEREN + "episodes.js", body, content_type="application/javascript")
    with pytest.raises(LayoutChanged, match="eps1, eps2"):
        animesama.fetch_episodes(site_client, FRIEREN, "vostfr")


def test_only_placeholders_is_zero_episodes_not_an_error(fixture_site, site_client, animesama):
    fixture_site.set_episodes(FRIEREN, 0, placeholders=3)
    listed = animesama.fetch_episodes(site_client, FRIEREN, "vostfr")
    assert listed.episodes == ()
    assert fixture_site.hits(FRIEREN) == 0  # no names needed


def test_html_where_the_js_was_expected_is_blocked(fixture_site, site_client, animesama):
    fixture_site.set_page(FRIEREN + "episodes.js", "<html><body>Maintenance</body></html>")
    with pytest.raises(SiteBlocked, match="HTML page where the episode list"):
        animesama.fetch_episodes(site_client, FRIEREN, "vostfr")


@pytest.mark.parametrize("status", [403, 503, 200])
def test_a_challenge_page_is_blocked_not_zero_episodes(fixture_site, site_client, animesama,
                                                       status):
    fixture_site.challenge("/catalogue/", status=status)
    with pytest.raises(SiteBlocked, match="anti-bot challenge"):
        animesama.fetch_episodes(site_client, FRIEREN, "vostfr")


def test_redesigned_site_is_a_layout_change(fixture_site, site_client, animesama):
    fixture_site.break_layout("/catalogue/")
    with pytest.raises(LayoutChanged):
        animesama.fetch_episodes(site_client, FRIEREN, "vostfr")
    with pytest.raises(LayoutChanged, match="titreOeuvre"):
        animesama.anime_info(site_client, FRIEREN, "vostfr")


def test_a_missing_language_is_removed(site_client, animesama):
    with pytest.raises(AnimeRemoved, match="HTTP 404"):
        animesama.fetch_episodes(site_client, "/catalogue/frieren/saison1/vf/", "vf")


def test_server_errors_and_timeouts_are_unreachable_after_retries(fixture_site, site_client,
                                                                  animesama):
    fixture_site.fail(FRIEREN, status=500)
    with pytest.raises(SiteUnreachable, match="tried 2 times") as exc:
        animesama.fetch_episodes(site_client, FRIEREN, "vostfr")
    assert exc.value.retryable and fixture_site.hits(FRIEREN + "episodes.js") == 2
    fixture_site.clear_rules()
    fixture_site.slow(FRIEREN, seconds=1.5)
    with pytest.raises(SiteUnreachable, match="did not answer"):
        animesama.fetch_episodes(site_client, FRIEREN, "vostfr")


def test_hub_info_strips_commented_template_lines(site_client, animesama):
    info = animesama.anime_info(site_client, NARUTO, "vostfr")
    assert info.title == "Naruto Shippuden"
    assert info.alt_titles == ("Naruto: Shippûden", "ナルト 疾風伝")
    assert info.poster_image == "https://cdn.example/naruto-shippuden.jpg"
    assert info.synopsis == "Deux ans et demi plus tard…"
    assert info.genres == ("Action", "Aventure", "Shonen")
    assert [label for label, _url in info.seasons] == ["Saison 1", "Saison 2", "Film"]
    assert info.seasons[1][1].endswith("/catalogue/naruto-shippuden/saison2/vostfr/")


def test_search_uses_the_catalogue(fixture_site, site_client, animesama):
    results = animesama.search(site_client, "sousou no")
    assert [(r.title, r.url) for r in results] == [
        ("Frieren", fixture_site.url + "/catalogue/frieren/")]
    assert results[0].langs == ("vostfr",) and results[0].genres == ("Fantasy", "Drame")
    assert fixture_site.hits("/template-php/defaut/fetch.php") == 0


def test_search_falls_back_to_the_quick_search(fixture_site, site_client, animesama):
    fixture_site.fail("/catalogue/", status=500)
    results = animesama.search(site_client, "naruto")
    assert [r.title for r in results] == ["Naruto Shippuden"]
    quick = fixture_site.requests_for("/template-php/defaut/fetch.php")
    assert quick[0].method == "POST" and quick[0].headers["X-Requested-With"] == "XMLHttpRequest"


def test_base_url_from_mirrors_then_portal(fixture_site, site_client):
    from tests.helpers import free_port

    dead = f"http://127.0.0.1:{free_port()}"
    provider = AnimeSama(settings=ProviderSettings(mirrors=(dead, fixture_site.url)))
    assert provider.resolve_base_url(site_client) == fixture_site.url
    assert fixture_site.hits("/portal/") == 0
    provider = AnimeSama(settings=ProviderSettings(portal_url=fixture_site.url + "/portal/"))
    fixture_site.portal_target = fixture_site.url.replace("127.0.0.1", "localhost") + "/"
    assert provider.resolve_base_url(site_client) == fixture_site.portal_target.rstrip("/")
    assert numbers(provider.fetch_episodes(site_client, FRIEREN, "vostfr")) == [1, 2, 3]


def test_no_base_url_answering_says_what_to_configure(site_client):
    from tests.helpers import free_port

    provider = AnimeSama(settings=ProviderSettings(
        portal_url=f"http://127.0.0.1:{free_port()}/"))
    with pytest.raises(SiteUnreachable, match="ANIMESAMA_BASE_URL"):
        provider.fetch_episodes(site_client, FRIEREN, "vostfr", Conditional())


@pytest.mark.parametrize("url, plausible", [
    ("https://video.sibnet.ru/shell.php?videoid=123", True),
    ("https://video.sibnet.ru/shell.php?videoid=", False),
    ("https://vidmoly.to/embed-.html", False),
    ("https://vidmoly.to/embed-x1y2.html", True),
    ("https://sendvid.com/embed/", False),
    ("https://sendvid.com/embed/abc", True),
    ("https://vk.com/video_ext.php?oid=&id=&hash=", False),
    ("https://vk.com/video_ext.php?oid=1&id=2&hash=3", True),
    ("", False), ("//video.sibnet.ru/shell.php?videoid=9", True), ("not a url", False),
])
def test_placeholder_recognition(url, plausible):
    assert is_plausible(url) is plausible


def test_episode_names_interpretation():
    names = episode_names('resetListe(); creerListe(1, 2); newSP("Spécial"); newSPF("Film"); '
                          "/* creerListe(50, 60); */ finirListe(3);", 6)
    assert [(n.number, n.title) for n in names] == [
        (1, None), (2, None), (2.5, "Épisode Spécial"), (3, "Film"), (4, None), (5, None)]
    assert [n.number for n in episode_names("<p>no script</p>", 3)] == [1, 2, 3]

