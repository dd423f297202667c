"""anime-sama's planning page through the real HTTP client against the fixture site, and the
next release it predicts (Paris time, DST included)."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.fixture_site import provider_fixture
from webapp.checking.prediction import predict_from_schedule
from webapp.sites.providers.animesama.planning import planned_seasons
from webapp.sites.types import LayoutChanged

animesama = provider_fixture("animesama")


def test_the_planning_lists_each_anime_with_its_day_and_time(fixture_site, site_client,
                                                             animesama):
    planned = {p.key: p for p in animesama.release_schedule(site_client)}
    assert set(planned) == {
        "/catalogue/kaiju-no-8/saison1/vostfr/", "/catalogue/frieren/saison1/vostfr/",
        "/catalogue/dandadan/saison2/vf1/", "/catalogue/sans-heure/saison1/vostfr/",
        "/catalogue/naruto-shippuden/saison2/vostfr/"}  # not the scan, not the template
    frieren = planned["/catalogue/frieren/saison1/vostfr/"]
    assert (frieren.weekday, frieren.hour, frieren.minute, frieren.postponed) == (5, 17, 0,
                                                                                  False)
    assert planned["/catalogue/dandadan/saison2/vf1/"].postponed
    assert planned["/catalogue/dandadan/saison2/vf1/"].lang == "vf1"
    assert planned["/catalogue/sans-heure/saison1/vostfr/"].hour is None
    naruto = planned["/catalogue/naruto-shippuden/saison2/vostfr/"]
    assert (naruto.weekday, naruto.hour, naruto.minute) == (6, 9, 5)


def test_the_next_slot_in_paris_time_across_the_change_of_hour(fixture_site, site_client,
                                                               animesama):
    planned = {p.key: p for p in animesama.release_schedule(site_client)}
    frieren = planned["/catalogue/frieren/saison1/vostfr/"]
    friday = datetime(2026, 10, 2, 12, 0)  # UTC; Paris is UTC+2 until 25 October
    assert predict_from_schedule(frieren, friday).expected_at == datetime(2026, 10, 3, 15, 0)
    after_slot = datetime(2026, 10, 24, 18, 0)  # the next Saturday is in winter time
    prediction = predict_from_schedule(frieren, after_slot)
    assert prediction.expected_at == datetime(2026, 10, 31, 16, 0)
    assert prediction.source == "schedule" and prediction.confidence == 0.9
    postponed = predict_from_schedule(planned["/catalogue/dandadan/saison2/vf1/"], friday)
    assert postponed.expected_at == datetime(2026, 10, 10, 17, 0)  # a week later, 19h Paris
    unknown = predict_from_schedule(planned["/catalogue/sans-heure/saison1/vostfr/"], friday)
    assert unknown.expected_at == datetime(2026, 10, 3, 10, 0) and unknown.confidence == 0.5


def test_a_planning_without_day_headings_is_a_layout_change() -> None:
    with pytest.raises(LayoutChanged, match="titreJours"):
        planned_seasons("<html><body><div id='planning'></div></body></html>")
