"""Whether anime-sama's anime page says the anime is finished: the 2026 info card's État
("Terminé" / "En cours"), nothing on the older page (SOURCES.md, "Hub status")."""

from __future__ import annotations

from string import Template

import pytest

from tests.fixture_site import provider_fixture
from tests.fixture_site.server import FIXTURES
from webapp.sites.providers.animesama.pages import hub_info

animesama = provider_fixture("animesama")

PAGE_URL = "https://anime-sama.to/catalogue/inazuma-eleven/"
STATE_ROW = '<span class="info-lbl">État</span><span class="info-val">$state</span>'
INAZUMA = "/catalogue/inazuma-eleven/saison1/vf/"


def hub_2026(state: str = "En cours", state_row: str = STATE_ROW) -> str:
    """The 2026 hub fixture with `state_row` (its `$state` filled) as the État pair."""
    text = (FIXTURES / "animesama" / "hub.html").read_text(encoding="utf-8")
    return Template(text.replace(STATE_ROW, state_row)).substitute(
        title="Inazuma Eleven", alt_titles="Lightning Eleven", state=state,
        poster="https://cdn.example/inazuma.jpg", synopsis="Endou Mamoru.",
        genre_pills='<span class="genre-pill">Football</span>', kai_section="",
        panels='panneauAnime("Saison 1", "saison1/vf");')


@pytest.mark.parametrize(("state", "finished"), [
    ("Terminé", True),
    ("En cours", False),
    ("terminé", True),
    ("TERMINÉ", True),
    ("Termine", True),
    ("  En\n   cours ", False),
    ("Terminé Voir plus", True),
    ("En cours Voir plus", False),
])
def test_the_etat_of_the_info_card_says_finished_or_airing(state, finished):
    assert hub_info(hub_2026(state), PAGE_URL).finished is finished


@pytest.mark.parametrize("state", [
    "Aucune donnée.", "Saison 2 en cours", "En pause", "Terminée bientôt", "5 avril 2026",
    "FIN", "Complet", "",
])
def test_any_other_etat_text_says_nothing(state):
    assert hub_info(hub_2026(state), PAGE_URL).finished is None


def test_a_label_with_a_colon_and_a_div_card_still_count():
    row = '<div class="info-lbl">État :</div><div class="info-val">$state</div>'
    assert hub_info(hub_2026("Terminé", row), PAGE_URL).finished is True


@pytest.mark.parametrize("row", [
    "",  # no État pair
    '<span class="info-lbl">Statut</span><span class="info-val">$state</span>',
    '<span class="info-lbl">État</span><span class="info-note">$state</span>',
    '<span class="info-lbl">État</span>',
])
def test_no_etat_value_says_nothing(row):
    assert hub_info(hub_2026("Terminé", row), PAGE_URL).finished is None


def test_two_etat_pairs_that_disagree_say_nothing():
    row = STATE_ROW + '<span class="info-lbl">État</span><span class="info-val">Terminé</span>'
    assert hub_info(hub_2026("En cours", row), PAGE_URL).finished is None
    assert hub_info(hub_2026("Terminé", row), PAGE_URL).finished is True


def test_an_airing_hub_through_the_site(site_client, animesama):
    listed = animesama.hub_seasons(site_client, "/catalogue/kaiju-no-8/")
    assert listed.finished is False
    assert [label for label, _key in listed.seasons] == ["Saison 1"]


def test_a_finished_hub_through_the_site(fixture_site, site_client, animesama):
    fixture_site.add_show("animesama", INAZUMA, "Inazuma Eleven", episodes=26, placeholders=0,
                          options={"state": "Terminé"})
    fixture_site.add_show("animesama", "/catalogue/inazuma-eleven/saison2/vf/",
                          "Inazuma Eleven", episodes=26, placeholders=0)
    listed = animesama.hub_seasons(site_client, "/catalogue/inazuma-eleven/")
    assert listed.finished is True
    assert listed.title == "Inazuma Eleven"
    assert [key for _label, key in listed.seasons] == [
        "/catalogue/inazuma-eleven/saison1/vf/", "/catalogue/inazuma-eleven/saison2/vf/"]


def test_the_older_hub_says_nothing_its_news_line_is_not_read(fixture_site, site_client,
                                                               animesama):
    older = (FIXTURES / "animesama" / "hub_2025.html").read_text(encoding="utf-8")
    assert "Avancement" in older
    fixture_site.set_page("/catalogue/dr-stone/", older)
    listed = animesama.hub_seasons(site_client, "/catalogue/dr-stone/")
    assert listed.finished is None
    assert len(listed.seasons) == 4
