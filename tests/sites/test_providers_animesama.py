"""anime-sama through the real HTTP client against the fixture site: fetching, errors, domains.

Names and numbering: test_animesama_naming.py; hub, catalogue and URLs:
test_animesama_pages.py.
"""

from __future__ import annotations

import pytest

from tests.fixture_site import provider_fixture
from webapp.sites.providers.animesama import AnimeSama
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
    assert special.special and special.title == "Episode 3.5"
    assert special.library_season is None  # a decimal special stays in its season (S01E3.5)


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


def test_episodes_js_is_asked_with_the_season_pages_filever(fixture_site, site_client,
                                                            animesama):
    filever = str(int(fixture_site.show(FRIEREN).modified_at) % 10000)
    first = animesama.fetch_episodes(site_client, FRIEREN, "vostfr")
    # Nothing known yet: plain episodes.js, then the page, then the page's own URL.
    assert [r.query for r in fixture_site.requests_for(FRIEREN + "episodes.js")] == [
        "", f"filever={filever}"]
    fixture_site.publish_episode(FRIEREN)
    fixture_site.reset_counts()
    listed = animesama.fetch_episodes(site_client, FRIEREN, "vostfr", first.validators)
    assert numbers(listed) == [1, 2, 3, 4]
    new_filever = str(int(fixture_site.show(FRIEREN).modified_at) % 10000)
    assert [r.query for r in fixture_site.requests_for(FRIEREN + "episodes.js")] == [
        f"filever={filever}", f"filever={new_filever}"]
    assert fixture_site.hits(FRIEREN) == 1
    fixture_site.reset_counts()
    assert animesama.fetch_episodes(site_client, FRIEREN, "vostfr",
                                    listed.validators).not_modified
    assert [(r.path, r.query) for r in fixture_site.requests] == [
        (FRIEREN + "episodes.js", f"filever={new_filever}")]


def test_a_page_without_filever_loads_the_bare_episodes_js(fixture_site, site_client,
                                                          animesama):
    key = "/catalogue/blue-lock/saison1/vostfr/"
    fixture_site.add_show("animesama", key, "Blue Lock", episodes=2,
                          options={"filever": False})
    assert numbers(animesama.fetch_episodes(site_client, key, "vostfr")) == [1, 2]
    assert [r.query for r in fixture_site.requests_for(key + "episodes.js")] == [""]


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
])
def test_malformed_episodes_js_is_a_layout_change(fixture_site, site_client, animesama, body):
    fixture_site.set_page(FRIEREN + "episodes.js", body, content_type="application/javascript")
    with pytest.raises(LayoutChanged, match="eps1, eps2"):
        animesama.fetch_episodes(site_client, FRIEREN, "vostfr")


@pytest.mark.parametrize("body", ["//", "//\n", "", "\n  // \n"])
def test_an_empty_episodes_js_means_the_season_is_not_on_the_site(fixture_site, site_client,
                                                                  animesama, body):
    fixture_site.set_page(FRIEREN + "episodes.js", body, content_type="application/javascript")
    with pytest.raises(AnimeRemoved, match="not on the site"):
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
    with pytest.raises(LayoutChanged, match="layout has changed"):
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
