"""Add-anime page: search across providers (local fixture site), options, add, paste a URL."""

from __future__ import annotations

import re

import pytest

from tests.page_helpers import post

HX = {"HX-Request": "true"}


pytestmark = pytest.mark.usefixtures("on_fixture_site")


def test_search_finds_results_on_every_site(logged):
    html = logged.get("/add?q=naruto", headers=HX).get_data(as_text=True)
    assert "Naruto Shippuden" in html and "Add to watchlist" in html
    assert html.startswith('<div id="search-results">')
    page = logged.get("/add?q=slime").get_data(as_text=True)
    assert "Tensei Shitara Slime Datta Ken" in page and "<html" in page


def test_short_query_and_no_result(logged):
    assert "at least 2 characters" in logged.get("/add?q=x", headers=HX).get_data(as_text=True)
    assert "Nothing found" in logged.get("/add?q=zzzzzz", headers=HX).get_data(as_text=True)


def test_a_failing_site_leaves_the_others(logged, fixture_site):
    fixture_site.fail("/animes-search", status=500)
    html = logged.get("/add?q=naruto", headers=HX).get_data(as_text=True)
    assert "Naruto Shippuden" in html and "Neko-Sama:" in html


def test_options_offer_seasons_then_add(logged, app):
    html = logged.get("/add?q=naruto", headers=HX).get_data(as_text=True)
    options_url = re.search(r'hx-get="(/add/options\?[^"]+)"', html).group(1).replace("&amp;", "&")
    form = logged.get(options_url, headers=HX).get_data(as_text=True)
    season_urls = re.findall(r'<option value="(http[^"]+saison1/vostfr/)"', form)
    assert season_urls, form
    resp = post(logged, "/add", {"inline": "1", "provider_id": "animesama",
                                 "anime_title": "Naruto Shippuden", "anime_url": season_urls[0],
                                 "quality_preference": "720p", "start": "all",
                                 "auto_download": "on", "genres": ["Action"]}, htmx=True)
    assert resp.status_code == 200 and "Added “Naruto Shippuden”" in resp.get_data(as_text=True)
    again = post(logged, "/add", {"inline": "1", "provider_id": "animesama",
                                  "anime_title": "Naruto", "anime_url": season_urls[0]},
                 htmx=True)
    assert again.status_code == 409 and "Already on your watchlist" in again.get_data(as_text=True)
    listed = logged.get("/watchlist").get_data(as_text=True)
    assert "Naruto Shippuden" in listed


def test_only_new_episodes_from_now(logged, fixture_site, app, make_user):
    url = fixture_site.url + "/catalogue/frieren/saison1/vostfr/"
    resp = post(logged, "/add", {"anime_url": url, "provider_id": "animesama", "start": "new",
                                 "auto_download": "on"})
    assert resp.status_code == 303
    from webapp.extensions import db
    from webapp.models import WatchlistItem

    with app.app_context():
        item = db.session.query(WatchlistItem).one()
        assert item.anime_title == "Frieren"  # read from the site: no title was typed
        assert item.last_episode_downloaded == 3


def test_paste_a_bad_url_says_why(logged):
    resp = post(logged, "/add", {"anime_url": "https://unknown.example/x", "anime_title": "X"},
                htmx=True)
    text = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "No site recognises this URL" in text
    assert "HTTP directory" in text and "could not be read for one" not in text
    page = post(logged, "/add", {"anime_url": "https://unknown.example/x", "anime_title": "X"})
    html = page.get_data(as_text=True)
    assert page.status_code == 422 and "flash error" in html
    # Without htmx the page comes back whole: what was typed is still in the form.
    assert 'value="https://unknown.example/x"' in html and 'value="X"' in html


def test_paste_an_unreachable_site_says_so(logged, fixture_site):
    url = fixture_site.url + "/catalogue/frieren/saison1/vostfr/"
    fixture_site.fail("/catalogue/", status=503)
    resp = post(logged, "/add", {"anime_url": url, "provider_id": "animesama"}, htmx=True)
    text = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "The site could not be reached" in text
    assert "No site recognises" not in text and "could not be read for one" not in text


def test_paste_without_a_title_or_url_names_both(logged):
    resp = post(logged, "/add", {"anime_url": "", "anime_title": ""}, htmx=True)
    text = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "URL:" in text and "Title:" in text
