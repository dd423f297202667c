"""anime-sama episode names and numbers: the season page's naming blocks (SOURCES.md Part 1
§2.3–2.4) and `saisonN-M` parts (§5), through the real HTTP client and the fixture site."""

from __future__ import annotations

from tests.fixture_site import provider_fixture
from webapp.sites.providers.animesama import AnimeSama

animesama = provider_fixture("animesama")

KAIJU = "/catalogue/kaiju-no-8/saison1/vostfr/"
DBS_FILMS = "/catalogue/dragon-ball-super/film/vostfr/"
SNK_4_2 = "/catalogue/shingeki-no-kyojin/saison4-2/vostfr/"
ONE_PIECE = "/catalogue/one-piece/saison11/vostfr/"
FINIR_LISTE_OP = """function finirListeOP(debut){
  for (var i = debut; i <= 1088+(tailleEpisodes-epRetards); i++) {
    $("#selectEpisodes").append("<option>Episode " + i + "</option>");
  }
}"""


def listing(episodes) -> list[tuple]:
    return [(e.number, e.title, e.special, e.library_season, e.library_number)
            for e in episodes]


def add_season(site, key: str, episodes: int, names: str, **options) -> None:
    site.add_show("animesama", key, "Test", episodes=episodes, placeholders=0,
                  options={"names": names, **options})


def test_the_worked_example_keeps_the_sites_order_and_files_named_specials_in_s00(
        fixture_site, site_client, animesama):
    key = "/catalogue/exemple/saison1/vostfr/"
    add_season(fixture_site, key, 8,
               'resetListe(); creerListe(1,3); newSP(4); newSPF("OAV"); finirListe(4);')
    listed = animesama.fetch_episodes(site_client, key, "vostfr")
    # The site shows: Episode 1, 2, 3, Episode 4, OAV, Episode 4, 5, 6.
    assert listing(listed.episodes) == [
        (1, None, False, None, None), (2, None, False, None, None),
        (3, None, False, None, None),
        (3.01, "Episode 4", True, 0, 1), (3.02, "OAV", True, 0, 2),
        (4, None, False, None, None), (5, None, False, None, None),
        (6, None, False, None, None)]
    assert listed.season == 1


def test_a_decimal_special_stays_in_its_season_and_a_named_one_goes_to_s00(
        site_client, animesama):
    listed = animesama.fetch_episodes(site_client, KAIJU, "vostfr")
    assert [e.number for e in listed.episodes] == [*range(1, 13), 12.5, 12.51, 13]
    assert listing(listed.episodes[12:14]) == [
        (12.5, "Episode 12.5", True, None, None),
        (12.51, "Hoshina's Day Off", True, 0, 1)]
    assert listed.title == "Kaiju No. 8"  # h3#titreOeuvre keeps a trailing space on the site


def test_film_pages_number_their_newspf_names_in_order(site_client, animesama):
    listed = animesama.fetch_episodes(site_client, DBS_FILMS, "vostfr")
    assert listed.season == 0
    assert [(e.number, e.title, e.special) for e in listed.episodes] == [
        (1, "Broly", True), (2, "Super Hero", True)]


def test_finir_liste_op_reads_the_offset_of_its_inline_definition(fixture_site, site_client,
                                                                  animesama):
    names = ('resetListe(); creerListe(1089, 1092); newSPF("EggHead SP 1"); '
             "finirListeOP(1093);")
    add_season(fixture_site, ONE_PIECE, 10, names, script=FINIR_LISTE_OP)
    listed = animesama.fetch_episodes(site_client, ONE_PIECE, "vostfr")
    assert listed.episodes[0].number == 1089
    assert listing(listed.episodes[4:5]) == [(1092.01, "EggHead SP 1", True, 0, 1)]
    assert [e.number for e in listed.episodes][5:] == [1093, 1094, 1095, 1096, 1097]
    assert len(listed.episodes) == 10  # one label per entry


def test_finir_liste_op_without_its_definition_fills_the_remaining_entries(
        fixture_site, site_client, animesama):
    add_season(fixture_site, ONE_PIECE, 6, 'resetListe(); newSPF("EggHead SP 1"); '
                                           "finirListeOP(1089);")
    listed = animesama.fetch_episodes(site_client, ONE_PIECE, "vostfr")
    assert [e.number for e in listed.episodes] == [0.01, 1089, 1090, 1091, 1092, 1093]


def test_the_generic_block_alone_numbers_from_one(site_client, fixture_site, animesama):
    listed = animesama.fetch_episodes(site_client, "/catalogue/kaiju-no-8/saison1/var/", "var")
    assert [(e.number, e.special) for e in listed.episodes] == [(1, False), (2, False),
                                                                 (3, False)]
    page = fixture_site.requests_for("/catalogue/kaiju-no-8/saison1/var/")
    assert len(page) == 1  # the page (with its generic block and how-to comment) was read


def test_typos_and_repeats_never_give_two_episodes_one_number(fixture_site, site_client,
                                                              animesama):
    key = "/catalogue/typos/saison1/vostfr/"
    # creerListe with one argument is a site typo (ignored); 3 is listed twice.
    add_season(fixture_site, key, 6, "resetListe(); creerListe(1); creerListe(1, 3); "
                                     "creerListe(3, 4); finirListe(5);")
    listed = animesama.fetch_episodes(site_client, key, "vostfr")
    numbers = [e.number for e in listed.episodes]
    assert numbers == [1, 2, 3, 4, 5, 6] and len(set(numbers)) == 6


def test_a_season_part_continues_the_numbering_of_the_earlier_parts(fixture_site, site_client,
                                                                    animesama):
    listed = animesama.fetch_episodes(site_client, SNK_4_2, "vostfr")
    assert listed.season == 4 and AnimeSama.library_season(SNK_4_2) == 4
    assert [e.number for e in listed.episodes] == list(range(17, 29))  # saison4 has 16
    assert fixture_site.hits("/catalogue/shingeki-no-kyojin/saison4/vostfr/episodes.js") == 1
    key = "/catalogue/shingeki-no-kyojin/saison4-3/vostfr/"
    fixture_site.add_show("animesama", key, "Shingeki no Kyojin", episodes=2)
    assert [e.number for e in animesama.fetch_episodes(site_client, key, "vostfr").episodes] \
        == [29, 30]


def test_a_season_part_already_numbered_by_the_site_is_kept(fixture_site, site_client,
                                                            animesama):
    fixture_site.show(SNK_4_2).options["names"] = "resetListe(); creerListe(17, 28);"
    listed = animesama.fetch_episodes(site_client, SNK_4_2, "vostfr")
    assert [e.number for e in listed.episodes] == list(range(17, 29))
    assert fixture_site.hits("/catalogue/shingeki-no-kyojin/saison4/vostfr/episodes.js") == 0
