"""anime-sama's home page as a feed of recently added episodes, through the real HTTP client
against the fixture site (SOURCES.md Part 1 §4.1 "Homepage cards")."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.fixture_site import provider_fixture
from webapp.sites.providers.animesama.recent import recent_cards
from webapp.sites.types import LayoutChanged

animesama = provider_fixture("animesama")
FRIEREN = "/catalogue/frieren/saison1/vostfr/"


def test_newest_episode_first_with_its_label_and_time(fixture_site, site_client, animesama):
    fixture_site.publish_episode(FRIEREN)
    recent = animesama.recently_added(site_client)

    first = recent.entries[0]
    assert (first.key, first.lang, first.label) == (FRIEREN, "vostfr", "Saison 1 Episode 4")
    show = fixture_site.shows[FRIEREN]
    assert first.released_at == datetime.fromtimestamp(int(show.modified_at), UTC).replace(
        tzinfo=None)
    keys = [e.key for e in recent.entries]
    assert "/catalogue/kaiju-no-8/saison1/var/" in keys
    assert not any("/scan/" in k for k in keys)  # the scans' own section is not read
    assert len(keys) == len(set(keys))


def test_an_unchanged_home_page_costs_a_304(fixture_site, site_client, animesama):
    first = animesama.recently_added(site_client)
    again = animesama.recently_added(site_client, first.validators)
    assert again.not_modified and again.entries == ()
    fixture_site.publish_episode(FRIEREN)
    changed = animesama.recently_added(site_client, first.validators)
    assert not changed.not_modified and changed.entries[0].key == FRIEREN


def test_the_time_text_is_read_in_paris_time_when_there_is_no_timestamp():
    html = """<div id="containerAjoutsAnimes"><div class="anime-card-premium">
      <a href="https://anime-sama.to/catalogue/black-torch/saison1/vostfr/">
      <h3 class="card-title">Black Torch</h3><span class="info-text">Saison 1 Episode 9</span>
      <span class="time-text">02/09/2026 20:10</span></a></div>
      <div><a href="/catalogue/naruto/saison1/vf/">Naruto</a></div></div>"""
    cards = recent_cards(html, "https://anime-sama.to/")
    assert cards[0].released_at == datetime(2026, 9, 2, 18, 10)  # CEST is UTC+2
    assert cards[0].label == "Saison 1 Episode 9"
    assert cards[1].key == "/catalogue/naruto/saison1/vf/" and cards[1].released_at is None


def test_a_home_page_without_the_section_is_a_layout_change(fixture_site, site_client,
                                                            animesama):
    fixture_site.set_page("/", "<html><body><div id='app'></div></body></html>")
    with pytest.raises(LayoutChanged, match="containerAjoutsAnimes"):
        animesama.recently_added(site_client)
